"""Read a line of several characters: segment, render the candidates, predict them in batches, choose.

:func:`read_strokes` is the Draw tab's "Several characters" path and ``recognize --multi``'s
for stroke files; :func:`read_image` does the same for a picture, with connected blobs of
ink in place of strokes.  Each candidate character goes through the exact recipe of a
single drawing (:func:`core.imaging.strokes.render_many_strokes`, or
:func:`core.imaging.framing.mnist_normalize` for a picture's ink), and through the model
in at most two batches (:meth:`Recognizer.outputs_many`: the parts, then the joins that
could still win).  Where the geometry leaves a choice (parts that touch: one character or
two?), the grouping whose characters the model finds most probable together wins
(:meth:`Segmentation.choose`).  With the Words option (:mod:`core.models.words`) the line
may be read as a word, over every grouping.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DrawingError
from core.imaging.segmentation import DEFAULT_RULES, Group, Rules, Segmentation, segment
from core.models.recognizer import Prediction, Recognizer
from core.models.words import WordList, WordMatch

_FLOOR = 1e-4  # a candidate's probability is never taken as below this (log of 0)
BATCH_STEP = 4


@dataclass(frozen=True)
class Character:
    """One character of a line: what the model read, where it is, and from which strokes."""

    prediction: Prediction
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the drawing's coordinates
    strokes: tuple[int, ...]  # indices of its strokes (of its ink blobs, for a picture)
    word_label: str | None = None  # the class the word list chose, when it differs from the model's
    word_confidence: float = 0.0  # ... and the model's probability of that class

    @property
    def label(self) -> str:
        return self.word_label or self.prediction.label

    @property
    def confidence(self) -> float:
        """The model's probability of :attr:`label` (of the word's letter, when the word list chose it)."""
        return self.word_confidence if self.word_label else self.prediction.confidence

    @property
    def status(self) -> str:
        return self.prediction.status


@dataclass(frozen=True)
class Reading:
    """A line read character by character, left to right; ``marks``: strokes read as nothing."""

    characters: list[Character]
    marks: tuple[int, ...] = ()
    word: WordMatch | None = None  # with the words option: what the word list made of the line

    @property
    def text(self) -> str:
        """The best guess of every character, joined (a "not a character" too: its nearest class)."""
        return "".join(c.label for c in self.characters)

    @property
    def unsure(self) -> bool:
        return any(c.prediction.unsure for c in self.characters)


def read_strokes(
    recognizer: Recognizer, strokes: Sequence[Any], *, y_up: bool = False, rules: Rules = DEFAULT_RULES,
    words: WordList | None = None,
) -> Reading:
    """Read pen strokes (screen coordinates, y down, unless ``y_up``) as a line of characters.

    Pad strokes may carry pressure and time columns; time is dropped for rendering.
    ``words``: the words option (:mod:`core.models.words`), else letter by letter.
    Raises :class:`DrawingError` for an empty drawing, too many strokes or characters, and
    :class:`ModelError` for the words option with a model that reads no letters.
    """
    from core.imaging.strokes import render_many_strokes

    arrays = [np.asarray(s, np.float32).reshape(len(s), -1)[:, :3] for s in strokes]
    found = segment(arrays, rules, y_up=y_up)

    def render(groups: list[Group]) -> np.ndarray:
        rendered = render_many_strokes([[arrays[i] for i in g.strokes] for g in groups], y_up=y_up)
        for result in rendered:
            if isinstance(result, DrawingError):
                raise result
        return np.stack(rendered)  # type: ignore[arg-type]

    return _decide(recognizer, found, render, words)


def read_image(
    recognizer: Recognizer, image: Any, rules: Rules = DEFAULT_RULES, words: WordList | None = None,
    split: bool = True,
) -> Reading:
    """Read a picture (path, PIL image or array) of one line of dark characters on a light ground.

    The ink's connected blobs take the place of strokes (``split``: a blob as wide as
    characters that touch is first cut, :func:`core.imaging.ink_parts.split_touching`);
    boxes are in the picture's pixels.
    """
    from core.imaging.ink_parts import ink_blobs, render_blobs

    ink, blobs, scale = ink_blobs(image)
    found, blobs = _segment_blobs(blobs, rules, split)
    reading = _decide(recognizer, found, lambda groups: render_blobs(ink, blobs, [g.strokes for g in groups]), words)
    if scale == 1.0:
        return reading
    return Reading([_scaled(c, scale) for c in reading.characters], reading.marks, reading.word)


CUT_COST = 0.3  # nats: reading a cut blob's pieces apart must beat reading it whole by this much (fold 0)


def _segment_blobs(blobs: list[np.ndarray], rules: Rules, split: bool) -> tuple[Segmentation, list[np.ndarray]]:
    """A picture's blobs segmented; with ``split``, wide blobs (touching characters) are cut first
    and the candidate that puts a cut blob back together costs nothing, less :data:`CUT_COST` per cut."""
    from core.imaging.ink_parts import line_height, split_touching

    if not split:
        return segment(blobs, rules, paths=False), blobs
    pieces, origin = split_touching(blobs, line_height(blobs))
    found = segment(pieces, rules, paths=False)
    n = len(found.parts)
    priors = list(found.priors)
    for k, (start, stop) in enumerate(found.runs):
        members = {i for part in found.parts[start:stop] for i in part.strokes}
        blob = {origin[i] for i in members}
        if len(blob) == 1 and members == {i for i, o in enumerate(origin) if o in blob}:
            priors[n + k] = CUT_COST * (len(members) - 1)
    return dataclasses.replace(found, priors=priors), pieces


def _scaled(character: Character, scale: float) -> Character:
    box = tuple(round(v * scale, 1) for v in character.box)
    return dataclasses.replace(character, box=box)


def _decide(
    recognizer: Recognizer, found: Segmentation, render: Callable[[list[Group]], np.ndarray],
    words: WordList | None = None,
) -> Reading:
    """Predict the candidates that can matter, in at most two batches; keep the most probable grouping.

    The parts go first.  A join of parts can only win when its geometry's prior beats what
    its parts already score apart (a candidate scores at most log 1 = 0), so only those
    joins are rendered and predicted: most joins of clearly read characters never are.
    With ``words`` every candidate is predicted, in one batch: a word may need a grouping
    the letters alone would not choose.  Only the chosen characters become
    :class:`Prediction` objects.
    """
    n = len(found.parts)
    outputs = np.zeros((len(found.candidates), 0), np.float32)
    images: list[np.ndarray | None] = [None] * len(found.candidates)
    scores = [-math.inf] * len(found.candidates)
    weight = found.model_weight
    for pass_ in (0, 1):
        if pass_ == 0:
            wanted = list(range(n if words is None else len(found.candidates)))
        else:
            apart = [weight * scores[i] + found.priors[i] for i in range(n)]
            wanted = [n + k for k, (start, stop) in enumerate(found.runs)
                      if images[n + k] is None and found.priors[n + k] > sum(apart[start:stop]) + 1e-9]
        if not wanted:
            continue
        batch = render([found.candidates[k] for k in wanted])
        out = _outputs(recognizer, batch)
        if outputs.shape[1] == 0:
            outputs = np.zeros((len(found.candidates), out.shape[1]), np.float32)
        best = np.log(np.maximum((out[:, :-1] if recognizer.can_reject else out).max(axis=1), _FLOOR))
        for j, k in enumerate(wanted):
            outputs[k], images[k], scores[k] = out[j], batch[j], float(best[j])
    chosen = found.choose(scores)
    index = {}
    for k, group in enumerate(found.candidates):
        if images[k] is not None:
            index.setdefault(group, k)
    path = [index[group] for group in chosen]
    if words is None:
        return Reading(_characters(recognizer, found, outputs, images, path), found.marks)
    return _with_words(recognizer, found, outputs, images, (path, scores), words)


def _characters(recognizer: Recognizer, found: Segmentation, outputs: np.ndarray, images: list,
                path: list[int], word: str | None = None) -> list[Character]:
    """The candidates ``path`` as characters, each letter of ``word`` (when given) its label."""
    characters = []
    for position, k in enumerate(path):
        group = found.candidates[k]
        character = Character(recognizer.prediction(outputs[k], images[k]), group.box, group.strokes)
        if word is not None:
            p = character.prediction.probabilities
            classes = [i for i, name in enumerate(recognizer.label_names) if name.lower() == word[position]]
            best = max(classes, key=lambda i: p[i])
            if recognizer.label_names[best] != character.prediction.label:
                character = dataclasses.replace(character, word_label=recognizer.label_names[best],
                                                word_confidence=float(p[best]))
        characters.append(character)
    return characters


def _with_words(recognizer: Recognizer, found: Segmentation, outputs: np.ndarray, images: list,
                chosen: tuple[list[int], list[float]], words: WordList) -> Reading:
    """The line as the closest word of ``words`` over every grouping of its parts, when one is
    close to what the letters alone read (:func:`core.models.words.match_groupings`)."""
    from core.models.words import letter_matrix, match_groupings

    path, scores = chosen
    matrix = letter_matrix(list(recognizer.label_names), f"the {recognizer.name} model")
    real = outputs[:, :-1] if recognizer.can_reject else outputs
    letters_total = sum(found.model_weight * scores[k] + found.priors[k] for k in path)
    letters = "".join(recognizer.label_names[int(np.argmax(real[k]))] for k in path)
    result = match_groupings(real @ matrix.T, found, letters_total, letters.lower(), words)
    if result.word is None:
        return Reading(_characters(recognizer, found, outputs, images, path), found.marks, result)
    return Reading(_characters(recognizer, found, outputs, images, list(result.grouping), result.word),
                   found.marks, result)


def _outputs(recognizer: Recognizer, images: np.ndarray) -> np.ndarray:
    """The model's outputs for ``images`` in one call, the batch padded to a multiple of BATCH_STEP
    with blank images: LiteRT opens an interpreter (~1.5 CPU-ms) per batch size and keeps a few."""
    padded = -len(images) % BATCH_STEP
    if padded:
        images = np.concatenate([images, np.zeros((padded, *images.shape[1:]), images.dtype)])
    return recognizer.outputs_many(images)[: len(images) - padded]
