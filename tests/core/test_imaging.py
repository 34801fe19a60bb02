"""The one stroke/image -> 28x28 pipeline: what a model sees must look like MNIST."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from core.errors import DrawingError
from core.imaging import (
    PREPROCESS_VERSION,
    check_drawing_size,
    image_to_input,
    load_strokes_json,
    mnist_normalize,
    reframe_images,
    render_strokes,
    strokes_to_json,
    to_uint8,
)

YY, XX = np.mgrid[:28, :28]


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    mass = img.sum()
    return float((img * YY).sum() / mass), float((img * XX).sum() / mass)


def ink_box(img: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    """(height, width) of the pixels above ``level``."""
    rows, cols = np.flatnonzero((img > level).any(1)), np.flatnonzero((img > level).any(0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def ellipse(cx=100.0, cy=100.0, rx=50.0, ry=80.0, n=80) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n)
    return np.c_[cx + rx * np.cos(t), cy + ry * np.sin(t)]


# A seven in screen coordinates (y down): a bar at the top, a stem down to the lower left.
SEVEN = [np.array([[10.0, 10.0], [90.0, 10.0], [40.0, 150.0]])]


def test_output_is_float_28x28_in_unit_range_white_on_black():
    img = render_strokes([ellipse()])
    assert img.shape == (28, 28) and img.dtype == np.float32
    assert img.min() == 0.0 and img.max() == pytest.approx(1.0)
    assert img[0].sum() == 0 and img[:, 0].sum() == 0  # black background
    assert isinstance(PREPROCESS_VERSION, int)


@pytest.mark.parametrize("strokes", [[ellipse()], SEVEN, [ellipse(rx=20, ry=5)]])
def test_centre_of_mass_lands_on_14_14_and_longer_side_is_20(strokes):
    img = render_strokes(strokes)
    cy, cx = centre_of_mass(img)
    assert abs(cy - 14) <= 0.75 and abs(cx - 14) <= 0.75
    assert max(ink_box(img)) == 20


def test_aspect_ratio_is_kept_a_tall_one_stays_tall():
    one = [np.array([[50.0, 0.0], [52.0, 100.0]])]
    h, w = ink_box(render_strokes(one), level=0.3)
    assert h >= 19 and w <= 5
    wide = ink_box(render_strokes([ellipse(rx=80, ry=40)]))
    assert wide[1] == 20 and 9 <= wide[0] <= 13  # 2:1, plus the pen's width on both


def test_y_up_flips_the_drawing():
    down = render_strokes(SEVEN)
    up = render_strokes(SEVEN, y_up=True)
    # In screen coordinates the seven's bar (the widest row) is at the top; with y up the
    # same numbers put it at the bottom.
    assert (down > 0.5).sum(axis=1).argmax() < 10
    assert (up > 0.5).sum(axis=1).argmax() > 18
    # Mirror images, up to the whole-pixel rounding of the centring.
    flipped = np.flipud(down)
    best = max(np.corrcoef(np.roll(flipped, shift, axis=0).ravel(), up.ravel())[0, 1] for shift in (-1, 0, 1))
    assert best > 0.9


def test_pen_width_is_relative_to_the_drawing_size():
    small = render_strokes([ellipse(rx=10, ry=16)] + SEVEN)
    big = render_strokes([ellipse(rx=50, ry=80)] + [s * 5 for s in SEVEN])
    assert small.shape == big.shape
    small_scaled = render_strokes([ellipse(rx=10, ry=16) * 5] + [s * 5 for s in SEVEN])
    assert np.abs(small_scaled - render_strokes([ellipse(rx=10, ry=16)] + SEVEN)).max() < 0.02
    # A five-times-larger drawing in a shifted place gives the same image.
    base = [ellipse(cx=30, cy=30, rx=10, ry=16)]
    scaled = [ellipse(cx=500, cy=700, rx=50, ry=80)]
    assert np.abs(render_strokes(base) - render_strokes(scaled)).max() < 0.05


def test_pen_width_parameter_and_pressure_change_the_stroke_width():
    stroke = ellipse()
    thin, thick = render_strokes([stroke], pen_width=1.5), render_strokes([stroke], pen_width=4)
    assert thick.sum() > 1.8 * thin.sum()
    light = render_strokes([np.c_[stroke, np.full(len(stroke), 0.1)]])
    firm = render_strokes([np.c_[stroke, np.full(len(stroke), 0.9)]])
    assert firm.sum() > 1.5 * light.sum()
    varying = render_strokes([np.c_[stroke, np.linspace(0, 1, len(stroke))]])
    assert light.sum() < varying.sum() < firm.sum()


def test_default_stroke_width_resembles_mnist(mnist):
    """Mean intensity and ink area of a rendered zero are in MNIST's range for a zero."""
    zeros = mnist.split("train").images[mnist.split("train").labels == 0][:500] / 255.0
    img = render_strokes([ellipse(rx=55, ry=80)])
    assert 0.6 * zeros.mean() < img.mean() < 1.4 * zeros.mean()


