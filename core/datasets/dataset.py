"""The in-memory shape of every data set: uint8 images, integer labels, label names.

Images stay ``uint8`` (N, 28, 28), white ink on black, exactly as MNIST stores them:
60,000 MNIST images are 47 MB this way and would be 376 MB as float64.  Normalisation to
floats happens per batch, on the fly, where a model needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.errors import DataError

IMAGE_SIZE = 28


@dataclass(frozen=True)
class Split:
    """One split (``train`` or ``test``) of a data set.

    ``groups`` optionally names who made each sample (pendigits' writer ids), so that
    validation can hold out whole writers instead of random samples.
    """

    images: np.ndarray
    labels: np.ndarray
    groups: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.images.dtype != np.uint8 or self.images.ndim != 3 or self.images.shape[1:] != (
            IMAGE_SIZE,
            IMAGE_SIZE,
        ):
            raise DataError(
                f"images must be uint8 of shape (N, 28, 28), got {self.images.dtype} {self.images.shape}"
            )
        if self.labels.ndim != 1 or len(self.labels) != len(self.images):
            raise DataError(f"{len(self.images)} images but {len(self.labels)} labels")
        if self.groups is not None and len(self.groups) != len(self.images):
            raise DataError(f"{len(self.images)} images but {len(self.groups)} group ids")

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self, n_classes: int) -> np.ndarray:
        """How many samples each class has (length ``n_classes``)."""
        return np.bincount(self.labels, minlength=n_classes)[:n_classes]

    def mean_images(self, n_classes: int) -> np.ndarray:
        """The mean image of each class, float32 (n_classes, 28, 28) in 0..255; zeros where empty."""
        means = np.zeros((n_classes, IMAGE_SIZE, IMAGE_SIZE), np.float32)
        for c in range(n_classes):
            members = self.images[self.labels == c]
            if len(members):
                # Sum in float64 one class at a time: exact, and never a float copy of the set.
                means[c] = members.sum(axis=0, dtype=np.float64) / len(members)
        return means

    def take(self, indices: np.ndarray | slice) -> Split:
        """A new split with only the chosen samples (a view where numpy allows)."""
        return Split(
            self.images[indices],
            self.labels[indices],
            None if self.groups is None else self.groups[indices],
        )


@dataclass(frozen=True)
class Dataset:
    """A named data set: its classes and its splits."""

    name: str
    label_names: tuple[str, ...]
    splits: dict[str, Split] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        for split_name, split in self.splits.items():
            if len(split) and (split.labels.min() < 0 or split.labels.max() >= len(self.label_names)):
                raise DataError(
                    f"{self.name}/{split_name}: labels run {split.labels.min()}..{split.labels.max()} "
                    f"but the data set has {len(self.label_names)} classes"
                )

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    def split(self, name: str) -> Split:
        """The named split, or a :class:`DataError` listing the splits there are."""
        try:
            return self.splits[name]
        except KeyError:
            have = ", ".join(self.splits) or "none"
            raise DataError(f"data set '{self.name}' has no '{name}' split (it has: {have})") from None

    def summary(self) -> dict:
        """Sizes and class counts as plain data (for ``datasets info --json`` and the GUI)."""
        return {
            "name": self.name,
            "classes": list(self.label_names),
            "splits": {
                split_name: {
                    "samples": len(split),
                    "class_counts": {
                        label: int(count)
                        for label, count in zip(self.label_names, split.class_counts(self.n_classes), strict=True)
                    },
                }
                for split_name, split in self.splits.items()
            },
            "source": self.source,
        }
