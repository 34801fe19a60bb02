"""File > Export model…: the dialog's choice, and the export running off the GUI thread."""

from __future__ import annotations

import json
from pathlib import Path

from gui.export_dialog import ExportDialog


def test_the_dialog_lists_models_and_needs_a_folder(qtbot, tmp_path) -> None:
    dialog = ExportDialog()
    qtbot.addWidget(dialog)
    names = [dialog.model_combo.itemData(i) for i in range(dialog.model_combo.count())]
    assert {"digits", "letters"} <= set(names)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.folder_edit.setText(str(tmp_path))
    assert ok.isEnabled()
    dialog.model_combo.setCurrentIndex(names.index("letters"))
    dialog.format_combo.setCurrentIndex(1)
    choice = dialog.choice()
    assert (choice.name, choice.fmt, choice.folder) == ("letters", "savedmodel", Path(tmp_path))


def test_export_runs_in_the_background_and_reports_in_the_banner(main_window, qtbot, tmp_path) -> None:
    assert "Export model…" in [a.text().replace("&", "") for a in main_window.menuBar().actions()[0].menu().actions()]
    main_window.start_export("digits", tmp_path / "out", "tflite")
    qtbot.waitUntil(lambda: "Exported to" in main_window.banner.text(), timeout=30_000)
    card = json.loads((tmp_path / "out" / "digits" / "card.json").read_text())
    assert card["export"]["format"] == "tflite" and main_window.export_action.isEnabled()
    main_window.start_export("digits", tmp_path / "out", "tflite")  # already there: said, not raised
    qtbot.waitUntil(lambda: "already exists" in main_window.banner.text(), timeout=30_000)