def test_a_dot_gives_a_small_centred_blob_and_a_line_a_centred_bar():
    dot = render_strokes([[[5.0, 5.0]]])
    assert 1 <= max(ink_box(dot)) <= 4
    assert centre_of_mass(dot) == pytest.approx((14, 14), abs=0.75)
    same_point = render_strokes([np.array([[3.0, 4.0], [3.0, 4.0], [3.0, 4.0]])])
    assert np.array_equal(dot, same_point)
    bar = render_strokes([[[0.0, 0.0], [100.0, 0.0]]])
    h, w = ink_box(bar)
    assert w == 20 and h <= 4
    assert centre_of_mass(bar) == pytest.approx((14, 14), abs=0.75)
    vertical = render_strokes([[[7.0, 0.0], [7.0, 30.0]]])
    assert ink_box(vertical)[0] == 20 and ink_box(vertical)[1] <= 4


def test_several_strokes_and_dots_are_all_drawn():
    i_letter = [np.array([[50.0, 40.0], [50.0, 120.0]]), np.array([[50.0, 10.0]])]
    img = render_strokes(i_letter)
    column = img[:, 12:17].sum(axis=1)
    # The dot is separated from the stem by a gap of black rows.
    lit = np.flatnonzero(column > 0)
    assert len(lit) < lit[-1] - lit[0] + 1


@pytest.mark.parametrize(
    "strokes",
    [[], [[]], [np.zeros((0, 2))], None],
)
def test_nothing_drawn_is_a_drawing_error(strokes):
    with pytest.raises(DrawingError, match="empty: nothing drawn"):
        render_strokes(strokes)


@pytest.mark.parametrize(
    "strokes",
    [
        [[[0.0, 0.0], [np.nan, 5.0]]],
        [[[0.0, 0.0], [np.inf, 5.0]]],
        [[[0.0, 0.0, 0.0, 0.0]]],
        [[["a", "b"]]],
        42,
    ],
)
def test_bad_coordinates_are_a_drawing_error(strokes):
    with pytest.raises(DrawingError):
        render_strokes(strokes)


def test_bad_pen_width_is_a_drawing_error():
    with pytest.raises(DrawingError, match="pen width"):
        render_strokes([ellipse()], pen_width=0)
    with pytest.raises(DrawingError, match="pen width"):
        render_strokes([ellipse()], pen_width=float("nan"))


def test_to_uint8_is_what_data_sets_store():
    img = render_strokes([ellipse()])
    stored = to_uint8(img)
    assert stored.dtype == np.uint8 and stored.max() == 255
    assert np.abs(stored / 255.0 - img).max() <= 0.5 / 255 + 1e-6


# --------------------------------------------------------------------------------------
# images


def test_mnist_images_pass_through_nearly_unchanged(mnist):
    test = mnist.split("test").images[:200]
    for raw in test:
        out = image_to_input(raw)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert np.corrcoef(raw.ravel() / 255.0, out.ravel())[0, 1] > 0.9
    # 0..1 floats, 0..255 floats and a PIL image are all the same picture.
    raw = test[0]
    expected = image_to_input(raw)
    for variant in (raw / 255.0, raw.astype(np.float64), Image.fromarray(raw), raw[:, :, None]):
        assert np.abs(image_to_input(variant) - expected).max() < 0.01


