"""The label sets InkLab's built-in data sets and bundled models share, defined once.

A model's card and the data set it was trained on must name their classes the same way,
so every loader, generator and build script takes its class names from here.
"""

import string

DIGITS = tuple(string.digits)
LETTERS = tuple(string.ascii_uppercase)
LOWERCASE = tuple(string.ascii_lowercase)  # lower-case letters kept apart (UNIPEN 1c)
# Sign-Language-MNIST has no J (9) or Z (25): both need motion, not a still hand.
SIGN_LETTERS = tuple(c for c in string.ascii_uppercase if c not in "JZ")

# The extra class a bundled model may have for drawings that are no character at all
# (scribbles, zigzags...); its card names it under "reject" and the recognizer keeps it
# out of the answers (core.models.recognizer).
NOT_A_CHARACTER = "not-a-character"


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: "1 class", "10 classes", "1,000 samples"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {noun}{'es' if noun.endswith(('s', 'x', 'ch', 'sh')) else 's'}"
