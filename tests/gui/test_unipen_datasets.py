"""The UNIPEN sets in the Datasets tab: listed, available, browsable as thumbnails; or, when
the archive is absent, saying what it is and where it is published."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.datasets.unipen_sets import ARCHIVE
from tests.helpers.gui import dataset_row_names
from tests.helpers.unipen import write_archive


@pytest.fixture
def unipen_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> Path:
    """A data root with a tiny UNIPEN archive, ahead of the real data (MNIST, the default set)."""
    root = tmp_path / "data"
    write_archive(root / "unipen" / ARCHIVE)
    monkeypatch.setenv("INKLAB_DATA_PATH", f"{root}{os.pathsep}{shared_data}")
    return root


def test_unipen_letters_lists_loads_and_shows_thumbnails(unipen_root, main_window, qtbot) -> None:
    tab = main_window.datasets_tab
    qtbot.waitUntil(lambda: tab.current_dataset() is not None, timeout=30_000)
    names = dataset_row_names(tab)
    assert {"unipen-digits", "unipen-upper", "unipen-lower", "unipen-letters"} <= set(names)
    row = tab.dataset_list.row_widget("unipen-letters")
    assert row.status.isEnabled() and "26 classes" in row.status.text()  # available, not greyed

    with qtbot.waitSignal(tab.dataset_loaded, timeout=60_000) as loaded:
        tab.select_dataset("unipen-letters")
    assert loaded.args == ["unipen-letters"]
    assert "writers" in tab.details.text() and "zenodo.1195803" in tab.details.text()
    dataset = tab.current_dataset()
    model = tab.grid_view.model()
    assert model.rowCount() == len(dataset.split(tab.current_split_name()))
    thumbnail = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert not thumbnail.isNull()
    image = thumbnail.toImage()
    assert any(image.pixelColor(x, y).value() > 128 for x in range(image.width()) for y in range(image.height()))
    assert model.data(model.index(0), Qt.ItemDataRole.DisplayRole) in dataset.label_names

    tab.set_split("test")  # the writers held out: their own split
    assert model.rowCount() == len(dataset.splits["test"]) > 0
    assert np.isin(dataset.splits["test"].groups % 5, [0]).all()


def test_a_missing_archive_says_where_it_is_published(main_window, qtbot, monkeypatch, shared_data) -> None:
    tab = main_window.datasets_tab
    qtbot.waitUntil(lambda: tab.current_dataset() is not None, timeout=30_000)
    assert "unipen-digits" in dataset_row_names(tab)
    monkeypatch.setenv("INKLAB_DATA_PATH", str(shared_data / "mnist"))  # a data root without unipen/
    tab.refresh()
    tab.select_dataset("unipen-digits")
    assert "Not on this machine" in tab.details.text() and "zenodo.1195803" in tab.details.text()
    assert tab.browser.centre_stack.currentWidget() is tab.browser.missing
    assert "zenodo.1195803" in tab.browser.missing.message.text()
    assert tab.browser.missing.import_button.isVisibleTo(tab.browser.missing)


def test_import_dialog_takes_stroke_jsonl_and_says_what_is_wrong(datasets_tab, qtbot, tmp_path, user_data_dir) -> None:
    import json

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"label": "a", "strokes": [[[0, 0], [5, 9]]]}) + "\n" + json.dumps({"strokes": []}) + "\n")
    dialog = datasets_tab.open_import()
    dialog.set_paths([bad])
    qtbot.waitUntil(lambda: bool(dialog.banner.text()), timeout=20_000)
    assert 'bad.jsonl:2: no "label"' in dialog.banner.text()
    assert not dialog.add_button.isEnabled()
    assert not (user_data_dir / "imported" / "bad").exists()

    good = tmp_path / "strokes.jsonl"
    good.write_text("".join(json.dumps({"label": label, "strokes": [[[0, 0], [5 + i, 9], [9, 2 * i]]], "writer": i})
                            + "\n" for i, label in enumerate("aAbB")))
    dialog.reset()
    dialog.set_paths([good])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    assert "stroke JSONL" in dialog.preview_label.text() and "Classes (26)" in dialog.preview_label.text()
    assert dialog.name_edit.text() == "strokes"
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000) as loaded:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert loaded.args == ["strokes"]
    assert datasets_tab.grid_view.model().rowCount() == 4
    assert sorted(set(datasets_tab.current_dataset().splits["train"].groups.tolist())) == [0, 1, 2, 3]


def test_import_dialog_installs_the_unipen_archive(datasets_tab, qtbot, tmp_path, user_data_dir) -> None:
    archive = tmp_path / "download" / ARCHIVE
    write_archive(archive)
    dialog = datasets_tab.open_import()
    dialog.set_paths([archive])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=60_000)
    assert dialog.name_edit.text() == "unipen-letters"  # the built-in these files complete
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=60_000) as loaded:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert loaded.args == ["unipen-letters"]
    assert (user_data_dir / "datasets" / "unipen" / ARCHIVE).is_file()
    assert datasets_tab.dataset_list.row_widget("unipen-digits").status.isEnabled()
