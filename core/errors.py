"""The few error types a user may see.

Each carries a message a person can act on.  The CLI turns them into exit code 2 and one
line on stderr; the GUI shows them inline.  Anything else escaping is a bug.
"""


class InkLabError(Exception):
    """Base of every user-facing InkLab error; ``str(err)`` is the message to show."""


class DataError(InkLabError):
    """A data set or data file is missing, unreadable or malformed."""


class ModelError(InkLabError):
    """A model file or model card is missing, corrupt or incompatible."""


class DrawingError(InkLabError):
    """A drawing or image to recognise is empty or unusable."""


class TrainingError(InkLabError):
    """Training settings are invalid or a run cannot start."""


class Cancelled(InkLabError):
    """A long task was cancelled by the user; raised inside the worker to unwind it."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)