def test_dark_ink_on_light_paper_is_inverted_light_on_dark_kept(mnist, tmp_path):
    raw = mnist.split("test").images[1]
    reference = image_to_input(raw)
    paper = 255 - raw
    assert np.corrcoef(image_to_input(paper).ravel(), reference.ravel())[0, 1] > 0.95
    # As an RGB file on disk, enlarged and placed small on a grey-white page with noise.
    big = np.asarray(Image.fromarray(paper).resize((168, 168), Image.Resampling.BILINEAR), np.float32)
    page = np.full((900, 700), 255.0, np.float32)
    page[200:368, 300:468] = big
    rng = np.random.default_rng(1)
    page = np.clip(page * 0.8 + 30 + rng.normal(0, 6, page.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "scan.png"
    Image.fromarray(np.stack([page] * 3, axis=-1)).save(path)
    out = image_to_input(path)
    assert out.max() > 0.9  # contrast stretched: grey ink on grey paper becomes white on black
    assert out[0].sum() == 0 and out[:, 0].sum() == 0  # background is black after inversion
    assert max(ink_box(out)) == 20
    assert np.corrcoef(out.ravel(), reference.ravel())[0, 1] > 0.8


def test_transparent_png_with_dark_ink(tmp_path, mnist):
    raw = mnist.split("test").images[2]
    rgba = np.zeros((56, 56, 4), np.uint8)  # black ink, shape given by alpha only
    rgba[..., 3] = np.asarray(Image.fromarray(raw).resize((56, 56)))
    path = tmp_path / "ink.png"
    Image.fromarray(rgba).save(path)
    out = image_to_input(path)
    assert np.corrcoef(out.ravel(), image_to_input(raw).ravel())[0, 1] > 0.85


def test_stroke_rendering_and_image_path_agree():
    drawn = render_strokes([ellipse()])
    big = np.asarray(Image.fromarray(to_uint8(drawn)).resize((280, 280), Image.Resampling.BILINEAR))
    assert np.corrcoef(image_to_input(255 - big).ravel(), drawn.ravel())[0, 1] > 0.9


def test_mnist_normalize_on_any_gray_image():
    canvas = np.zeros((300, 500), np.float32)
    canvas[50:250, 100:140] = 1.0  # a tall bar off-centre
    out = mnist_normalize(canvas)
    assert ink_box(out) == (20, 4)
    assert centre_of_mass(out) == pytest.approx((14, 14), abs=0.75)
    with pytest.raises(DrawingError, match="empty"):
        mnist_normalize(np.zeros((10, 10)))


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((28, 28), np.uint8),
        np.full((28, 28), 255, np.uint8),
        np.full((300, 200, 3), 0.5),
        np.full((40, 40), 7.0),
        np.zeros((0, 10)),
    ],
)
def test_empty_or_constant_images_are_a_drawing_error(image):
    with pytest.raises(DrawingError, match="empty"):
        image_to_input(image)


def test_bad_images_are_a_drawing_error(tmp_path):
    not_image = tmp_path / "notes.png"
    not_image.write_text("not a picture")
    with pytest.raises(DrawingError, match="notes.png"):
        image_to_input(not_image)
    with pytest.raises(DrawingError, match="not found"):
        image_to_input(tmp_path / "missing.png")
    nan = np.zeros((28, 28))
    nan[3, 3] = np.nan
    with pytest.raises(DrawingError, match="NaN"):
        image_to_input(nan)
    with pytest.raises(DrawingError):
        image_to_input(np.zeros((4, 4, 7)))


def test_huge_image_works():
    page = np.full((8000, 8000), 250, np.uint8)
    page[2000:5000, 3000:3120] = 20  # a dark "1", 3000 px tall
    page[1000, 500] = 0  # one speck of dust far away
    out = image_to_input(page)
    h, w = ink_box(out, level=0.2)
    assert h == 20 and w <= 3
    assert centre_of_mass(out) == pytest.approx((14, 14), abs=0.75)


