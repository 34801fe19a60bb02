"""Which strokes make each character of a line: the grouping rules, on strokes drawn here.

Strokes are in screen coordinates (y down), characters about 100 units tall, written left
to right.  Where the rules leave the choice to the model (touching parts, a raised piece),
``choose`` is given what a model would say.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import DrawingError
from core.imaging.segmentation import MAX_CHARACTERS, MAX_STROKES, segment


def line(*points) -> np.ndarray:
    """A stroke through ``points`` (x, y), densely sampled like a pad's."""
    pts = np.asarray(points, np.float64)
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        steps = max(2, int(np.hypot(*(b - a)) / 3))
        out.extend(a + (b - a) * t for t in np.linspace(0, 1, steps)[1:])
    return np.asarray(out)


def ring(cx: float, cy: float = 50, rx: float = 30, ry: float = 50) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, 60)
    return np.column_stack([cx + rx * np.sin(a), cy - ry * np.cos(a)])


def bar(x: float, top: float = 0, bottom: float = 100) -> np.ndarray:
    return line((x, top), (x, bottom))


def groups(strokes, scores=None) -> list[tuple[int, ...]]:
    """The chosen grouping: with ``scores`` (candidate -> log-probability) or every candidate equally likely."""
    found = segment(strokes)
    values = [0.0] * len(found.candidates) if scores is None else [scores(c) for c in found.candidates]
    return [g.strokes for g in found.choose(values)]


def test_one_character_is_one_group() -> None:
    assert groups([ring(50)]) == [(0,)]
    found = segment([ring(50)])
    assert found.candidates == found.parts and found.runs == []


def test_far_apart_characters_split_and_no_join_is_even_considered() -> None:
    strokes = [ring(30), bar(120), ring(200), bar(290)]
    found = segment(strokes)
    assert [p.strokes for p in found.parts] == [(0,), (1,), (2,), (3,)]
    assert found.runs == []  # nothing to ask the model about


def test_left_to_right_whatever_the_writing_order() -> None:
    strokes = [bar(290), ring(30), ring(200), bar(120)]
    assert groups(strokes) == [(1,), (3,), (2,), (0,)]


def test_dot_of_an_i_joins_its_stem_even_off_to_the_side_and_written_last() -> None:
    # "in": the stem, an n, then the i's dot over the gap between them, written last.
    n = line((70, 100), (70, 45), (95, 40), (110, 55), (110, 100))
    strokes = [bar(40, 45, 100), n, ring(50, 20, 4, 4)]
    assert groups(strokes) == [(0, 2), (1,)]
    # Dotted right after its stem, the dot goes with the stem even nearer the next letter.
    strokes = [bar(40, 45, 100), ring(58, 20, 4, 4), line((62, 100), (62, 45), (85, 40), (100, 55), (100, 100))]
    assert groups(strokes) == [(0, 1), (2,)]


def test_t_of_two_strokes_is_one_character() -> None:
    strokes = [line((10, 5), (90, 5)), bar(50, 5, 100), ring(150)]
    assert groups(strokes) == [(0, 1), (2,)]


def test_five_with_its_flag_is_one_character_and_the_flag_does_not_join_the_next_digit() -> None:
    body = line((30, 0), (25, 45), (60, 40), (75, 70), (55, 100), (20, 95))
    flag = line((30, 0), (85, 0))  # reaching over to the next digit's side
    one = bar(100, 5, 100)
    assert groups([body, flag, one]) == [(0, 1), (2,)]


def test_four_of_two_strokes_is_one_character() -> None:
    # The open 4: down and across (a raised piece, ending at the crossbar), then the stem through it.
    bent = line((30, 0), (5, 65), (70, 65))
    stem = line((55, 30), (55, 100))
    strokes = [ring(-60), bent, stem]
    found = segment(strokes)
    assert [p.strokes for p in found.parts] == [(0,), (1,), (2,)]
    # Read alone, the bent stroke could pass for a 1 or a 7 as well as the stem for a 1; the
    # geometry (a piece ending above the baseline, crossing the stem) joins them.
    assert groups(strokes) == [(0,), (1, 2)]


def test_touching_characters_are_split_when_the_model_reads_them_better_apart() -> None:
    strokes = [ring(30), ring(90)]  # two 0s touching at x = 60
    found = segment(strokes)
    assert found.runs == [(0, 2)]  # the join is a candidate...

    def model(candidate) -> float:  # ...that reads as nothing much
        return np.log(0.05) if len(candidate.strokes) > 1 else np.log(0.99)

    assert groups(strokes, model) == [(0,), (1,)]


def test_two_strokes_touching_are_joined_when_the_model_reads_them_better_together() -> None:
    stem, arms = bar(20), line((60, 0), (22, 55), (60, 100))  # a K in two strokes

    def model(candidate) -> float:
        return np.log(0.98) if len(candidate.strokes) == 2 else np.log(0.5)

    assert groups([stem, arms], model) == [(0, 1)]


def test_boxes_are_in_the_drawings_own_coordinates_also_y_up() -> None:
    found = segment([bar(10, 0, 100), ring(80)])
    assert found.parts[0].box == pytest.approx((10, 0, 10, 100))
    up = [np.column_stack([s[:, 0], -s[:, 1]]) for s in (bar(10, 0, 100), ring(80))]
    found = segment(up, y_up=True)
    assert [p.strokes for p in found.parts] == [(0,), (1,)]
    assert found.parts[0].box == pytest.approx((10, -100, 10, 0))


def test_empty_strokes_are_skipped_and_an_empty_drawing_is_refused() -> None:
    assert [p.strokes for p in segment([np.zeros((0, 2)), ring(50)]).parts] == [(1,)]
    with pytest.raises(DrawingError, match="nothing drawn"):
        segment([np.zeros((0, 2)), np.zeros((0, 2))])
    with pytest.raises(DrawingError, match="nothing drawn"):
        segment([])


def test_too_many_strokes_or_characters_is_one_clear_message() -> None:
    with pytest.raises(DrawingError, match=f"200 strokes: InkLab reads at most {MAX_STROKES}"):
        segment([bar(10 * i, 0, 30) for i in range(200)])
    with pytest.raises(DrawingError, match=f"at most {MAX_CHARACTERS} at once"):
        segment([bar(200 * i) for i in range(40)])


def test_nan_coordinates_are_refused() -> None:
    with pytest.raises(DrawingError, match="NaN"):
        segment([np.array([[0.0, 0.0], [np.nan, 1.0]])])
