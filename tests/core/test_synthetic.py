"""Synthetic training data: distorted pen digits, synthetic letters, scan-like pages."""

from __future__ import annotations

import numpy as np
import pytest

from core.datasets.letter_fonts import LetterSource, hershey_sources, ttf_sources
from core.datasets.readers.unipen import load_pendigits_strokes
from core.datasets.synthetic import (
    LOWER,
    UPPER,
    distort_strokes,
    pen_digit_split,
    render_distorted,
    render_letter,
    synthetic_letters,
    to_scan,
)
from core.errors import DrawingError
from core.imaging import image_to_input, render_strokes
from core.labels import LETTERS


@pytest.fixture(scope="module")
def pen_samples(shared_data):
    samples = load_pendigits_strokes(shared_data / "pendigits")
    return samples[:40]


def _valid(images: np.ndarray) -> None:
    assert images.dtype == np.uint8 and images.shape[1:] == (28, 28)
    ink = images.reshape(len(images), -1).max(axis=1)
    assert (ink > 200).all(), "every image has strong ink"


def test_distort_strokes_keeps_shape_and_extra_columns():
    rng = np.random.default_rng(0)
    strokes = [np.array([[0, 0, 0.5], [10, 20, 0.6], [20, 0, 0.7]], float), np.array([[5, 10, 0.5]], float)]
    out = distort_strokes(strokes, rng)
    assert [s.shape for s in out] == [(3, 3), (1, 3)]
    np.testing.assert_array_equal(out[0][:, 2], strokes[0][:, 2])  # pressure untouched
    assert not np.allclose(out[0][:, :2], strokes[0][:, :2])
    with pytest.raises(DrawingError):
        distort_strokes([], rng)


def test_distorted_renders_differ_but_stay_close_to_the_clean_one(pen_samples):
    strokes = pen_samples[0].strokes
    clean = render_strokes(strokes, y_up=True)
    rng = np.random.default_rng(1)
    renders = [render_distorted(strokes, rng, y_up=True) for _ in range(5)]
    for img in renders:
        assert img.shape == (28, 28) and img.dtype == np.float32
        assert 0 <= img.min() and img.max() <= 1 and img.max() > 0.5
        assert not np.array_equal(img, clean)
        # Same digit, a different hand: strongly correlated with the clean rendering.
        assert np.corrcoef(img.ravel(), clean.ravel())[0, 1] > 0.4


def test_pen_digit_split_labels_writers_and_determinism(pen_samples):
    split = pen_digit_split(pen_samples, 3, seed=7)
    assert len(split) == 3 * len(pen_samples)
    _valid(split.images)
    np.testing.assert_array_equal(split.labels, np.repeat([s.label for s in pen_samples], 3))
    np.testing.assert_array_equal(split.groups, np.repeat([s.writer for s in pen_samples], 3))
    # The first copy of each sample is exactly the pad's rendering.
    clean = (render_strokes(pen_samples[0].strokes, y_up=True) * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(split.images[0], clean)
    again = pen_digit_split(pen_samples, 3, seed=7)
    np.testing.assert_array_equal(split.images, again.images)
    other = pen_digit_split(pen_samples, 3, seed=8)
    assert not np.array_equal(split.images, other.images)


@pytest.mark.slow
def test_letters_cover_all_classes_in_both_cases_and_are_deterministic():
    sources = hershey_sources(["futural"]) + ttf_sources()[:1]
    assert sources, "hershey-fonts must be installed"
    letters = synthetic_letters(2, sources=sources, seed=3)
    split = letters.split
    _valid(split.images)
    for case in (UPPER, LOWER):
        assert set(split.labels[letters.case == case].tolist()) == set(range(26))
    assert set(split.groups.tolist()) == set(range(len(sources)))
    again = synthetic_letters(2, sources=sources, seed=3)
    np.testing.assert_array_equal(split.images, again.split.images)
    np.testing.assert_array_equal(split.labels, again.split.labels)
    assert len(LETTERS) == 26 and LETTERS[0] == "A"


def test_letter_labels_are_the_right_letters():
    """A clean Hershey 'O' looks more like an 'o' (same label) than an 'X'; an 'I' is a bar."""
    source = LetterSource("futural", "hershey")
    rng = np.random.default_rng(0)
    big_o = render_letter(source, "O", rng, distort=False)
    small_o = render_letter(source, "o", rng, distort=False)
    big_x = render_letter(source, "X", rng, distort=False)
    assert np.corrcoef(big_o.ravel(), small_o.ravel())[0, 1] > np.corrcoef(big_o.ravel(), big_x.ravel())[0, 1]
    letters = synthetic_letters(1, sources=[source], seed=0, distort=False)
    o_images = letters.split.images[letters.split.labels == LETTERS.index("O")]
    assert len(o_images) == 2  # "O" and "o"
    i_bar = render_letter(source, "I", rng, distort=False)
    assert (i_bar.sum(axis=0) > 0).sum() < 8  # a thin vertical bar


def test_font_glyphs_are_restroked_to_pen_width():
    sources = ttf_sources()
    if not sources:
        pytest.skip("no handwriting font packages installed")
    rng = np.random.default_rng(0)
    for source in sources[:3]:
        for char in "Ea":
            img = render_letter(source, char, rng)
            assert img is not None and img.shape == (28, 28)
            # Pad strokes at pen width 2.4 cover roughly 60..250 of 784 pixels above half ink.
            assert 30 < (img > 0.5).sum() < 330


def test_to_scan_goes_back_through_the_image_path(mnist):
    rng = np.random.default_rng(0)
    digit = mnist.split("test").images[0]
    page = to_scan(digit, rng)
    assert page.dtype == np.uint8 and page.shape == (300, 400)
    assert page.mean() > 150  # light paper, small dark digit
    back = image_to_input(page)
    assert back.shape == (28, 28)
    assert np.corrcoef(back.ravel(), digit.ravel() / 255.0)[0, 1] > 0.8