def test_small_character_on_huge_page_keeps_its_detail():
    page = np.full((6000, 6000), 255, np.uint8)
    yy, xx = np.mgrid[:120, :120]
    ring = np.abs(np.hypot(yy - 60, xx - 60) - 50) < 5  # a 0, 10 px thick, 120 px wide
    page[3000:3120, 1000:1120][ring] = 0
    out = image_to_input(page)
    assert max(ink_box(out)) == 20
    assert out[14, 14] < 0.05 and out.max() == pytest.approx(1.0)  # the hole stays open


# --------------------------------------------------------------------------------------
# stroke JSON


def test_stroke_json_roundtrip_with_and_without_pressure(tmp_path):
    strokes = [np.array([[1.5, 2.0], [3.0, 4.25]]), np.array([[7.0, 8.0, 0.5]])]
    obj = strokes_to_json(strokes)
    assert obj["strokes"] == [[[1.5, 2.0], [3.0, 4.25]], [[7.0, 8.0]]]
    assert obj["pressure"] == [None, [0.5]]
    back = load_strokes_json(obj)
    assert len(back) == 2 and back[0].shape == (2, 2) and back[1].shape == (1, 3)
    assert np.allclose(back[0], strokes[0]) and np.allclose(back[1], strokes[1])
    path = tmp_path / "drawing.json"
    path.write_text(json.dumps(strokes_to_json([strokes[0]])))
    assert "pressure" not in json.loads(path.read_text())
    assert np.allclose(load_strokes_json(path)[0], strokes[0])
    assert np.allclose(load_strokes_json(str(path))[0], strokes[0])


def test_stroke_json_pressure_as_third_value_is_used():
    light = load_strokes_json({"strokes": [[[x, 50 * np.sin(x / 9), 0.1] for x in range(0, 100, 5)]]})
    firm = load_strokes_json({"strokes": [[[x, 50 * np.sin(x / 9), 0.9] for x in range(0, 100, 5)]]})
    assert render_strokes(firm).sum() > 1.5 * render_strokes(light).sum()


@pytest.mark.parametrize(
    "obj",
    [
        [],
        {"points": []},
        {"strokes": "abc"},
        {"strokes": [[[1, 2], [3]]]},
        {"strokes": [[[1, "x"]]]},
        {"strokes": [[[1, True]]]},
        {"strokes": [[[1, 2], [3, 4, 0.5]]]},
        {"strokes": [[1, 2]]},
        {"strokes": [[[1, 2]]], "pressure": [[0.5, 0.6]]},
        {"strokes": [[[1, 2]]], "pressure": "high"},
    ],
)
def test_malformed_stroke_json_is_a_drawing_error(obj):
    with pytest.raises(DrawingError):
        load_strokes_json(obj)


