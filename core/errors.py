"""The few error types a user may see.

Each carries a message a person can act on.  The CLI turns them into exit code 2 and one
line on stderr; the GUI shows them inline.  Anything else escaping is a bug.

:class:`Cancelled` is not one of them: the user asked for it, so it is no error.  The CLI
turns it (like Ctrl+C) into exit code 130 without an error line; the GUI into a notice.
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


class LessonError(InkLabError):
    """A lesson file is missing, unreadable or does not describe a lesson InkLab can run."""


class ContestError(InkLabError):
    """A contest file is unreadable, too large, or not what it says it is."""


class StorageError(InkLabError):
    """The user data folder cannot be used (a file in its place, no permission to write)."""


class Cancelled(Exception):
    """A long task was cancelled by the user; raised inside the worker to unwind it.

    Deliberately not an :class:`InkLabError`: ``except InkLabError`` must not mistake a
    cancel for a failure to report.
    """

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)
