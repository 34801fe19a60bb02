"""Issue 16 on the Datasets tab, driven as a person would: mouse, keyboard, the window's size.

Items 14 (a missing set, download errors, broken images, the Import dialog, mean-image
labels), 6 (the window never grows; a one-line message never squeezes the panels) and 13 (deleting
a drawing with Undo, names shown whole).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from tests.helpers.gui import click_row, thumbnail_rect


def right_click(widget, pos: QPoint) -> None:
    """A right-click as the window system delivers it: press, then the context-menu event."""
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QTest.mouseClick(widget, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)))


def make_collection(name: str, labels: str | list[str]) -> None:
    from core.datasets.collections import add_sample

    rng = np.random.default_rng(0)
    for label in labels:
        add_sample(name, label, rng.integers(0, 256, (28, 28)).astype(np.uint8))


# --- item 14 --------------------------------------------------------------------------------
def test_picking_a_missing_set_clears_the_previous_one_and_says_what_to_do(datasets_tab, qtbot):
    tab = datasets_tab
    assert tab.grid_view.model().rowCount() == 60_000
    click_row(tab, "emnist-letters")
    assert tab.current_name() == "emnist-letters"
    assert tab.grid_view.model().rowCount() == 0 and tab.sample_view.current_index() is None
    assert tab.current_dataset() is None and tab.charts.bar_heights().size == 0
    missing = tab.browser.missing
    assert missing.isVisible() and "not on this machine" in missing.message.text()
    assert missing.download_button.isVisible() and missing.import_button.isVisible()
    click_row(tab, "sign-mnist")  # import only: no Download offered
    assert not missing.download_button.isVisible() and missing.import_button.isVisible()
    with qtbot.waitSignal(tab.dataset_loaded, timeout=30_000):
        click_row(tab, "mnist")
    assert tab.grid_view.isVisible() and tab.grid_view.model().rowCount() == 60_000


def test_a_failed_download_says_what_happened_and_offers_import(datasets_tab, qtbot, monkeypatch):
    import pooch
    import requests

    def no_network(*_args, **_kwargs):
        raise requests.ConnectionError("HTTPSConnectionPool: Max retries exceeded")

    monkeypatch.setattr(pooch, "retrieve", no_network)
    tab = datasets_tab
    click_row(tab, "emnist-letters")
    qtbot.mouseClick(tab.browser.missing.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_downloading() and bool(tab.banner.text()), timeout=10_000)
    text = tab.banner.text()
    assert "no network connection" in text and "ConnectionError" not in text
    assert tab.banner.action_text() == "Import files…"
    qtbot.mouseClick(tab.banner.action_button, Qt.MouseButton.LeftButton)
    assert tab.import_dialog is not None and tab.import_dialog.isVisible()
    tab.import_dialog.reject()


def test_downloadable_is_not_hidden_behind_the_download_button(datasets_tab):
    row = datasets_tab.dataset_list.row_widget("emnist-letters")
    assert row.status.shown_text() == row.status.text() == "emnist-letters · downloadable"
    assert not row.status.geometry().intersects(row.download_button.geometry())


def test_broken_images_can_be_skipped_in_a_folder_import(datasets_tab, qtbot, tmp_path):
    folder = tmp_path / "shapes"
    rng = np.random.default_rng(1)
    for label in ("circle", "cross"):
        (folder / label).mkdir(parents=True)
        for i in range(3):
            ink = np.full((40, 40), 255, np.uint8)
            ink[10:30, 15 + i:20 + i] = 0
            Image.fromarray(ink).save(folder / label / f"{i}.png")
    (folder / "circle" / "a.png").write_bytes(b"not a png at all")
    (folder / "cross" / "b.png").write_bytes(rng.integers(0, 256, 50).astype(np.uint8).tobytes())
    dialog = datasets_tab.open_import()
    dialog.set_paths([folder])
    qtbot.waitUntil(lambda: dialog.skip_button.isVisible(), timeout=20_000)
    assert dialog.skipped_label.text() == "2 files could not be read: a.png, b.png"
    assert not dialog.add_button.isEnabled()
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert dialog.add_button.isEnabled()
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000) as loaded:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert loaded.args == ["shapes"] and datasets_tab.grid_view.model().rowCount() == 6


def test_the_import_dialog_reopens_empty(main_window, datasets_tab, qtbot, tmp_path, mnist):
    from gui.datasets.import_dialog import HINT

    train = mnist.splits["train"]
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=train.images[:50], y_train=train.labels[:50].astype(np.uint8))
    dialog = datasets_tab.open_import()
    dialog.set_paths([path])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    main_window.import_action.trigger()  # File > Import data set… (Ctrl+I)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.paths_label.text() == HINT and dialog.name_edit.text() == ""
    assert dialog.preview_label.text() == "" and dialog.thumbnails.count() == 1  # only the stretch
    assert not dialog.add_button.isEnabled()
    dialog.reject()


def test_long_class_names_under_the_mean_images_do_not_run_together(datasets_tab, qtbot):
    names = [f"a-long-class-name-{i}" for i in range(8)]
    make_collection("long-names", names)
    datasets_tab.refresh()
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        datasets_tab.select_dataset("long-names")
    labels = datasets_tab.charts._mean_labels
    rects = [item.mapRectToScene(item.boundingRect()) for item in labels]
    for left, right in zip(rects, rects[1:], strict=False):
        assert left.right() <= right.left() + 1, "labels overlap"
    assert all(item.toolTip() == name for item, name in zip(labels, names, strict=True))
    assert any("…" in text for text in datasets_tab.charts.mean_label_texts())


# --- item 6 ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_window_stays_1280_wide_and_a_banner_squeezes_nothing(main_window, datasets_tab, qtbot):
    main_window.resize(1280, 720)
    qtbot.waitUntil(lambda: main_window.width() == 1280)
    # What the window asks for while the load's progress line shows (1,235 px here before
    # the fix; with a real desktop's fonts that passed 1280 and the window grew to 1306).
    from PySide6.QtCore import QTimer

    asked = []
    timer = QTimer()
    timer.timeout.connect(lambda: asked.append(main_window.minimumSizeHint().width()))
    timer.start(20)
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=60_000):
        click_row(datasets_tab, "pendigits")
    timer.stop()
    qtbot.wait(50)
    assert main_window.width() == 1280
    assert asked and max(asked) <= 1000, f"the window asked for {max(asked)} px"
    # A message has its own line in the layout (issue 24: messages never cover a control):
    # a one-line message moves and squeezes nothing; a long one is shown whole, never wider.
    grid_height = datasets_tab.grid_view.height()
    datasets_tab.banner.show_error("A one-line message.")
    qtbot.wait(50)
    assert datasets_tab.banner.is_showing() and datasets_tab.grid_view.height() == grid_height
    main_window.show_error("And one for the whole window. " * 20)
    qtbot.wait(50)
    assert main_window.banner is datasets_tab.banner  # the window's messages use the tab's line
    assert main_window.width() == 1280
    datasets_tab.banner.clear()
    qtbot.wait(50)
    assert datasets_tab.grid_view.height() == grid_height


# --- item 13 --------------------------------------------------------------------------------
def test_delete_a_drawing_from_its_thumbnail_then_undo(datasets_tab, qtbot):
    from core.datasets.collections import collection_folder

    make_collection("my-symbols", "abc")
    folder = collection_folder("my-symbols")
    files_before = {p.name: p.read_bytes() for p in folder.iterdir()}
    datasets_tab.refresh()
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        click_row(datasets_tab, "my-symbols")
    grid = datasets_tab.grid_view
    rect = thumbnail_rect(qtbot, grid, 1)
    right_click(grid.viewport(), rect.center())
    menu = datasets_tab.browser._menu
    assert [a.text() for a in menu.actions()] == ["Delete this drawing"]
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        menu.actions()[0].trigger()
        menu.close()
    assert grid.model().rowCount() == 2
    assert datasets_tab.current_dataset().splits["train"].labels.tolist() == [0, 2]
    assert datasets_tab.banner.text().startswith("Deleted 1 drawing") and datasets_tab.banner.action_text() == "Undo"
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        qtbot.mouseClick(datasets_tab.banner.action_button, Qt.MouseButton.LeftButton)
    assert grid.model().rowCount() == 3
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files_before

    # The Delete key on the selected thumbnail does the same.
    rect = thumbnail_rect(qtbot, grid, 0)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert datasets_tab.current_dataset().splits["train"].labels.tolist() == [1, 2]


def test_built_in_samples_cannot_be_deleted(datasets_tab, qtbot):
    grid = datasets_tab.grid_view
    rect = thumbnail_rect(qtbot, grid, 0)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert grid.model().rowCount() == 60_000 and datasets_tab.banner.text() == ""


def test_the_list_shows_a_long_collection_name_whole_or_elided_in_the_middle(datasets_tab):
    make_collection("my-symbols-for-the-class", "a")
    datasets_tab.refresh()
    row = datasets_tab.dataset_list.row_widget("my-symbols-for-the-class")
    full = "my-symbols-for-the-class (my drawings)"
    assert row.title.text() == full and row.title.toolTip() == full
    shown = row.title.shown_text()
    assert shown == full or (shown.startswith("my-sym") and shown.endswith("drawings)") and "…" in shown)


def test_sixty_thousand_thumbnails_show_at_once_and_the_end_key_reaches_the_last(qtbot):
    """The grid lays out a large set in batches (showing MNIST's 60,000 froze the window a
    quarter of a second): the first thumbnails are there at once, and once laid out the
    keyboard still reaches the last sample and Home the first."""
    from gui.widgets.image_grid import ImageGrid

    grid = ImageGrid()
    qtbot.addWidget(grid)
    grid.resize(500, 400)
    grid.show()
    images = np.zeros((60_000, 28, 28), np.uint8)
    images[:, 10:18, 12:16] = 255
    labels = np.arange(60_000) % 10
    grid.thumbnails.set_samples(images, labels, tuple("0123456789"))
    grid.setCurrentIndex(grid.thumbnails.index(0))
    # Not all laid out inside the call (which froze the window): the rest comes turn by turn.
    assert not grid.visualRect(grid.thumbnails.index(59_999)).isValid()
    qtbot.waitUntil(lambda: grid.visualRect(grid.thumbnails.index(0)).isValid())
    first_rect = grid.visualRect(grid.thumbnails.index(0))
    assert grid.viewport().rect().contains(first_rect)  # the first thumbnail is on show
    qtbot.waitUntil(lambda: grid.visualRect(grid.thumbnails.index(59_999)).isValid(), timeout=10_000)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.currentIndex().row() == 59_999
    assert grid.viewport().rect().intersects(grid.visualRect(grid.currentIndex()))  # scrolled to it
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    assert grid.currentIndex().row() == 0 and grid.viewport().rect().contains(grid.visualRect(grid.currentIndex()))
