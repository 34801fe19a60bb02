"""The Datasets tab as a user drives it: pick a set, filter, click a sample, download, import."""

from __future__ import annotations

import gzip
import os
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.errors import Cancelled
from tests.helpers.gui import dataset_row_names, thumbnail_rect


def test_mnist_is_listed_loaded_and_browsable(datasets_tab, qtbot, mnist):
    tab = datasets_tab
    assert "mnist" in dataset_row_names(tab) and tab.current_name() == "mnist"
    assert tab.current_split_name() == "train"
    model = tab.grid_view.model()
    assert model.rowCount() == 60_000

    train = mnist.splits["train"]
    assert np.array_equal(tab.charts.bar_heights(), train.class_counts(10))
    assert len(tab.charts.bar_heights()) == 10

    tab.set_class_filter("3")
    assert model.rowCount() == int((train.labels == 3).sum())

    row = 7
    rect = thumbnail_rect(qtbot, tab.grid_view, row)
    qtbot.mouseClick(tab.grid_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    sample = tab.grid_view.thumbnails.sample_index(row)
    assert tab.sample_view.current_index() == sample
    assert tab.sample_view.current_label() == "3" == str(train.labels[sample])
    assert np.array_equal(tab.sample_view.grid.image(), train.images[sample])

    tab.set_split("test")
    assert model.rowCount() == int((mnist.splits["test"].labels == 3).sum())
    tab.set_class_filter(None)
    assert model.rowCount() == 10_000


@pytest.mark.slow
def test_pendigits_loads(datasets_tab, qtbot):
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=60_000) as loaded:
        datasets_tab.select_dataset("pendigits")
    assert loaded.args == ["pendigits"]
    datasets_tab.set_split("train")
    assert datasets_tab.grid_view.model().rowCount() == 7_494


@pytest.mark.slow
def test_corrupt_data_set_shows_an_inline_error(tmp_path, monkeypatch, qtbot, shared_data):
    from gui.main_window import MainWindow

    bad = tmp_path / "mnist"
    bad.mkdir()
    for name in os.listdir(shared_data / "mnist"):
        (bad / name).write_bytes((shared_data / "mnist" / name).read_bytes())
    whole = gzip.decompress((bad / "train-images-idx3-ubyte.gz").read_bytes())
    (bad / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(whole[: len(whole) // 2]))
    monkeypatch.setenv("INKLAB_DATA_PATH", f"{tmp_path}{os.pathsep}{shared_data}")

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    tab = window.datasets_tab
    qtbot.waitUntil(lambda: "truncated" in tab.banner.text(), timeout=30_000)
    assert "train-images" in tab.banner.text()
    assert tab.current_dataset() is None and not tab.is_busy()

    # Still usable: once the good copy is the one found, the same set loads.
    monkeypatch.setenv("INKLAB_DATA_PATH", str(shared_data))
    tab.refresh()
    qtbot.waitUntil(lambda: tab.current_dataset() is not None, timeout=30_000)
    assert tab.grid_view.model().rowCount() == 60_000
    window.close()


def test_download_shows_progress_and_cancel_returns_to_usable(datasets_tab, qtbot, monkeypatch):
    from core.datasets import download

    started = threading.Event()

    def fake_download(name, progress=None, cancel=None):
        progress(25, 100, f"Fetching {name}")
        started.set()
        while not cancel.cancelled:
            cancel._event.wait(0.05)
        raise Cancelled()

    monkeypatch.setattr(download, "download_dataset", fake_download)
    tab = datasets_tab
    row = dataset_row_names(tab).index("emnist-letters")
    button = tab.dataset_list.itemWidget(tab.dataset_list.item(row)).download_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.download_panel.value() == 250)
    assert tab.download_panel.isVisible() and "emnist-letters" in tab.download_panel.text()

    qtbot.mouseClick(tab.download_panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_downloading())
    assert not tab.download_panel.isVisible()
    assert "cancelled" in tab.banner.text()
    with qtbot.waitSignal(tab.dataset_loaded, timeout=30_000):
        tab.select_dataset("mnist")


def test_failed_download_shows_its_message(datasets_tab, qtbot, monkeypatch):
    from core.datasets import download
    from core.errors import DataError

    def failing(name, progress=None, cancel=None):
        raise DataError("checksum mismatch for emnist.zip")

    monkeypatch.setattr(download, "download_dataset", failing)
    datasets_tab.start_download("emnist-letters")
    qtbot.waitUntil(lambda: not datasets_tab.is_downloading())
    assert "checksum mismatch" in datasets_tab.banner.text()


def test_import_npz_preview_then_add(datasets_tab, qtbot, tmp_path, mnist, monkeypatch):
    from core.datasets import import_preview

    reads = []
    real_preview = import_preview.preview_import
    monkeypatch.setattr(import_preview, "preview_import", lambda *a, **k: reads.append(a) or real_preview(*a, **k))
    train, test = mnist.splits["train"], mnist.splits["test"]
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=train.images[:300], y_train=train.labels[:300].astype(np.uint8),
             x_test=test.images[:100], y_test=test.labels[:100].astype(np.uint8))
    dialog = datasets_tab.open_import()
    dialog.set_paths([path])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    assert "300" in dialog.preview_label.text()
    dialog.name_edit.setText("tiny")
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000) as loaded:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert loaded.args == ["tiny"]
    assert "tiny" in dataset_row_names(datasets_tab)
    assert datasets_tab.grid_view.model().rowCount() == 300
    assert len(reads) == 1  # Add saved what the preview had parsed; the files were read once


def test_a_slow_first_load_shows_progress_and_moving_on_cancels_it(datasets_tab, qtbot, monkeypatch):
    """EMNIST's first load re-frames every letter (seconds): the tab says so, and picking
    another set stops it instead of making the user wait."""
    from core import storage
    from tests.helpers.datasets import install_fake_emnist, slow_reframing

    install_fake_emnist(40_000)
    slow_reframing(monkeypatch)  # ~8 s in all unless cancelled
    datasets_tab.refresh()
    datasets_tab.select_dataset("emnist-letters")
    qtbot.waitUntil(lambda: "Framing" in datasets_tab.busy.text(), timeout=30_000)
    assert datasets_tab.busy.total() == 40_000
    datasets_tab.select_dataset("mnist")
    qtbot.waitUntil(lambda: not datasets_tab.is_busy() and datasets_tab.current_dataset() is not None
                    and datasets_tab.current_dataset().name == "mnist", timeout=30_000)
    assert not list(storage.subdir("cache").glob("emnist-letters-*"))  # stopped before it finished
