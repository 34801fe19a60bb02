"""Issue 24, item 5: the Import dialog says what a folder of images needs, follows the folder
chosen last, says a name's rule while typing (the Draw tab's rule), and after "Skip them" the
expected action, Add, is the default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt


def _png(path: Path, shift: int = 0) -> None:
    ink = np.full((40, 40), 255, np.uint8)
    ink[10:30, 15 + shift:20 + shift] = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(ink).save(path)


def _class_folder(root: Path, labels=("circle", "cross")) -> Path:
    for label in labels:
        for i in range(3):
            _png(root / label / f"{i}.png", i)
    return root


def test_a_flat_folder_of_images_is_told_the_layout_it_needs(datasets_tab, qtbot, tmp_path):
    flat = tmp_path / "scans"
    for i in range(4):
        _png(flat / f"0_{i}.png", i)
    dialog = datasets_tab.open_import()
    dialog.set_paths([flat])
    qtbot.waitUntil(lambda: dialog.banner.is_showing(), timeout=20_000)
    text = dialog.banner.text()
    assert "one sub-folder per class" in text and "scans/0/0_0.png" in text, text
    assert "not a format InkLab can import" not in text
    dialog.reject()


def test_the_name_follows_the_folder_chosen_last_unless_typed(datasets_tab, qtbot, tmp_path):
    dialog = datasets_tab.open_import()
    dialog.set_paths([_class_folder(tmp_path / "first-shapes")])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    assert dialog.name_edit.text() == "first-shapes"
    dialog.set_paths([_class_folder(tmp_path / "second-shapes")])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    assert dialog.name_edit.text() == "second-shapes"  # was still "first-shapes"
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "mine")
    dialog.set_paths([_class_folder(tmp_path / "third-shapes")])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    assert dialog.name_edit.text() == "mine"  # typed by the user: kept
    dialog.reject()


def test_a_name_with_spaces_is_said_while_typing_and_stored_as_its_slug(datasets_tab, qtbot, tmp_path):
    dialog = datasets_tab.open_import()
    dialog.set_paths([_class_folder(tmp_path / "shapes")])
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=20_000)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "my shapes")
    assert dialog.name_note.text() == "Stored as “my-shapes”."  # before Add, as the Draw tab says it
    assert dialog.add_button.isEnabled()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "mnist")
    assert "built-in" in dialog.name_note.text() and not dialog.add_button.isEnabled()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "my shapes")
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000) as loaded:
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter adds
    assert loaded.args == ["my-shapes"]


def test_after_skip_them_add_is_the_default(datasets_tab, qtbot, tmp_path):
    folder = _class_folder(tmp_path / "shapes")
    (folder / "circle" / "broken.png").write_bytes(b"not a png at all")
    dialog = datasets_tab.open_import()
    dialog.set_paths([folder])
    qtbot.waitUntil(lambda: dialog.skip_button.isVisible(), timeout=20_000)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert dialog.add_button.isDefault() and not dialog.cancel_button.isDefault()
    assert dialog.add_button.hasFocus() or dialog.focusWidget() is dialog.add_button
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000) as loaded:
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)
    assert loaded.args == ["shapes"]
