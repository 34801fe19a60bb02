"""The mouse wheel leaves unfocused fields alone; file dialogs remember their folder per kind."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QFileDialog, QFormLayout, QScrollArea, QWidget

from gui.widgets import file_dialogs
from gui.widgets.wheel_guard import guard_wheel
from tests.helpers.gui import wheel_over


def _panel(qtbot):
    scroll = QScrollArea()
    form_widget = QWidget()
    form = QFormLayout(form_widget)
    spins = []
    for i in range(40):
        spin = QDoubleSpinBox()
        spin.setDecimals(4)
        spin.setValue(0.003)
        spin.setSingleStep(0.0008)
        form.addRow(f"field {i}", spin)
        spins.append(spin)
    scroll.setWidget(form_widget)
    scroll.resize(300, 200)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    return scroll, spins


def test_wheel_over_an_unfocused_field_scrolls_the_panel_and_keeps_the_value(qtbot):
    scroll, spins = _panel(qtbot)
    assert guard_wheel(scroll) == len(spins)
    target = spins[2]
    wheel_over(target)
    assert target.value() == 0.003
    assert scroll.verticalScrollBar().value() > 0  # the panel scrolled instead


def test_wheel_changes_the_field_that_has_focus(qtbot):
    scroll, spins = _panel(qtbot)
    guard_wheel(scroll)
    target = spins[1]
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)  # the user clicks into the field first
    target.setFocus()
    qtbot.waitUntil(target.hasFocus)
    wheel_over(target, steps=1)
    assert target.value() != 0.003


def test_without_the_guard_the_wheel_would_change_the_value(qtbot):
    """The failure the guard prevents (so the two tests above can fail)."""
    scroll, spins = _panel(qtbot)
    spins[2].setFocusPolicy(Qt.FocusPolicy.WheelFocus)
    wheel_over(spins[2])
    assert spins[2].value() != 0.003


def test_save_dialog_proposes_the_name_and_remembers_the_folder_per_kind(monkeypatch, tmp_path):
    calls = []
    target = tmp_path / "exports"
    target.mkdir()

    def fake_save(parent, title, start, filters):
        calls.append(start)
        return str(target / "run-3.csv"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    first = file_dialogs.ask_save_path(None, "exports", "Export history", "run-3.csv", "CSV (*.csv)")
    assert first == (target / "run-3.csv", "CSV (*.csv)")
    assert Path(calls[0]).name == "run-3.csv"
    assert Path(calls[0]).parent != Path.cwd()  # never the program's own folder
    file_dialogs.ask_save_path(None, "exports", "Export history", "run-4.csv", "CSV (*.csv)")
    assert Path(calls[1]) == target / "run-4.csv"  # the remembered folder, the new name
    file_dialogs.ask_save_path(None, "drawings", "Save", "drawing-7.png", "PNG (*.png)")
    assert Path(calls[2]).parent != target  # another kind keeps its own folder


def test_a_cancelled_dialog_remembers_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: ("", "")))
    assert file_dialogs.ask_open_file(None, "images", "Open", "Images (*.png)") is None
    assert file_dialogs.start_folder("images") != tmp_path


def test_safe_file_name():
    assert file_dialogs.safe_file_name("cnn classic / run 2") == "cnn-classic---run-2"
    assert file_dialogs.safe_file_name("  ") == "inklab"
