"""Data sets: the catalogue and the providers it composes.

Layers, lowest first (a module imports only from layers below it):

- ``readers/``: one reader per file format (IDX, CSV, NPZ, image folders, UNIPEN).
- ``dataset`` (the in-memory shape), ``spec`` (a catalogue entry), ``derived_cache``.
- ``pen_samples`` (labelled pen samples -> a rendered split), ``unipen_archive``; on them
  ``unipen_sets`` (the four UNIPEN built-ins) and ``pen_import`` (a user's pen files).
- ``builtin``: MNIST, EMNIST letters, Sign-MNIST, pendigits, UNIPEN: files, loaders, URLs.
- ``names``: the naming rules every set shares, and which names are taken.
- the providers of user sets and downloads: ``import_preview`` then ``importer``,
  ``collections``, ``download``; ``synthetic`` and ``letter_fonts`` make training data.
- ``catalogue``: every set by name, composed from the built-ins, imports and collections.
"""

from core.datasets.catalogue import DatasetSpec, catalogue, find, is_available, load_dataset, locate
from core.datasets.dataset import IMAGE_SIZE, Dataset, Split

__all__ = [
    "IMAGE_SIZE",
    "Dataset",
    "DatasetSpec",
    "Split",
    "catalogue",
    "find",
    "is_available",
    "load_dataset",
    "locate",
]
