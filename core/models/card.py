"""The model card: one class (:class:`ModelCard`), one reader (:meth:`ModelCard.read`), one writer (:func:`write_card`).

The card is what makes a file an InkLab model: its classes and label names, what the input
must look like (28x28x1, [0, 1], white ink on black), the preprocessing version of the
drawing pipeline, whether the output is logits or softmax (:func:`check_outputs`, the one
check), the data set, preset, settings, history and test metrics, the date and the library
versions, and, for models with a "not a character" output, its ``reject`` section.

The library (save, list, rename), the recognizer, export, LiteRT and the leftover clean-up
of an interrupted rename all read cards through :meth:`ModelCard.read`; nothing else
parses ``card.json``.  Reading never writes.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from core import limits, storage
from core.errors import ModelError

MODEL_FILE = "model.keras"
CARD_FILE = "card.json"
CARD_FORMAT = "inklab-model-card"
CARD_VERSION = 1
INPUT_SPEC = {"shape": [28, 28, 1], "dtype": "float32", "range": [0, 1], "ink": "white on black"}
OUTPUTS = ("logits", "softmax")


def check_outputs(value, where: str) -> str:
    """``value`` when it is "logits" or "softmax", else a ModelError naming ``where``."""
    if value not in OUTPUTS:
        raise ModelError(f"{where}: the model card does not say whether the model gives logits or softmax")
    return value


@dataclass(frozen=True)
class ModelCard:
    """A model as its card describes it; ``data`` is the full card.

    ``label_names`` has one name per model output, the reject class ("not-a-character")
    last when the model has one; :attr:`answers` leaves it out.  ``model_file`` is set for
    a loose ``.keras`` file whose card lies beside it (then :attr:`model_path` is that
    file, not ``folder/model.keras``).
    """

    name: str
    folder: Path
    bundled: bool
    label_names: tuple[str, ...]
    outputs: str
    data: dict = field(repr=False, compare=False)
    model_file: Path | None = None

    @classmethod
    def read(cls, path: Path, bundled: bool = False, model_file: Path | None = None) -> ModelCard:
        """Parse and check the card file ``path``; a ModelError names the file and the problem."""
        if not path.is_file():
            raise ModelError(f"{path.parent}: no model card ({CARD_FILE}); this is not a model saved by InkLab")
        try:
            data = limits.read_json(path, ModelError)  # bounded in size and nesting depth
        except ModelError as err:
            raise ModelError(f"{path}: the model card cannot be read ({str(err).removeprefix(f'{path}: ')})") from None
        return cls.of(data, path, bundled, model_file)

    @classmethod
    def of(cls, data, path: Path, bundled: bool = False, model_file: Path | None = None) -> ModelCard:
        """The card for the parsed JSON ``data`` of the file ``path`` (checked as :meth:`read` does)."""
        if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
            raise ModelError(f"{path}: not an InkLab model card")
        labels = data.get("label_names")
        if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) for x in labels):
            raise ModelError(f"{path}: the model card has no usable label names")
        check_outputs(data.get("outputs"), str(path))
        if not isinstance(data.get("card_version", 0), int) or data.get("card_version", 0) > CARD_VERSION:
            raise ModelError(f"{path}: the model card is from a newer InkLab (version {data['card_version']})")
        return cls(name=str(data.get("name") or path.parent.name), folder=path.parent, bundled=bundled,
                   label_names=tuple(labels), outputs=data["outputs"], data=data, model_file=model_file)

    def with_data(self, **changes) -> ModelCard:
        """This card with top-level entries of ``data`` changed (nothing is written)."""
        data = {**self.data, **changes}
        return replace(self, data=data, name=str(data.get("name") or self.name))

    @property
    def model_path(self) -> Path:
        return self.model_file or self.folder / MODEL_FILE

    @property
    def card_path(self) -> Path:
        return self.folder / CARD_FILE

    @property
    def dataset(self) -> str:
        dataset = self.data.get("dataset")
        return str(dataset.get("name", "")) if isinstance(dataset, dict) else ""

    @property
    def preset(self) -> str:
        return str(self.data.get("preset", ""))

    @property
    def created(self) -> str:
        return str(self.data.get("created", ""))

    @property
    def test_accuracy(self) -> float | None:
        test = self.data.get("test")
        return test.get("accuracy") if isinstance(test, dict) else None

    @property
    def reject_label(self) -> str | None:
        """The reject class ("not-a-character") the card declares as its last output, else None."""
        reject = self.data.get("reject")
        label = reject.get("label") if isinstance(reject, dict) else None
        return label if label and self.label_names[-1] == label else None

    @property
    def answers(self) -> tuple[str, ...]:
        """The classes the model answers with: its outputs less the reject class."""
        return self.label_names[:-1] if self.reject_label else self.label_names

    @property
    def input_range(self) -> tuple[float, float]:
        """The input value range the card states (InkLab's own models: 0..1)."""
        spec = self.data.get("input")
        low_high = spec.get("range") if isinstance(spec, dict) else None
        if isinstance(low_high, list) and len(low_high) == 2:
            return float(low_high[0]), float(low_high[1])
        return 0.0, 1.0

    @property
    def litert(self) -> dict | None:
        """The card's ``litert`` entry (``file`` and ``sha256``, or ``error``), or None."""
        entry = self.data.get("litert")
        return entry if isinstance(entry, dict) else None


def new_card(name: str, label_names: tuple[str, ...], outputs: str, info: dict, params: int, versions: dict) -> dict:
    """The card of a model about to be saved: standard fields plus ``info`` from the run."""
    from core.imaging import PREPROCESS_VERSION

    return {
        "format": CARD_FORMAT,
        "card_version": CARD_VERSION,
        "name": name,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "classes": len(label_names),
        "label_names": list(label_names),
        "input": dict(INPUT_SPEC),
        "outputs": check_outputs(outputs, name),
        "preprocess_version": int(PREPROCESS_VERSION),
        "params": int(params),
        **info,
        "versions": versions,
    }


def write_card(folder: Path, data: dict) -> None:
    """Write ``data`` as ``folder/card.json``, atomically (the one writer of cards)."""
    storage.write_json(folder / CARD_FILE, data)
