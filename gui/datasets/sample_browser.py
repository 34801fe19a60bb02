"""What a loaded data set shows: split and class filter, the thumbnail grid, the clicked
sample's pixels and the class charts; or, for a set not on this machine, what to do.

The split/class combo boxes are made here but placed by the tab (under the catalogue).
For a collection, a drawing can be deleted from the grid (right-click -> Delete, or the
Delete key): the browser only asks, with :attr:`delete_requested`; the tab does it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.elided_label import ElidedLabel
from gui.widgets.image_grid import ImageGrid
from gui.widgets.progress_panel import ProgressPanel
from gui.widgets.sample_view import SampleView


class MissingSetPanel(QWidget):
    """Shown in place of the grid for a set that is not here: what it is and how to get it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.download_button = QPushButton("Download")
        self.import_button = QPushButton("Import its files…")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_for(self, spec, downloading: bool) -> None:
        can_download = spec.download is not None
        how = spec.how_to_get or ("Download it from its public source, or import its files if you have them."
                                  if can_download else "Import its files to use it.")
        self.message.setText(f"<b>{spec.title}</b> is not on this machine.<br><br>{how}")
        self.download_button.setVisible(can_download)
        self.download_button.setEnabled(not downloading)


class SampleBrowser(QWidget):
    """The centre (title, busy line, grid) and right (sample, charts) panes of the tab."""

    delete_requested = Signal(int)  # a split index of the shown collection

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.dataset = None
        self.stats: dict = {}
        self.title = ""  # the shown set's title, for the header
        self.deletable = False  # a collection: its drawings can be deleted
        self._charts = None

        self.split_combo = QComboBox()
        self.split_combo.setAccessibleName("Split")
        self.split_combo.currentIndexChanged.connect(self._on_split_changed)
        self.class_combo = QComboBox()
        self.class_combo.setAccessibleName("Show the class")
        self.class_combo.addItem("All classes", -1)
        self.class_combo.currentIndexChanged.connect(self._on_class_changed)

        self.title_label = ElidedLabel("No data set loaded")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title_label.setFont(font)
        self.busy = ProgressPanel(inline=True, show_percent=False)
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.busy, 1)
        self.grid_view = ImageGrid()
        self.grid_view.setAccessibleName("Samples")
        self.grid_view.setAccessibleDescription("every sample of the split as a thumbnail with its label; "
                                                "the selected one is shown large beside it")
        self.grid_view.selectionModel().currentChanged.connect(self._on_current_sample_changed)
        self.grid_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid_view.customContextMenuRequested.connect(self._on_context_menu)
        self.delete_action = QAction("Delete this drawing", self.grid_view)
        self.delete_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete)])
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_current)
        self.grid_view.addAction(self.delete_action)
        self.grid_view.installEventFilter(self)  # the Delete key also when no shortcut fires
        self.missing = MissingSetPanel()
        self.centre_stack = QStackedWidget()
        self.centre_stack.addWidget(self.grid_view)
        self.centre_stack.addWidget(self.missing)
        self.centre = QWidget()
        centre_layout = QVBoxLayout(self.centre)
        centre_layout.setContentsMargins(6, 0, 6, 0)
        centre_layout.addLayout(header)
        centre_layout.addWidget(self.centre_stack, 1)

        self.sample_view = SampleView()
        self._charts_holder = QWidget()
        self._charts_layout = QVBoxLayout(self._charts_holder)
        self._charts_layout.setContentsMargins(0, 6, 0, 0)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.sample_view, 5)
        right_layout.addWidget(self._charts_holder, 4)
        # The pane scrolls when a set's many classes need more rows of mean images than fit.
        self.right = QScrollArea()
        self.right.setWidget(right)
        self.right.setWidgetResizable(True)
        self.right.setFrameShape(QFrame.Shape.NoFrame)
        self.right.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing in it takes keys
        self.right.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.right.setMinimumWidth(320)

    @property
    def charts(self):
        """The class-balance and mean-image charts (pyqtgraph is imported on first use)."""
        if self._charts is None:
            from gui.widgets.class_charts import ClassCharts

            self._charts = ClassCharts()
            self._charts_layout.addWidget(self._charts)
        return self._charts

    # --- what is shown -------------------------------------------------------------------------
    def current_split_name(self) -> str | None:
        return self.split_combo.currentData()

    def current_split(self):
        """The shown :class:`core.datasets.Split`, or None."""
        name = self.current_split_name()
        return None if self.dataset is None or name is None else self.dataset.splits.get(name)

    def show_dataset(self, dataset, stats, title: str, deletable: bool = False) -> None:
        """Show a loaded data set: splits, class filter, grid, charts."""
        previous_split = self.split_combo.currentData()
        self.dataset, self.stats, self.title, self.deletable = dataset, stats, title, deletable
        self.centre_stack.setCurrentWidget(self.grid_view)
        self.right.widget().show()
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        for split_name, split in dataset.splits.items():
            self.split_combo.addItem(f"{split_name}  ({len(split):,} samples)", split_name)
        index = self.split_combo.findData(previous_split)
        self.split_combo.setCurrentIndex(index if index >= 0 else 0)
        self.split_combo.blockSignals(False)
        self._fill_class_combo()
        self.apply_filter()

    def show_nothing(self, title: str) -> None:
        """Forget the shown set: empty grid, sample, charts and filters; ``title`` in the header."""
        self.dataset, self.stats, self.deletable = None, {}, False
        # No sample to click and no classes to chart: nothing there, not empty axes.
        self.right.widget().hide()
        self.grid_view.thumbnails.clear()
        self.sample_view.clear()
        self.title_label.setText(title)
        if self._charts is not None:
            self._charts.clear()
        for combo in (self.split_combo, self.class_combo):
            combo.blockSignals(True)
            combo.clear()
        self.class_combo.addItem("All classes", -1)
        for combo in (self.split_combo, self.class_combo):
            combo.blockSignals(False)

    def show_missing(self, spec, downloading: bool) -> None:
        """A set not on this machine: nothing of the previous set stays; say how to get it."""
        self.show_nothing(f"{spec.title} · not on this machine")
        self.missing.show_for(spec, downloading)
        self.centre_stack.setCurrentWidget(self.missing)

    def is_showing_missing(self) -> bool:
        return self.centre_stack.currentWidget() is self.missing

    def _fill_class_combo(self) -> None:
        split, dataset = self.current_split(), self.dataset
        keep = self.class_combo.currentData()
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItem("All classes", -1)
        if dataset is not None and split is not None:
            counts = self.stats[self.current_split_name()][0]
            for c, label in enumerate(dataset.label_names):
                self.class_combo.addItem(f"{label}   ({int(counts[c]):,})", c)
        index = self.class_combo.findData(keep)
        self.class_combo.setCurrentIndex(index if index >= 0 else 0)
        self.class_combo.blockSignals(False)

    @Slot(int)
    def _on_split_changed(self, _index: int) -> None:
        if self.dataset is None:
            return
        self._fill_class_combo()
        self.apply_filter()

    @Slot(int)
    def _on_class_changed(self, _index: int) -> None:
        if self.dataset is not None:
            self.apply_filter(update_charts=False)

    def apply_filter(self, update_charts: bool = True) -> None:
        import numpy as np

        dataset, split, split_name = self.dataset, self.current_split(), self.current_split_name()
        if dataset is None or split is None:
            return
        label = self.class_combo.currentData()
        indices = None if label is None or label < 0 else np.flatnonzero(split.labels == label)
        self.grid_view.thumbnails.set_samples(split.images, split.labels, dataset.label_names, indices)
        shown = len(split) if indices is None else len(indices)
        if indices is None:
            self.title_label.setText(f"{self.title} · {split_name} · {shown:,} samples")
        else:
            self.title_label.setText(
                f"{self.title} · {split_name} · class “{dataset.label_names[label]}”: {shown:,} of {len(split):,}"
            )
        if update_charts:
            counts, means = self.stats[split_name]
            self.charts.set_data(dataset.label_names, counts, means, f"{split_name}, {len(split):,} samples")
        if shown:
            self.grid_view.setCurrentIndex(self.grid_view.thumbnails.index(0))
            self.grid_view.scrollToTop()
        else:
            self.sample_view.clear()

    def _on_current_sample_changed(self, current, _previous=None) -> None:
        split, dataset = self.current_split(), self.dataset
        if not current.isValid() or split is None or dataset is None:
            return
        sample = self.grid_view.thumbnails.sample_index(current.row())
        label = dataset.label_names[int(split.labels[sample])]
        self.sample_view.show_sample(split.images[sample], sample, label, f"{dataset.name} / {self.current_split_name()}")

    # --- deleting a drawing --------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.grid_view and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Delete and self.deletable):
            self.delete_current()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def delete_current(self) -> None:
        """Ask to delete the selected drawing (collections only)."""
        index = self.grid_view.currentIndex()
        if self.deletable and index.isValid():
            self.delete_requested.emit(self.grid_view.thumbnails.sample_index(index.row()))

    def _on_context_menu(self, pos) -> None:
        index = self.grid_view.indexAt(pos)
        if not self.deletable or not index.isValid():
            return
        self.grid_view.setCurrentIndex(index)
        menu = QMenu(self.grid_view)
        menu.addAction(self.delete_action)
        self._menu = menu  # kept for tests, which cannot click into a modal menu
        menu.popup(self.grid_view.viewport().mapToGlobal(pos))
