"""The "words" option: a written line read as a word from a word list, when one is close.

Without it a line is read letter by letter, which is what names and codes need.  With it,
the characters as grouped (:mod:`core.models.reading`) are matched against a word list:
each word as long as the line scores the sum of the log-probabilities the model gave its
letters (cases merged: a model whose classes are A-Z reads "a" and "A" alike), plus a small
prior for how common it is (the list's tier).  The best word is taken when it is close to
what the letters say on their own, at most :data:`MAX_COST` below their best reading;
otherwise the letters stand (a name, a code, a word the list lacks).

The bundled list (``resources/words/english.txt``, from SCOWL, see its licence beside it)
has ~39,000 lower-case words, commonest first in tiers.  A list is a UTF-8 text file, one
word a line (letters a-z only), ``#`` lines are comments and ``#tier N`` starts tier N; it
is read as untrusted input: bounded in size and count, every line checked.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError, ModelError

MAX_WORD_LIST_BYTES = 4 * limits.MiB
MAX_WORDS = 200_000
MAX_WORD_LENGTH = 24
MAX_COST = 4.5  # nats (x the model weight) a word may lose against the best letter-by-letter reading: fold 0
MAX_GROUPINGS = 512  # ways of grouping a line's parts a word is looked for in
TIER_COST = 1.0  # nats of prior each tier down the list costs
_FLOOR = 1e-6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(f"[a-z]{{1,{MAX_WORD_LENGTH}}}")
_NOT_A_WORD = re.compile(r"[^a-z\n]")
BUNDLED = "english"


@dataclass(frozen=True)
class WordList:
    """Words by length: ``codes[n]`` is (W, n) letter indices (a=0), ``priors[n]`` their log-priors."""

    name: str
    codes: dict[int, np.ndarray]
    priors: dict[int, np.ndarray]
    words: dict[int, list[str]]

    def __len__(self) -> int:
        return sum(len(w) for w in self.words.values())


@dataclass(frozen=True)
class WordMatch:
    """What the word list made of a line: the word taken (None: the letters stand) and why."""

    word: str | None
    letters: str  # the letter-by-letter reading, lower case
    cost: float  # how much less probable the word is than the letters (0 when they are the word)
    grouping: tuple[int, ...] = ()  # the candidate characters the word was read from, left to right


def parse_word_list(text: str, where: str) -> WordList:
    """A word list from its text (module doc); :class:`DataError` naming the line when it is bad.

    Checked and split with whole-text operations (the bundled ~39,000 words in ~20 ms, not
    a Python loop per word): the Draw tab loads it when the option is switched on.
    """
    lines = [line.strip() for line in text.lower().splitlines()]
    words: list[str] = []
    tiers: list[int] = []
    markers = [k for k, line in enumerate(lines) if line.startswith("#")] + [len(lines)]
    tier, start = 0, 0
    for k in markers:
        chunk = [w for w in lines[start:k] if w]
        words += chunk
        tiers += [tier] * len(chunk)
        if k < len(lines) and lines[k].startswith("#tier"):
            tier = _tier(lines[k], f"{where}:{k + 1}")
        start = k + 1
    bad = _NOT_A_WORD.search("\n".join(words))
    if bad is not None or any(len(w) > MAX_WORD_LENGTH for w in words):
        line = _first_bad_line(lines)
        raise DataError(f"{where}:{line + 1}: a word is 1-{MAX_WORD_LENGTH} letters a-z, not "
                        f"{text.splitlines()[line].strip()[:40]!r}")
    first = dict(zip(reversed(words), reversed(tiers), strict=True))  # each word at its first tier
    if not first:
        raise DataError(f"{where}: no words in this file")
    if len(first) > MAX_WORDS:
        raise DataError(f"{where}: {len(first):,} words; InkLab reads at most {MAX_WORDS:,}")
    ordered = sorted(dict.fromkeys(words), key=len)
    by_length: dict[int, list[str]] = {}
    for word in ordered:
        by_length.setdefault(len(word), []).append(word)
    codes = {n: (np.frombuffer("".join(ws).encode("ascii"), np.uint8).reshape(-1, n) - 97).astype(np.int8)
             for n, ws in by_length.items()}
    priors = {n: -TIER_COST * np.array([first[w] for w in ws], np.float64) for n, ws in by_length.items()}
    return WordList(Path(where).stem, codes, priors, by_length)


def _first_bad_line(lines: list[str]) -> int:
    return next(k for k, w in enumerate(lines) if w and not w.startswith("#") and not _WORD.fullmatch(w))


def _tier(line: str, where: str) -> int:
    try:
        return max(0, int(line.split()[1]) - 1)
    except (IndexError, ValueError):
        raise DataError(f"{where}: '#tier' needs a number, e.g. '#tier 2'") from None


def load_word_list(path: str | Path | None = None) -> WordList:
    """The bundled English list (``None``), or a word list file (bounded, checked)."""
    if path is None:
        return _bundled()
    file = Path(path)
    return parse_word_list(limits.read_text(file, DataError, MAX_WORD_LIST_BYTES, "word list"), str(file))


@functools.cache
def _bundled() -> WordList:
    from core.resource_files import resource_path

    file = resource_path("words", f"{BUNDLED}.txt")
    return dataclasses.replace(
        parse_word_list(limits.read_text(file, DataError, MAX_WORD_LIST_BYTES, "word list"), str(file)),
        name=BUNDLED)


def letter_matrix(label_names: list[str], model_name: str = "this model") -> np.ndarray:
    """(26, classes): which of a model's classes are each letter a-z (either case).

    Raises :class:`ModelError` for a model with no letters (the words option reads words).
    """
    matrix = np.zeros((26, len(label_names)), np.float64)
    for k, label in enumerate(label_names):
        if len(label) == 1 and label.lower() in _LETTERS:
            matrix[ord(label.lower()) - 97, k] = 1.0
    if matrix.any(axis=1).sum() < 20:
        raise ModelError(f"the words option reads words, and {model_name} does not read letters "
                         "(pick a letters model, or switch the option off)")
    return matrix


def groupings(parts: int, runs: list[tuple[int, int]], cap: int = MAX_GROUPINGS) -> list[tuple[int, ...]]:
    """The ways to read ``parts`` parts as characters: candidate indices left to right (part k is
    candidate k; run j, joining parts ``runs[j]``, is candidate ``parts + j``), at most ``cap``."""
    edges: dict[int, list[tuple[int, int]]] = {s: [(s + 1, s)] for s in range(parts)}
    for j, (start, stop) in enumerate(runs):
        edges[start].append((stop, parts + j))
    found: list[tuple[int, ...]] = []
    stack: list[tuple[int, tuple[int, ...]]] = [(0, ())]
    while stack and len(found) < cap:
        at, path = stack.pop()
        if at == parts:
            found.append(path)
            continue
        stack += [(to, (*path, k)) for to, k in reversed(edges[at])]
    return found


def match_groupings(per_class: np.ndarray, segmentation, letters_total: float, letters: str, words: WordList,
                    max_cost: float = MAX_COST) -> WordMatch:
    """The word, over every grouping of the line's parts, that the model finds most probable.

    ``per_class``: each candidate's probability of each letter (candidates, 26);
    ``segmentation`` (:class:`core.imaging.segmentation.Segmentation`) gives the candidates'
    priors and the model's weight; ``letters_total`` is the best letter-by-letter reading's
    score on the same scale, ``letters`` its text.  A word (and its grouping) is taken when
    it scores at most ``max_cost`` below the letters, else the letters stand.
    """
    per_letter = np.log(np.maximum(np.asarray(per_class, np.float64), _FLOOR))
    priors = np.asarray(segmentation.priors, np.float64)
    weight = segmentation.model_weight
    by_length: dict[int, list[tuple[int, ...]]] = {}
    for path in groupings(len(segmentation.parts), segmentation.runs):
        by_length.setdefault(len(path), []).append(path)
    best: tuple[float, str, float, tuple[int, ...]] | None = None
    for n, paths in by_length.items():
        if n not in words.codes:
            continue
        ways = np.array(paths, np.intp)  # (paths, n)
        codes = words.codes[n].astype(np.intp)  # (words, n)
        letters_score = np.zeros((len(ways), len(codes)))
        for j in range(n):
            letters_score += per_letter[ways[:, j]][:, codes[:, j]]
        score = weight * letters_score + priors[ways].sum(axis=1)[:, None]
        way, word = np.unravel_index(int(np.argmax(score + words.priors[n][None, :])), score.shape)
        total = float(score[way, word] + words.priors[n][word])
        if best is None or total > best[0]:
            best = (total, words.words[n][word], letters_total - float(score[way, word]), tuple(paths[way]))
    if best is None or (best[1] != letters and best[2] > max_cost):
        return WordMatch(None, letters, math.inf if best is None else best[2])
    return WordMatch(best[1], letters, max(0.0, best[2]), best[3])
