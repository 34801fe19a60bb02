"""The Import dialog: choose files or a folder, name the set, look at a preview, then Add.

The preview parses and checks everything (nothing is written); Add saves exactly what the
preview parsed.  A folder import with a few unreadable images is not refused: the preview
names them and offers to skip them.  Each time the dialog opens it starts empty.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from gui.concurrency import Worker
from gui.widgets import file_dialogs
from gui.widgets.message_banner import MessageBanner
from gui.widgets.progress_panel import ProgressPanel

HINT = ("IDX (.gz or raw), CSV, NPZ files, or a folder with one sub-folder per class; pen strokes as "
        "UNIPEN files (.dat, .unp; or a folder of them) or labelled stroke JSONL.")
_SKIPPED_SHOWN = 5


def suggest_name(paths: list[Path]) -> str:
    """A set name from the first file or folder: "emnist-letters-train-images.gz" -> "emnist-letters"."""
    if not paths:
        return ""
    stem = paths[0].name if paths[0].is_dir() else paths[0].name.split(".")[0]
    stem = re.sub(r"[-_](train|test|images|labels|idx\d).*$", "", stem, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "my-data"


def skipped_text(skipped) -> str:
    """"3 files could not be read: a.png, b.png, c.png" (the first few named)."""
    names = ", ".join(Path(p).name for p in skipped[:_SKIPPED_SHOWN])
    more = "…" if len(skipped) > _SKIPPED_SHOWN else ""
    files = "file" if len(skipped) == 1 else "files"
    return f"{len(skipped)} {files} could not be read: {names}{more}"


class ImportDialog(QDialog):
    """Choose files or a folder, name the set, look at a preview, then Add (with a progress bar)."""

    imported = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a data set")
        self.setMinimumWidth(560)
        self.paths: list[Path] = []
        self._preview_ok = False
        self._preview = None  # the parsed ImportPreview that Add saves
        self._generation = 0  # a preview started before a reset is ignored when it ends
        self.banner = MessageBanner()
        self.files_button = QPushButton("Choose files…")
        self.files_button.clicked.connect(self._choose_files)
        self.folder_button = QPushButton("Choose folder…")
        self.folder_button.clicked.connect(self._choose_folder)
        self.paths_label = QLabel(HINT)
        self.paths_label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("a short name, e.g. my-letters")
        self.name_edit.setAccessibleName("Name of the new data set")
        self.name_edit.textChanged.connect(self._update_buttons)
        # What the name becomes or why it cannot be one, said while typing (the Draw tab's rule).
        self.name_note = QLabel(" ")
        self.name_note.setWordWrap(True)
        self._suggested = ""  # the name last filled in for the user (replaced with the next choice)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.skipped_label = QLabel()
        self.skipped_label.setWordWrap(True)
        self.skip_button = QPushButton("Skip them")
        self.skip_button.setToolTip("Import the other images and leave these files out")
        self.skip_button.clicked.connect(self.skip_unreadable)
        skipped_row = QHBoxLayout()
        skipped_row.addWidget(self.skipped_label, 1)
        skipped_row.addWidget(self.skip_button)
        self.skipped_label.hide()
        self.skip_button.hide()
        self._skip_confirmed = False
        self.thumbnails = QHBoxLayout()
        self.thumbnails.setSpacing(2)
        self.thumbnails.addStretch(1)
        self.progress = ProgressPanel()
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Enter means Add (the expected action), never Cancel or whichever button was clicked last.
        for button in (self.files_button, self.folder_button, self.skip_button, self.cancel_button):
            button.setAutoDefault(False)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add)
        self.cancel_button.clicked.connect(self._cancel_or_close)

        choose = QHBoxLayout()
        choose.addWidget(self.files_button)
        choose.addWidget(self.folder_button)
        choose.addStretch(1)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(choose)
        layout.addWidget(self.paths_label)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
        layout.addLayout(skipped_row)
        layout.addLayout(self.thumbnails)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        self.runner = Worker(self, "import")
        self.runner.progress.connect(self._on_progress)
        self.runner.returned.connect(self._on_finished)
        self.runner.errored.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self._task: str | None = None  # "preview" | "import"
        self._update_buttons()

    def reset(self) -> None:
        """Empty the dialog for a new import (a preview still running is stopped and forgotten)."""
        if self.runner.is_running():
            if self._task == "import":
                return  # the import finishes and reports; its items stay until then
            self._generation += 1
            self.runner.cancel()
        self.paths = []
        self._preview_ok = False
        self._preview = None
        self._task = None
        self.banner.clear()
        self.paths_label.setText(HINT)
        self.name_edit.clear()
        self._suggested = ""
        self.preview_label.clear()
        self._show_skipped(())
        self._clear_thumbnails()
        self.progress.finish()
        self._update_buttons()

    def reject(self) -> None:
        if self.runner.is_running() and self._task == "preview":
            self.runner.cancel()  # nobody is waiting for this preview any more
        super().reject()

    def _choose_files(self) -> None:
        files = file_dialogs.ask_open_files(
            self, "import", "Choose data files",
            "Data files (*.gz *.idx *ubyte *.csv *.npz *.dat *.unp *.uni *.jsonl *.xz);;All files (*)"
        )
        if files:
            self.set_paths(files)

    def _choose_folder(self) -> None:
        folder = file_dialogs.ask_folder(self, "import", "Choose a folder of class sub-folders or of UNIPEN files")
        if folder is not None:
            self.set_paths([folder])

    def set_paths(self, paths: list[Path]) -> None:
        """Use these files/folder and start the preview (also the entry point for tests)."""
        if self.runner.is_running():
            return
        self.paths = [Path(p) for p in paths]
        self._preview_ok = False
        self._preview = None
        self.banner.clear()
        self._show_skipped(())
        shown = ", ".join(p.name for p in self.paths[:4]) + (" …" if len(self.paths) > 4 else "")
        self.paths_label.setText(f"{len(self.paths)} item(s): {shown}")
        if self.name_edit.text() in ("", self._suggested):  # not one the user typed: follow the choice
            self._suggested = suggest_name(self.paths)
            self.name_edit.setText(self._suggested)
        self.preview_label.setText("Reading a preview…")
        self._clear_thumbnails()
        paths_now = list(self.paths)

        def task(progress, cancel):
            from core.datasets.import_preview import preview_import

            return preview_import(paths_now, progress=progress, cancel=cancel, skip_unreadable=True)

        self._task = "preview"
        self._generation += 1
        generation = self._generation
        self.runner.start(lambda progress, cancel: (generation, task(progress, cancel)))
        self._update_buttons()

    def add(self) -> None:
        """Import the previewed files under the chosen name."""
        if not self._ready() or self.runner.is_running():
            return
        name, preview = self.stored_name(), self._preview
        if name is None:
            return

        def task(progress, cancel):
            # The preview already parsed and checked every file: save that, do not re-read.
            from core.datasets.importer import save_import

            progress(0, None, "Saving")
            return None, save_import(preview, name, cancel=cancel)

        self._task = "import"
        self.progress.start("Saving")
        self.runner.start(task)
        self._update_buttons()

    def stored_name(self) -> str | None:
        """The name the set is stored under ("my letters" -> "my-letters"), None when unusable."""
        return self._check_name()[0]

    def _check_name(self) -> tuple[str | None, str]:
        """(the stored name or None, what to say about it under the field)."""
        from core.datasets import names
        from core.errors import DataError

        typed = self.name_edit.text().strip()
        if not typed:
            return None, ""
        try:
            name = names.name_slug(typed)
            builtin = self._preview.builtin if self._preview is not None else None
            names.check_import_name(name, builtin, overwrite=True)
        except DataError as err:
            return None, str(err)
        if names.is_imported(name) and not names.is_built_in(name):
            return None, f"you already have an imported data set called '{name}': choose another name"
        return name, (f"Stored as “{name}”." if name != typed else "")

    @Slot()
    def skip_unreadable(self) -> None:
        """Go on without the files the preview could not read (Add becomes possible, and the default)."""
        self._skip_confirmed = True
        self.skip_button.setEnabled(False)
        self.skip_button.setText("Skipped")
        self._update_buttons()
        self.add_button.setFocus()

    def _ready(self) -> bool:
        skipped = self._preview is not None and bool(self._preview.skipped)
        return self._preview_ok and (self._skip_confirmed or not skipped)

    def _cancel_or_close(self) -> None:
        if self.runner.is_running() and self._task == "import":
            self.runner.cancel()
        else:
            self.reject()

    def _update_buttons(self) -> None:
        busy = self.runner.is_running()
        name, note = self._check_name()
        self.name_note.setText(note or " ")
        self.name_note.setStyleSheet("" if name is not None or not note else "color: #a40e26;")
        self.add_button.setEnabled(self._ready() and name is not None and not busy)
        self.add_button.setDefault(True)  # (set once before the button was in the dialog, Qt forgot it)
        self.files_button.setEnabled(not busy)
        self.folder_button.setEnabled(not busy)
        self.name_edit.setEnabled(not (busy and self._task == "import"))

    def _clear_thumbnails(self) -> None:
        while self.thumbnails.count() > 1:
            item = self.thumbnails.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _show_skipped(self, skipped) -> None:
        self._skip_confirmed = False
        self.skipped_label.setText(skipped_text(skipped) if skipped else "")
        self.skip_button.setText("Skip them")
        self.skip_button.setEnabled(True)
        for widget in (self.skipped_label, self.skip_button):
            widget.setVisible(bool(skipped))

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self._task == "import":
            self.progress.set_progress(done, total, message)

    @Slot(object)
    def _on_finished(self, result) -> None:
        generation, value = result
        task, self._task = self._task, None
        if task == "preview" and generation == self._generation:
            self._show_preview(value)
        elif task == "import":
            self.progress.finish()
            self.accept()
            self.imported.emit(value.name)
        self._update_buttons()

    def _show_preview(self, preview) -> None:
        from gui.widgets.image import to_pixmap

        self._preview = preview
        if preview.builtin and self.name_edit.text() == suggest_name(self.paths):
            self._suggested = preview.builtin
            self.name_edit.setText(preview.builtin)  # a built-in's files (the UNIPEN archive) complete it
        dataset = preview.dataset
        sizes = ", ".join(f"{name}: {len(split):,}" for name, split in dataset.splits.items())
        total = sum(len(split) for split in dataset.splits.values())
        classes = ", ".join(dataset.label_names[:30]) + (" …" if dataset.n_classes > 30 else "")
        self.preview_label.setText(
            f"<b>Format:</b> {preview.format}<br><b>Samples:</b> {total:,} ({sizes})<br>"
            f"<b>Classes ({dataset.n_classes}):</b> {classes}"
        )
        self._show_skipped(preview.skipped)
        if preview.skipped:
            self.skipped_label.setToolTip("\n".join(str(p) for p in preview.skipped))
        self._clear_thumbnails()
        first = next((split for split in dataset.splits.values() if len(split)), None)
        if first is not None:
            for i in range(min(12, len(first))):
                thumb = QLabel()
                thumb.setPixmap(to_pixmap(first.images[i], 40))
                thumb.setToolTip(dataset.label_names[int(first.labels[i])])
                self.thumbnails.insertWidget(self.thumbnails.count() - 1, thumb)
        self._preview_ok = total > 0
        if not total:
            self.banner.show_error("These files hold no samples.")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        task, self._task = self._task, None
        self.progress.finish()
        if task is None:
            return  # a preview the user walked away from (reset)
        if task == "preview":
            self.preview_label.clear()
            self._preview_ok = False
        self.banner.show_error(message)
        self._update_buttons()

    @Slot()
    def _on_cancelled(self) -> None:
        task, self._task = self._task, None
        self.progress.finish()
        if task == "import":
            self.banner.show_info("Import cancelled; nothing was added.")
        self._update_buttons()
