"""Data sets: the catalogue, the readers for each file format, download and import."""

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
