"""The Datasets tab: pick a data set and split, browse every sample, see the class balance.

This module only composes the panels of :mod:`gui.datasets` and wires them: the
catalogue list on the left (with the download panel, the filters and Import), the sample
browser in the centre and on the right, the loader behind them.  Everything slow runs
through :class:`gui.concurrency.Worker`.  The catalogue is scanned right after the window
first shows, and pyqtgraph (for the charts) is imported then too, so neither delays it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from gui.datasets.catalogue_list import CatalogueList, details_label
from gui.datasets.download_panel import DownloadPanel
from gui.datasets.import_dialog import ImportDialog
from gui.datasets.loader import DatasetLoader
from gui.datasets.sample_browser import SampleBrowser
from gui.widgets.message_banner import MessageBanner

log = logging.getLogger("inklab.gui.datasets")


class DatasetsTab(QWidget):
    """Browse a data set: catalogue and filters on the left, thumbnails in the centre, details on the right.

    Public API (also used by the Training tab and the tests): :meth:`select_dataset`,
    :meth:`current_dataset`, :meth:`refresh`, :attr:`grid_view`, :attr:`sample_view`,
    :attr:`charts` and the :attr:`dataset_loaded` signal.
    """

    dataset_loaded = Signal(str)

    def __init__(self, parent=None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        if settings is None:
            from gui import app_settings

            settings = app_settings()
        self._settings = settings
        self._specs: dict[str, object] = {}
        self._available: dict[str, bool] = {}
        self._populated = False
        self._populate_scheduled = False
        self.import_dialog: ImportDialog | None = None
        self.last_deleted = None  # the DeletedSample the banner's Undo puts back
        self.loader = DatasetLoader(self.current_name, self)
        self.loader.loaded.connect(self._show)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.busy.connect(self._on_busy)
        self.loader.progress.connect(self._on_load_progress)
        self._build()

    def _build(self) -> None:
        heading = QLabel("Data sets")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        heading.setFont(font)
        self.dataset_list = CatalogueList()
        self.dataset_list.picked.connect(self._activate)
        self.dataset_list.download_requested.connect(self.start_download)
        self.details = details_label()
        self.download_panel = DownloadPanel()
        self.download_panel.downloaded.connect(self._on_downloaded)
        self.download_panel.failed.connect(self._on_download_failed)
        self.download_panel.cancelled.connect(self._on_download_cancelled)
        self.browser = SampleBrowser()
        self.browser.delete_requested.connect(self.delete_sample)
        self.browser.missing.download_button.clicked.connect(lambda: self.start_download(self.current_name() or ""))
        self.browser.missing.import_button.clicked.connect(self.open_import)
        form = QFormLayout()
        form.addRow("Split", self.browser.split_combo)
        form.addRow("Class", self.browser.class_combo)
        self.import_button = QPushButton("Import data set…")
        self.import_button.setToolTip("Add IDX, CSV or NPZ files, or a folder with one sub-folder per class")
        self.import_button.clicked.connect(self.open_import)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(heading)
        left_layout.addWidget(self.dataset_list, 1)
        left_layout.addWidget(self.details)
        left_layout.addWidget(self.download_panel)
        left_layout.addLayout(form)
        left_layout.addWidget(self.import_button)
        left.setMinimumWidth(240)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for pane in (left, self.browser.centre, self.browser.right):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 560, 450])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.splitter, 1)
        # The message line has its own place under the panels: a message covers nothing.
        self.banner = MessageBanner()
        self.banner.dismiss_on_escape(self)
        layout.addWidget(self.banner)

    # --- the panels, by the names tests and other tabs use ---------------------------------------
    @property
    def charts(self):
        """The class-balance and mean-image charts (pyqtgraph is imported on first use)."""
        return self.browser.charts

    @property
    def grid_view(self):
        return self.browser.grid_view

    @property
    def sample_view(self):
        return self.browser.sample_view

    @property
    def busy(self):
        """The load's progress line in the centre header (hidden when idle)."""
        return self.browser.busy

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._populated and not self._populate_scheduled:
            # After the first paint, not on show: the window is on screen before numpy, the
            # catalogue and pyqtgraph are touched.
            self._populate_scheduled = True
            QTimer.singleShot(0, self._first_populate)

    @Slot()
    def _first_populate(self) -> None:
        if self._populated:
            return
        self.refresh()
        _ = self.charts
        if self.dataset_list.currentItem() is None:
            last = str(self._settings.value("datasets/last", "") or "")
            candidates = [last] if self._available.get(last) else []
            candidates += [name for name, ok in self._available.items() if ok]
            if candidates:
                self.select_dataset(candidates[0])
            elif self.dataset_list.count():
                self.dataset_list.setCurrentRow(0)

    # --- public API ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-scan the catalogue (after a download, an import, or a collection gained samples)."""
        from core.datasets import catalogue, locate

        self._populated = True
        current = self.current_name()
        try:
            specs = catalogue()
        except Exception as err:  # a broken user set must not empty the whole tab
            from gui.errors import user_message

            self.banner.show_error(user_message(err))
            return
        self._specs = {spec.name: spec for spec in specs}
        self._available = {spec.name: locate(spec) is not None for spec in specs}
        self.dataset_list.populate(specs, self._available, current if current in self._specs else None)
        if current in self._specs:
            from core.datasets.memory_cache import cached

            shown = self.browser.dataset
            if shown is not None and shown.name == current and cached(current) is shown:
                self._show_details(current)  # unchanged on disk: nothing to reload
            else:
                # A user set changed on disk (a drawing added or deleted) is read afresh.
                self._activate(current, remember=False)

    def select_dataset(self, name: str) -> bool:
        """Select a catalogue entry and, when it is here, load and show it; False if unknown."""
        if not self._populated:
            self.refresh()
        if name not in self._specs:
            self.banner.show_error(f"Unknown data set '{name}'.")
            return False
        if self.current_name() == name:
            self._activate(name)
        else:
            self.dataset_list.set_current(name)
        return True

    def current_name(self) -> str | None:
        """The name of the selected catalogue entry (loaded or not)."""
        return self.dataset_list.current_name()

    def current_dataset(self):
        """The loaded :class:`core.datasets.Dataset` shown now, or None."""
        return self.browser.dataset

    def current_split_name(self) -> str | None:
        return self.browser.current_split_name()

    def current_split(self):
        """The shown :class:`core.datasets.Split`, or None."""
        return self.browser.current_split()

    def is_busy(self) -> bool:
        """True while a load is running (the grid shows the previous set meanwhile)."""
        return self.loader.is_busy()

    def set_split(self, name: str) -> None:
        index = self.browser.split_combo.findData(name)
        if index >= 0:
            self.browser.split_combo.setCurrentIndex(index)

    def set_class_filter(self, label: int | str | None) -> None:
        """Show only class ``label`` (index or label name); None shows all classes."""
        combo = self.browser.class_combo
        if label is None:
            combo.setCurrentIndex(0)
            return
        if isinstance(label, str) and self.browser.dataset is not None:
            label = self.browser.dataset.label_names.index(label)
        index = combo.findData(int(label))
        if index >= 0:
            combo.setCurrentIndex(index)

    # --- selection and loading -----------------------------------------------------------------
    def _activate(self, name: str, remember: bool = True) -> None:
        self._show_details(name)
        if self._available.get(name):
            if remember:
                self._settings.setValue("datasets/last", name)
            self.loader.load(name)
        else:
            # Nothing of the previous set may stay on screen as if it were this one.
            self.browser.show_missing(self._specs[name], self.download_panel.is_running())

    def _show_details(self, name: str) -> None:
        spec = self._specs[name]
        text = f"<b>{spec.title}</b><br>{spec.description}"
        if not self._available.get(name):
            how = spec.how_to_get or (
                "Press Download to fetch it." if spec.download is not None else "Import its files to use it."
            )
            text += f"<br><br><i>Not on this machine.</i> {how}"
        self.details.setText(text)
        # In the Tab order only when it holds a link to follow: it is text, not a control.
        linked = "<a " in text
        self.details.setFocusPolicy(Qt.FocusPolicy.StrongFocus if linked else Qt.FocusPolicy.NoFocus)

    @Slot(str)
    def _on_busy(self, text: str) -> None:
        if text:
            self.browser.busy.start(text)
        else:
            self.browser.busy.finish()

    @Slot(int, int, str)
    def _on_load_progress(self, done: int, total: int, message: str) -> None:
        self.browser.busy.set_progress(done, total, f"Loading {self.loader.loading}… {message}" if message else "")

    @Slot(object, object)
    def _show(self, dataset, stats) -> None:
        if self.banner.level() == "error":
            self.banner.clear()
        spec = self._specs.get(dataset.name)
        title = spec.title if spec is not None else dataset.name
        deletable = spec is not None and spec.kind == "collection"
        self.browser.show_dataset(dataset, stats, title, deletable)
        self.dataset_loaded.emit(dataset.name)

    @Slot(str, str)
    def _on_load_failed(self, failed: str, message: str) -> None:
        if failed == self.current_name():
            self.browser.show_nothing(f"Could not load {failed}")
        self.banner.show_error(message)

    # --- download (the panel under the list) ----------------------------------------------------
    @Slot(str)
    def start_download(self, name: str) -> None:
        """Download a catalogue entry with a progress bar and a Cancel button."""
        if self.download_panel.is_running():
            self.banner.show_info(f"Already downloading {self.download_panel.downloading}; wait for it or cancel it.")
            return
        self.dataset_list.set_current(name)
        self.browser.missing.download_button.setEnabled(False)
        self.download_panel.download(name)

    @Slot()
    def cancel_download(self) -> None:
        self.download_panel.cancel()

    def is_downloading(self) -> bool:
        return self.download_panel.is_running()

    @Slot(str)
    def _on_downloaded(self, name: str) -> None:
        self.banner.show_info(f"Downloaded {name}.")
        self.refresh()
        if name:
            self.select_dataset(name)

    @Slot(str, str)
    def _on_download_failed(self, name: str, message: str) -> None:
        self.browser.missing.download_button.setEnabled(True)
        self.banner.show_error(
            f"Download of {name} failed: {message}. If you have its files, you can import them instead.",
            action=("Import files…", self.open_import),
        )

    @Slot(str)
    def _on_download_cancelled(self, name: str) -> None:
        self.browser.missing.download_button.setEnabled(True)
        self.banner.show_info(f"Download of {name} cancelled; nothing was kept.")

    # --- import --------------------------------------------------------------------------------
    @Slot()
    def open_import(self) -> ImportDialog:
        """Open the import dialog (non-blocking); the list refreshes and selects the new set on Add."""
        if self.import_dialog is None:
            self.import_dialog = ImportDialog(self)
            self.import_dialog.imported.connect(self._on_imported)
        self.import_dialog.reset()
        self.import_dialog.open()
        return self.import_dialog

    @Slot(str)
    def _on_imported(self, name: str) -> None:
        from core.datasets.memory_cache import forget

        forget(name)
        self.refresh()
        self.select_dataset(name)
        self.banner.show_info(f"Imported {name}.")

    # --- deleting a drawing of a collection -----------------------------------------------------
    @Slot(int)
    def delete_sample(self, sample: int) -> None:
        """Delete drawing ``sample`` (its index in the shown collection), with Undo in the banner."""
        from core.datasets import collections
        from core.errors import DataError

        name = self.current_name()
        if self.loader.is_busy() or self.current_dataset() is None or self.current_dataset().name != name:
            return  # the grid is about to be replaced: its indices may no longer be the files'
        try:
            ids = collections.sample_ids(name)
            self.last_deleted = collections.delete_sample(name, ids[sample])
        except (DataError, IndexError, OSError) as err:
            self.banner.show_error(f"Could not delete the drawing: {err}")
            return
        self.refresh()
        self.banner.show_info(
            f"Deleted 1 drawing (“{self.last_deleted.label}”) from {name}.", action=("Undo", self.undo_delete)
        )

    @Slot()
    def undo_delete(self) -> None:
        """Put the last deleted drawing back, byte for byte."""
        from core.datasets import collections
        from core.errors import DataError

        deleted, self.last_deleted = self.last_deleted, None
        if deleted is None:
            return
        try:
            collections.restore_sample(deleted)
        except (DataError, OSError) as err:
            self.banner.show_error(f"Could not put the drawing back: {err}")
            return
        self.refresh()
        self.banner.show_info(f"Put the drawing (“{deleted.label}”) back into {deleted.collection}.")