def test_malformed_stroke_json_file_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"strokes": [[[1, 2]')
    with pytest.raises(DrawingError, match="broken.json"):
        load_strokes_json(path)
    with pytest.raises(DrawingError, match="not found"):
        load_strokes_json(tmp_path / "nope.json")


def test_empty_stroke_json_loads_but_does_not_render():
    assert load_strokes_json({"strokes": []}) == []
    with pytest.raises(DrawingError, match="empty"):
        render_strokes(load_strokes_json({"strokes": [[]]}))


def test_drawings_too_small_for_their_area_are_refused() -> None:
    wobble = [np.array([[100, 100, 0.5, 0], [103, 102, 0.5, 1], [101, 104, 0.5, 2]], np.float32)]
    with pytest.raises(DrawingError, match="too small"):
        check_drawing_size(wobble, area_side=500)
    check_drawing_size(wobble, area_side=100)  # 4 px of 100 px is a (small) drawing
    a_one = [np.array([[250, 100], [250, 130]], np.float64)]  # thin but 30 px tall: fine
    check_drawing_size(a_one, area_side=500)
    with pytest.raises(DrawingError, match="empty"):
        check_drawing_size([np.zeros((0, 4))], area_side=500)


def test_reframing_a_set_matches_the_recipe_image_by_image(mnist) -> None:
    """The vectorised re-framing of a whole set gives what mnist_normalize gives each image."""
    from bench.framing import emnist_style

    digits = mnist.split("test").images[:1500]
    emnist_framed = np.stack([emnist_style(image) for image in digits])  # 24 px, box-centred
    blank = np.zeros((3, 28, 28), np.uint8)
    for images in (digits, np.concatenate([emnist_framed, blank])):
        expected = np.stack([to_uint8(mnist_normalize(i)) if i.any() else np.zeros((28, 28), np.uint8)
                             for i in images])
        got = reframe_images(images)
        assert got.dtype == np.uint8 and got.shape == images.shape
        difference = np.abs(got.astype(int) - expected.astype(int))
        assert difference.max() <= 1 and (difference > 0).mean() < 1e-4  # float rounding only
    assert not got[-3:].any()  # empty images stay empty
    assert not reframe_images(blank).any() and reframe_images(blank[:0]).shape == (0, 28, 28)


def test_reframing_reports_progress_and_stops_when_cancelled(mnist) -> None:
    from core.errors import Cancelled
    from core.progress import CancelToken

    images = mnist.split("test").images[:5000]
    reports = []
    reframe_images(images, lambda done, total, message: reports.append((done, total)))
    assert reports[0] == (0, 5000) and reports[-1] == (5000, 5000)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        reframe_images(images, cancel=token)


def test_tail_percentiles_are_numpys_own() -> None:
    """The fast percentile for image ends gives np.percentile's values, ties and all."""
    from core.imaging.images import _tail_percentiles

    rng = np.random.default_rng(0)
    cases = [
        rng.random((600, 450), dtype=np.float32),
        (rng.integers(0, 256, (450, 600)) / 255.0).astype(np.float32),  # many ties, as a scan
        np.where(rng.random((500, 500)) < 0.002, 0.1, 0.9).astype(np.float32),  # a tiny dark tail
        np.full((300, 300), 0.5, np.float32),
        rng.random((20, 20), dtype=np.float32),  # small: numpy itself
    ]
    for a in cases:
        qs = (0.5, 99.5)
        np.testing.assert_allclose(_tail_percentiles(a, qs), np.percentile(a, qs), rtol=0, atol=1e-6)


def test_a_large_colour_photo_reads_as_before() -> None:
    """Large pictures are analysed on their ink region only: same 28x28 as the whole-image path."""
    from core.imaging.images import _gray, _InkLevels, _reduce_to

    rng = np.random.default_rng(3)
    page = np.full((900, 1200, 3), (235, 225, 190), np.float32) + rng.normal(0, 6, (900, 1200, 3))
    page[300:560, 500:540] = (40, 50, 140)  # a blue "1"
    page[300:330, 460:540] = (40, 50, 140)
    image = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    result = image_to_input(image)
    # The whole-image path, spelled out: stretch every pixel, then find the ink.
    gray = _gray(_reduce_to(image, 1024))
    levels = _InkLevels(gray, "image")
    whole = levels.apply(gray)
    region = levels.ink_region(gray)
    inside = np.zeros_like(whole, bool)
    inside[region] = True
    assert not whole[~inside].any()  # nothing the stretch keeps lies outside the region
    np.testing.assert_array_equal(levels.apply(gray[region]), whole[region])
    assert result.shape == (28, 28) and result.max() == pytest.approx(1.0, abs=0.05)


def test_a_photo_taken_sideways_is_read_upright(tmp_path) -> None:
    """A phone stores a portrait photo sideways with an EXIF orientation tag: read it as shown."""
    from PIL import Image, ImageDraw

    from core.imaging import image_to_input

    upright = Image.new("L", (300, 400), 235)
    ImageDraw.Draw(upright).line([(150, 60), (150, 340)], fill=20, width=24)  # a "1": tall, thin
    ImageDraw.Draw(upright).line([(150, 60), (105, 110)], fill=20, width=20)
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    sideways.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    upright.save(tmp_path / "upright.png")
    seen = image_to_input(tmp_path / "photo.jpg")
    assert np.abs(seen - image_to_input(tmp_path / "upright.png")).max() < 0.2  # JPEG's own noise
    rows, cols = np.flatnonzero(seen.any(axis=1)), np.flatnonzero(seen.any(axis=0))
    assert np.ptp(rows) > 2 * np.ptp(cols)  # tall, as the photo is shown, not lying on its side
