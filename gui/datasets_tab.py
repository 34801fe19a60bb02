"""The Datasets tab: pick a data set and split, browse every sample, see the class balance.

Everything slow (loading, downloading, importing, per-class means) runs through
:class:`gui.concurrency.Worker`; the tab only shows results.  The catalogue is scanned
right after the window first shows, and pyqtgraph (for the charts) is imported then too,
so neither delays the window.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.concurrency import Worker
from gui.widgets.image_grid import ImageGrid
from gui.widgets.message_banner import MessageBanner
from gui.widgets.sample_view import SampleView

log = logging.getLogger("inklab.gui.datasets")

NAME_ROLE = Qt.ItemDataRole.UserRole
_CACHE_SIZE = 3  # loaded data sets kept in memory, so switching back is instant


def _load_with_stats(name: str, progress=None, cancel=None):
    """Load a data set and compute, per split, its class counts and mean images (off the GUI thread)."""
    from core.datasets import load_dataset
    from core.progress import no_progress

    dataset = load_dataset(name, progress or no_progress, cancel)
    stats = {
        split_name: (split.class_counts(dataset.n_classes), split.mean_images(dataset.n_classes))
        for split_name, split in dataset.splits.items()
    }
    return dataset, stats


class _DatasetRow(QWidget):
    """One catalogue entry in the list: title, status line, and a Download button when it applies."""

    download_clicked = Signal(str)

    def __init__(self, spec, available: bool, parent=None) -> None:
        super().__init__(parent)
        self.name = spec.name
        self.title = QLabel(spec.title)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        if available:
            status = f"{spec.name} · {len(spec.label_names)} classes · {spec.kind}"
        elif spec.download is not None:
            status = f"{spec.name} · downloadable"
        else:
            status = f"{spec.name} · import it"
        self.status = QLabel(status)
        small = self.status.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.status.setFont(small)
        for label in (self.title, self.status):
            label.setEnabled(available)  # greyed when the set is not here
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.title)
        text.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(text, 1)
        self.download_button: QPushButton | None = None
        if not available and spec.download is not None:
            self.download_button = QPushButton("Download")
            self.download_button.setToolTip(f"Fetch {spec.title} from its public source")
            self.download_button.clicked.connect(lambda: self.download_clicked.emit(self.name))
            layout.addWidget(self.download_button)
        elif not available:
            self.setToolTip(spec.how_to_get)


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
        self._dataset = None
        self._stats: dict = {}
        self._cache: OrderedDict[str, tuple] = OrderedDict()
        self._loading: str | None = None
        self._pending: str | None = None
        self._downloading: str | None = None
        self._populated = False
        self._populate_scheduled = False
        self._charts = None
        self.import_dialog: ImportDialog | None = None

        self._load_runner = Worker(self, "load data set")
        self._load_runner.returned.connect(self._on_loaded)
        self._load_runner.errored.connect(self._on_load_failed)
        self._load_runner.cancelled.connect(self._on_load_cancelled)
        self._load_runner.progress.connect(self._on_load_progress)
        self._download_runner = Worker(self, "download data set")
        self._download_runner.progress.connect(self._on_download_progress)
        self._download_runner.returned.connect(self._on_downloaded)
        self._download_runner.errored.connect(self._on_download_failed)
        self._download_runner.cancelled.connect(self._on_download_cancelled)

        self._build()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = MessageBanner()

        # Left: catalogue, availability, download, split and class filter, import.
        heading = QLabel("Data sets")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        heading.setFont(font)
        self.dataset_list = QListWidget()
        self.dataset_list.setSpacing(1)
        self.dataset_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dataset_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.dataset_list.currentItemChanged.connect(self._on_dataset_row_changed)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.details.setOpenExternalLinks(True)
        self.details.setMinimumHeight(60)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.download_box = QWidget()
        box = QVBoxLayout(self.download_box)
        box.setContentsMargins(0, 0, 0, 0)
        self.download_status = QLabel()
        self.download_status.setWordWrap(True)
        self.download_progress = QProgressBar()
        self.download_progress.setRange(0, 1000)
        self.download_cancel = QPushButton("Cancel")
        self.download_cancel.clicked.connect(self.cancel_download)
        row = QHBoxLayout()
        row.addWidget(self.download_progress, 1)
        row.addWidget(self.download_cancel)
        box.addWidget(self.download_status)
        box.addLayout(row)
        self.download_box.hide()

        self.split_combo = QComboBox()
        self.split_combo.currentIndexChanged.connect(self._on_split_changed)
        self.class_combo = QComboBox()
        self.class_combo.addItem("All classes", -1)
        self.class_combo.currentIndexChanged.connect(self._on_class_changed)
        form = QFormLayout()
        form.addRow("Split", self.split_combo)
        form.addRow("Class", self.class_combo)
        self.import_button = QPushButton("Import data set…")
        self.import_button.setToolTip("Add IDX, CSV or NPZ files, or a folder with one sub-folder per class")
        self.import_button.clicked.connect(self.open_import)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(heading)
        left_layout.addWidget(self.dataset_list, 1)
        left_layout.addWidget(self.details)
        left_layout.addWidget(self.download_box)
        left_layout.addLayout(form)
        left_layout.addWidget(self.import_button)
        left.setMinimumWidth(240)

        # Centre: what is shown, a busy indicator, the thumbnail grid.
        self.title_label = QLabel("No data set loaded")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title_label.setFont(font)
        self.busy_label = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.busy_label.hide()
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.busy_label)
        header.addWidget(self.busy)
        self.grid_view = ImageGrid()
        self.grid_view.selectionModel().currentChanged.connect(self._on_current_sample_changed)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(6, 0, 6, 0)
        centre_layout.addLayout(header)
        centre_layout.addWidget(self.grid_view, 1)

        # Right: the clicked sample, then the class charts (created once pyqtgraph is loaded).
        self.sample_view = SampleView()
        self._charts_holder = QWidget()
        self._charts_layout = QVBoxLayout(self._charts_holder)
        self._charts_layout.setContentsMargins(0, 6, 0, 0)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.sample_view, 5)
        right_layout.addWidget(self._charts_holder, 4)
        right.setMinimumWidth(320)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for pane in (left, centre, right):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 560, 450])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

    @property
    def charts(self):
        """The class-balance and mean-image charts (pyqtgraph is imported on first use)."""
        if self._charts is None:
            from gui.widgets.class_charts import ClassCharts

            self._charts = ClassCharts()
            self._charts_layout.addWidget(self._charts)
        return self._charts

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
        # User sets can change on disk (a collection gains samples): forget their cached copies.
        for name in list(self._cache):
            spec = self._specs.get(name)
            if spec is None or spec.kind != "built-in" or not self._available.get(name):
                del self._cache[name]
        self.dataset_list.blockSignals(True)
        self.dataset_list.clear()
        for spec in specs:
            item = QListWidgetItem()
            item.setData(NAME_ROLE, spec.name)
            available = self._available[spec.name]
            row = _DatasetRow(spec, available)
            row.download_clicked.connect(self.start_download)
            # Width 0: the row takes the list's width instead of forcing a horizontal scroll bar.
            item.setSizeHint(QSize(0, row.sizeHint().height()))
            if not available:
                item.setToolTip(spec.how_to_get or "Not on this machine")
            self.dataset_list.addItem(item)
            self.dataset_list.setItemWidget(item, row)
        if current in self._specs:
            self._set_current_row(current)
        self.dataset_list.blockSignals(False)
        if current in self._specs:
            self._show_details(current)
            spec = self._specs[current]
            shown = self._dataset is not None and self._dataset.name == current
            if self._available.get(current) and (not shown or spec.kind != "built-in"):
                self._load(current)

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
            self._set_current_row(name)
        return True

    def current_name(self) -> str | None:
        """The name of the selected catalogue entry (loaded or not)."""
        item = self.dataset_list.currentItem()
        return None if item is None else item.data(NAME_ROLE)

    def current_dataset(self):
        """The loaded :class:`core.datasets.Dataset` shown now, or None."""
        return self._dataset

    def current_split_name(self) -> str | None:
        return self.split_combo.currentData()

    def current_split(self):
        """The shown :class:`core.datasets.Split`, or None."""
        name = self.current_split_name()
        return None if self._dataset is None or name is None else self._dataset.splits.get(name)

    def is_busy(self) -> bool:
        """True while a load is running (the grid shows the previous set meanwhile)."""
        return self._loading is not None

    def set_split(self, name: str) -> None:
        index = self.split_combo.findData(name)
        if index >= 0:
            self.split_combo.setCurrentIndex(index)

    def set_class_filter(self, label: int | str | None) -> None:
        """Show only class ``label`` (index or label name); None shows all classes."""
        if label is None:
            self.class_combo.setCurrentIndex(0)
            return
        if isinstance(label, str) and self._dataset is not None:
            label = self._dataset.label_names.index(label)
        index = self.class_combo.findData(int(label))
        if index >= 0:
            self.class_combo.setCurrentIndex(index)

    # --- selection and loading -----------------------------------------------------------------
    def _set_current_row(self, name: str) -> None:
        for row in range(self.dataset_list.count()):
            if self.dataset_list.item(row).data(NAME_ROLE) == name:
                self.dataset_list.setCurrentRow(row)
                return

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_dataset_row_changed(self, current: QListWidgetItem | None, previous) -> None:
        if current is not None:
            self._activate(current.data(NAME_ROLE))

    def _activate(self, name: str) -> None:
        self._show_details(name)
        if self._available.get(name):
            self._settings.setValue("datasets/last", name)
            self._load(name)

    def _show_details(self, name: str) -> None:
        spec = self._specs[name]
        text = f"<b>{spec.title}</b><br>{spec.description}"
        if not self._available.get(name):
            how = spec.how_to_get or (
                "Press Download to fetch it." if spec.download is not None else "Import its files to use it."
            )
            text += f"<br><br><i>Not on this machine.</i> {how}"
        self.details.setText(text)

    def _load(self, name: str) -> None:
        running = self._load_runner.is_running()
        if running and self._loading == name:
            self._pending = None  # already on its way
            return
        if running:
            # A first load can take seconds (EMNIST's re-framing): stop it rather than make
            # the user wait for a set they have moved away from.
            self._load_runner.cancel()
        if name in self._cache:
            self._pending = None
            self._cache.move_to_end(name)
            self._show(*self._cache[name])
            return
        if running:
            self._pending = name  # started when the running load ends
            self._set_busy(f"Loading {name}…")
            return
        self._loading = name
        self._set_busy(f"Loading {name}…")
        self._load_runner.start(lambda progress, cancel: _load_with_stats(name, progress, cancel))

    def _set_busy(self, text: str | None) -> None:
        self.busy.setVisible(bool(text))
        self.busy_label.setVisible(bool(text))
        self.busy_label.setText(text or "")
        self.busy.setRange(0, 0)

    @Slot(int, int, str)
    def _on_load_progress(self, done: int, total: int, message: str) -> None:
        if self._loading is None or self._pending is not None:
            return
        if total > 0:
            self.busy.setRange(0, total)
            self.busy.setValue(done)
        if message:
            self.busy_label.setText(f"Loading {self._loading}… {message}")

    def _next_pending(self) -> bool:
        pending, self._pending = self._pending, None
        self._loading = None
        if pending is not None and pending != self.current_name():
            pending = None
        if pending is not None:
            self._load(pending)
            return True
        return False

    @Slot(object)
    def _on_loaded(self, result) -> None:
        dataset, stats = result
        self._cache[dataset.name] = (dataset, stats)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        if self._next_pending():
            return
        self._set_busy(None)
        if dataset.name == self.current_name():
            self._show(dataset, stats)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        failed = self._loading
        if self._next_pending():
            return
        self._set_busy(None)
        if failed == self.current_name():
            self._dataset = None
            self._stats = {}
            self.grid_view.thumbnails.clear()
            self.sample_view.clear()
            self.title_label.setText(f"Could not load {failed}")
            if self._charts is not None:
                self._charts.clear()
        self.banner.show_error(message)

    @Slot()
    def _on_load_cancelled(self) -> None:
        if not self._next_pending():
            self._set_busy(None)

    def _show(self, dataset, stats) -> None:
        """Show a loaded data set: splits, class filter, grid, charts."""
        if self.banner.level() == "error":
            self.banner.clear()
        previous_split = self.split_combo.currentData()
        self._dataset, self._stats = dataset, stats
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        for split_name, split in dataset.splits.items():
            self.split_combo.addItem(f"{split_name}  ({len(split):,} samples)", split_name)
        index = self.split_combo.findData(previous_split)
        self.split_combo.setCurrentIndex(index if index >= 0 else 0)
        self.split_combo.blockSignals(False)
        self._fill_class_combo()
        self._apply_filter()
        self.dataset_loaded.emit(dataset.name)

    def _fill_class_combo(self) -> None:
        split = self.current_split()
        dataset = self._dataset
        keep = self.class_combo.currentData()
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItem("All classes", -1)
        if dataset is not None and split is not None:
            counts = self._stats[self.current_split_name()][0]
            for c, label in enumerate(dataset.label_names):
                self.class_combo.addItem(f"{label}   ({int(counts[c]):,})", c)
        index = self.class_combo.findData(keep)
        self.class_combo.setCurrentIndex(index if index >= 0 else 0)
        self.class_combo.blockSignals(False)

    @Slot(int)
    def _on_split_changed(self, _index: int) -> None:
        if self._dataset is None:
            return
        self._fill_class_combo()
        self._apply_filter()

    @Slot(int)
    def _on_class_changed(self, _index: int) -> None:
        if self._dataset is not None:
            self._apply_filter(update_charts=False)

    def _apply_filter(self, update_charts: bool = True) -> None:
        import numpy as np

        dataset, split, split_name = self._dataset, self.current_split(), self.current_split_name()
        if dataset is None or split is None:
            return
        label = self.class_combo.currentData()
        indices = None if label is None or label < 0 else np.flatnonzero(split.labels == label)
        self.grid_view.thumbnails.set_samples(split.images, split.labels, dataset.label_names, indices)
        shown = len(split) if indices is None else len(indices)
        title = self._specs[dataset.name].title if dataset.name in self._specs else dataset.name
        if indices is None:
            self.title_label.setText(f"{title} · {split_name} · {shown:,} samples")
        else:
            self.title_label.setText(
                f"{title} · {split_name} · class “{dataset.label_names[label]}”: {shown:,} of {len(split):,}"
            )
        if update_charts:
            counts, means = self._stats[split_name]
            self.charts.set_data(dataset.label_names, counts, means, f"{split_name}, {len(split):,} samples")
        if shown:
            self.grid_view.setCurrentIndex(self.grid_view.thumbnails.index(0))
            self.grid_view.scrollToTop()
        else:
            self.sample_view.clear()

    def _on_current_sample_changed(self, current, _previous=None) -> None:
        split, dataset = self.current_split(), self._dataset
        if not current.isValid() or split is None or dataset is None:
            return
        sample = self.grid_view.thumbnails.sample_index(current.row())
        label = dataset.label_names[int(split.labels[sample])]
        self.sample_view.show_sample(split.images[sample], sample, label, f"{dataset.name} / {self.current_split_name()}")

    # --- download ------------------------------------------------------------------------------
    @Slot(str)
    def start_download(self, name: str) -> None:
        """Download a catalogue entry with a progress bar and a Cancel button."""
        if self._download_runner.is_running():
            self.banner.show_info(f"Already downloading {self._downloading}; wait for it or cancel it.")
            return
        self._set_current_row(name)
        self._downloading = name
        self.download_status.setText(f"Downloading {name}…")
        self.download_progress.setRange(0, 0)
        self.download_box.show()
        self.download_cancel.setEnabled(True)

        def task(progress, cancel):
            from core.datasets import download  # looked up now, so tests can substitute it

            return download.download_dataset(name, progress=progress, cancel=cancel)

        self._download_runner.start(task)

    @Slot()
    def cancel_download(self) -> None:
        self.download_cancel.setEnabled(False)
        self.download_status.setText(f"Cancelling download of {self._downloading}…")
        self._download_runner.cancel()

    def is_downloading(self) -> bool:
        return self._download_runner.is_running()

    @Slot(int, int, str)
    def _on_download_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.download_progress.setRange(0, 1000)
            self.download_progress.setValue(min(1000, done * 1000 // total))
        else:
            self.download_progress.setRange(0, 0)
        if message and self.download_cancel.isEnabled():
            self.download_status.setText(message)

    def _end_download(self) -> str | None:
        name, self._downloading = self._downloading, None
        self.download_box.hide()
        return name

    @Slot(object)
    def _on_downloaded(self, _path) -> None:
        name = self._end_download()
        self.banner.show_info(f"Downloaded {name}.")
        self.refresh()
        if name is not None:
            self.select_dataset(name)

    @Slot(str)
    def _on_download_failed(self, message: str) -> None:
        name = self._end_download()
        self.banner.show_error(f"Download of {name} failed: {message}")

    @Slot()
    def _on_download_cancelled(self) -> None:
        name = self._end_download()
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
        self._cache.pop(name, None)
        self.refresh()
        self.select_dataset(name)
        self.banner.show_info(f"Imported {name}.")


def _suggest_name(paths: list[Path]) -> str:
    if not paths:
        return ""
    stem = paths[0].name if paths[0].is_dir() else paths[0].name.split(".")[0]
    stem = re.sub(r"[-_](train|test|images|labels|idx\d).*$", "", stem, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "my-data"


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
        self.banner = MessageBanner()
        self.files_button = QPushButton("Choose files…")
        self.files_button.clicked.connect(self._choose_files)
        self.folder_button = QPushButton("Choose folder…")
        self.folder_button.clicked.connect(self._choose_folder)
        self.paths_label = QLabel("IDX (.gz or raw), CSV, NPZ files, or a folder with one sub-folder per class.")
        self.paths_label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("a short name, e.g. my-letters")
        self.name_edit.textChanged.connect(self._update_buttons)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.thumbnails = QHBoxLayout()
        self.thumbnails.setSpacing(2)
        self.thumbnails.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.add_button.clicked.connect(self.add)
        self.cancel_button.clicked.connect(self._cancel_or_close)

        choose = QHBoxLayout()
        choose.addWidget(self.files_button)
        choose.addWidget(self.folder_button)
        choose.addStretch(1)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(choose)
        layout.addWidget(self.paths_label)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
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
        if self.runner.is_running():
            return
        self.paths = []
        self._preview_ok = False
        self._preview = None
        self.banner.clear()
        self.name_edit.clear()
        self.preview_label.clear()
        self._clear_thumbnails()
        self.progress.hide()
        self._update_buttons()

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Choose data files", str(Path.home()),
            "Data files (*.gz *.idx *ubyte *.csv *.npz);;All files (*)",
        )
        if files:
            self.set_paths([Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder with one sub-folder per class")
        if folder:
            self.set_paths([Path(folder)])

    def set_paths(self, paths: list[Path]) -> None:
        """Use these files/folder and start the preview (also the entry point for tests)."""
        if self.runner.is_running():
            return
        self.paths = [Path(p) for p in paths]
        self._preview_ok = False
        self._preview = None
        self.banner.clear()
        shown = ", ".join(p.name for p in self.paths[:4]) + (" …" if len(self.paths) > 4 else "")
        self.paths_label.setText(f"{len(self.paths)} item(s): {shown}")
        if not self.name_edit.text():
            self.name_edit.setText(_suggest_name(self.paths))
        self.preview_label.setText("Reading a preview…")
        self._clear_thumbnails()
        paths_now = list(self.paths)

        def task(progress, cancel):
            from core.datasets.import_preview import preview_import

            return preview_import(paths_now, progress=progress, cancel=cancel)

        self._task = "preview"
        self.runner.start(task)
        self._update_buttons()

    def add(self) -> None:
        """Import the previewed files under the chosen name."""
        if not self._preview_ok or self.runner.is_running():
            return
        name, preview = self.name_edit.text().strip(), self._preview

        def task(progress, cancel):
            # The preview already parsed and checked every file: save that, do not re-read.
            from core.datasets.importer import save_import

            progress(0, None, "Saving")
            return save_import(preview, name, cancel=cancel)

        self._task = "import"
        self.progress.setValue(0)
        self.progress.show()
        self.runner.start(task)
        self._update_buttons()

    def _cancel_or_close(self) -> None:
        if self.runner.is_running():
            self.runner.cancel()
        else:
            self.reject()

    def _update_buttons(self) -> None:
        busy = self.runner.is_running()
        self.add_button.setEnabled(self._preview_ok and bool(self.name_edit.text().strip()) and not busy)
        self.files_button.setEnabled(not busy)
        self.folder_button.setEnabled(not busy)
        self.name_edit.setEnabled(not (busy and self._task == "import"))

    def _clear_thumbnails(self) -> None:
        while self.thumbnails.count() > 1:
            item = self.thumbnails.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, done * 1000 // total))
        else:
            self.progress.setRange(0, 0)
        if message:
            self.progress.setFormat(f"{message}  %p%")

    @Slot(object)
    def _on_finished(self, result) -> None:
        task, self._task = self._task, None
        if task == "preview":
            self._show_preview(result)
        else:
            self.progress.hide()
            self.accept()
            self.imported.emit(result.name)
        self._update_buttons()

    def _show_preview(self, preview) -> None:
        from gui.widgets.image import to_pixmap

        self._preview = preview

        dataset = preview.dataset
        sizes = ", ".join(f"{name}: {len(split):,}" for name, split in dataset.splits.items())
        total = sum(len(split) for split in dataset.splits.values())
        classes = ", ".join(dataset.label_names[:30]) + (" …" if dataset.n_classes > 30 else "")
        self.preview_label.setText(
            f"<b>Format:</b> {preview.format}<br><b>Samples:</b> {total:,} ({sizes})<br>"
            f"<b>Classes ({dataset.n_classes}):</b> {classes}"
        )
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
        self.progress.hide()
        if task == "preview":
            self.preview_label.clear()
            self._preview_ok = False
        self.banner.show_error(message)
        self._update_buttons()

    @Slot()
    def _on_cancelled(self) -> None:
        self._task = None
        self.progress.hide()
        self.banner.show_info("Import cancelled; nothing was added.")
        self._update_buttons()
