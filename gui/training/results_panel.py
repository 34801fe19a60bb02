"""The Training tab's results: test accuracy, confusion matrix, per-class bars, mistakes; save and export.

A :class:`QTabWidget` whose first two pages are built here ("Results", "Mistakes"); the tab
adds the "Compare runs" page.  It shows an :class:`gui.training.run.EvaluationView` (plain
arrays made on the training thread), saves the last run's model to the library, and
writes the history CSV and the plots PNG atomically.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.labels import NOT_A_CHARACTER
from gui.errors import report, reporting, sentence
from gui.training.live_view import big
from gui.widgets.confusion_view import ClassAccuracyBars, ConfusionView
from gui.widgets.mistakes_gallery import MistakesGallery

RESULTS_PAGE, MISTAKES_PAGE, COMPARE_PAGE = 0, 1, 2
REJECT_SHOWN = "—"  # how the "not a character" class is labelled in the matrix, bars and mistakes


class ResultsPanel(QTabWidget):
    """Results and Mistakes pages.  ``message(text, level)`` is for the tab's banner."""

    save_requested = Signal(str)  # the name typed (may be empty: the library proposes one)
    export_csv_requested = Signal()
    export_png_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.evaluation = None  # EvaluationView of the run on screen
        results = QWidget()
        results_col = QVBoxLayout(results)
        results_col.setContentsMargins(6, 4, 6, 4)
        head = QHBoxLayout()
        self.test_label = big(QLabel("Test results appear here after a run."), 1.3)
        self.test_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.test_label.setMinimumWidth(150)
        head.addWidget(self.test_label, 1)
        self.save_name = QLineEdit()
        self.save_name.setPlaceholderText("model name")
        self.save_name.setAccessibleName("Model name")
        self.save_name.setMinimumWidth(140)
        self.save_name.setMaximumWidth(300)
        self.save_button = QPushButton("Save to library")
        self.save_button.setToolTip("Keep this model: it then appears in the Draw tab's model list")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.save_name.returnPressed.connect(self._on_save_clicked)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("The history, one row per epoch")
        self.csv_button.clicked.connect(self.export_csv_requested)
        self.png_button = QPushButton("Export plots…")
        self.png_button.setToolTip("Both plots as one PNG image")
        self.png_button.clicked.connect(self.export_png_requested)
        for w in (self.save_name, self.save_button, self.csv_button, self.png_button):
            head.addWidget(w)
        results_col.addLayout(head)
        # Why a run ended far below what its preset reaches (core.training.advice), if it did:
        # above the per-class bars, whose column has room to spare beside the square matrix
        # (a line of its own made the tab taller than a 1280x680 window after a poor run).
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        self.advice_label.setStyleSheet("color: #9a5b00;")
        self.advice_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.advice_label.hide()
        matrices = QHBoxLayout()
        self.confusion_view = ConfusionView()
        self.class_bars = ClassAccuracyBars()
        bars_box = QVBoxLayout()
        bars_box.addWidget(self.advice_label)
        bars_box.addWidget(QLabel("Right per class (%) — the worst in red"))
        bars_box.addWidget(self.class_bars, 1)
        matrices.addWidget(self.confusion_view, 3)
        matrices.addLayout(bars_box, 2)
        results_col.addLayout(matrices, 1)
        self.addTab(results, "Results")
        mistakes = QWidget()
        mistakes_col = QVBoxLayout(mistakes)
        mistakes_col.setContentsMargins(6, 4, 6, 4)
        self.mistakes_label = QLabel("Misclassified test samples (true → predicted), most confident first. Click one to see it large.")
        self.mistakes_label.setWordWrap(True)
        filters = QHBoxLayout()
        self.true_filter, self.predicted_filter = QComboBox(), QComboBox()
        for text, combo in (("True class", self.true_filter), ("Model said", self.predicted_filter)):
            combo.setAccessibleName(f"Show mistakes whose {text.lower()} is")
            combo.currentIndexChanged.connect(self._apply_filter)
            label = QLabel(text)
            label.setBuddy(combo)  # names the combo box for a screen reader
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addStretch(1)
        self.gallery = MistakesGallery(tile_size=48)
        mistakes_col.addWidget(self.mistakes_label)
        mistakes_col.addLayout(filters)
        mistakes_col.addWidget(self.gallery, 1)
        self.addTab(mistakes, "Mistakes")
        self.confusion_view.cell_clicked.connect(self.show_mistakes_of)
        self._fill_filters(())

    def set_actions(self, can_save: bool, can_export_csv: bool, can_export_png: bool) -> None:
        self.save_button.setEnabled(can_save)
        self.save_name.setEnabled(can_save)
        self.csv_button.setEnabled(can_export_csv)
        self.png_button.setEnabled(can_export_png)

    # ---- a run's results

    def clear(self) -> None:
        """A new run starts: no results yet."""
        self.evaluation = None
        self.show_advice("")
        self.test_label.setText("Training…")
        self.confusion_view.clear()
        self.class_bars.clear()
        self.gallery.clear_mistakes()
        self._fill_filters(())
        self.setTabText(MISTAKES_PAGE, "Mistakes")
        self.save_name.clear()

    def show_advice(self, advice: str) -> None:
        """One line on why the run ended low ("" hides it)."""
        self.advice_label.setText(f"Why so low? {sentence(advice)}." if advice else "")
        self.advice_label.setVisible(bool(advice))

    def show_training_ended(self, result) -> None:
        self.show_advice(result.advice)
        if result.status == "failed":
            self.test_label.setText("No results: the run failed.")
        elif result.epochs_done == 0:
            self.test_label.setText("Stopped before the first epoch ended: no test results.")

    def show_evaluating(self, split: str = "test") -> None:
        where = "the test set" if split == "test" else "the samples held out for validation"
        self.test_label.setText(f"Testing on {where}…")

    def show_evaluation(self, view) -> None:
        self.evaluation = view
        self.test_label.setText(
            f"{view.split.capitalize()} accuracy {view.accuracy:.2%} "
            f"<span style='font-weight:normal; font-size:small'>"
            f"loss {view.loss:.3f}</span>"
        )
        self.test_label.setToolTip(
            f"On the {view.samples:,} samples of the {view.split} split, never seen in training"
        )
        # "not-a-character" (a run with that class) is "—" where space is short, as on the Draw tab.
        names = [REJECT_SHOWN if name == NOT_A_CHARACTER else name for name in view.label_names]
        self.confusion_view.set_matrix(view.confusion, names)
        # A class with no samples in the split is "no samples", not 0% right; the reject class
        # never has any (the test split holds characters only), so it gets no bar at all.
        support = view.confusion.sum(axis=1)
        bars = len(names) - int(view.label_names[-1:] == (NOT_A_CHARACTER,) and support[-1] == 0)
        self.class_bars.set_accuracy(view.per_class_accuracy[:bars], names[:bars], support=support[:bars])
        self.gallery.set_mistakes(view.mistake_images, view.mistake_true, view.mistake_predicted,
                                  view.mistake_confidence, names)
        self._fill_filters(view.label_names)
        self.setTabText(MISTAKES_PAGE, f"Mistakes ({len(view.mistake_true):,})")

    # ---- mistakes, filtered

    def _fill_filters(self, label_names) -> None:
        for combo in (self.true_filter, self.predicted_filter):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("any", None)
            for i, name in enumerate(label_names):
                combo.addItem(name, i)
            combo.setEnabled(bool(label_names))
            combo.blockSignals(False)
        self._apply_filter()

    def show_mistakes_of(self, true: int, predicted: int) -> None:
        """A confusion-matrix cell was clicked: the Mistakes page, filtered to that cell."""
        if self.evaluation is None:
            return
        for combo, value in ((self.true_filter, true), (self.predicted_filter, predicted)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self._apply_filter()
        self.setCurrentIndex(MISTAKES_PAGE)

    def _apply_filter(self) -> None:
        true, predicted = self.true_filter.currentData(), self.predicted_filter.currentData()
        self.gallery.set_filter(true, predicted)
        self.mistakes_label.setText(self.mistakes_summary())

    def mistakes_summary(self) -> str:
        """The line above the gallery: how many mistakes match and how many are shown."""
        view = self.evaluation
        if view is None:
            return "Misclassified test samples (true → predicted), most confident first. Click one to see it large."
        true, predicted = self.true_filter.currentData(), self.predicted_filter.currentData()
        names = view.label_names
        if true is not None and true == predicted:
            right = int(view.confusion[true, true])
            return f"Those {right:,} samples of {names[true]} were read right: no mistakes to show there."
        which = " ".join(part for part in (
            f"of true {names[true]}" if true is not None else "",
            f"taken for {names[predicted]}" if predicted is not None else "",
        ) if part)
        matching, total, shown = self.gallery.matching(), self.gallery.total(), self.gallery.count()
        head = f"{matching:,} mistakes {which}" if which else f"{total:,} misclassified {view.split} samples"
        if matching == 0:
            return f"No mistakes {which}." if which else "No mistakes: every sample was read right."
        shown_part = f"showing {shown:,} of {matching:,}" if shown < matching else f"all {matching:,} shown"
        return f"{head} (true → predicted), most confident first; {shown_part}. Click one to see it large."

    def propose_name(self, config) -> None:
        """Fill the name field with the library's proposal for a model of ``config``."""
        from core.models import library

        try:
            self.save_name.setText(library.default_name(config.preset, config.dataset))
        except Exception:  # only a suggestion
            self.save_name.setText(f"{config.preset}-{config.dataset}")

    # ---- save and export

    def _on_save_clicked(self) -> None:
        if self.save_button.isEnabled():
            self.save_requested.emit(self.save_name.text().strip())

    def save(self, run, name: str) -> str | None:
        """Save the finished ``run``'s model (with its evaluation) to the library as ``name``; the saved name, or None."""
        card = None
        with reporting(self, doing="Not saved"):
            card = run.save(name or None)
        if card is None:
            return None
        saved = getattr(card, "name", None) or name
        report(self, f"Saved as “{saved}”. It is now in the Draw tab's model list.", "info")
        return saved

    def write_history_csv(self, path: str | Path, history: dict) -> bool:
        """Write a run's per-epoch history as CSV (atomically)."""
        from core import storage
        from core.training.runs import history_csv

        written = False
        with reporting(self, doing=f"Could not write {path}"):
            storage.write_bytes(path, history_csv(history).encode("utf-8"))
            written = True
        if written:
            report(self, f"History written to {path}", "info")
        return written

    def write_plots_png(self, path: str | Path, plots) -> bool:
        """``plots`` (LivePlots) side by side in one PNG, rendered by pyqtgraph's ImageExporter."""
        from pyqtgraph.exporters import ImageExporter
        from PySide6.QtGui import QColor, QImage, QPainter

        from core import storage

        images = []
        for plot in plots:
            exporter = ImageExporter(plot.plot_widget.getPlotItem())
            exporter.parameters()["width"] = 900
            images.append(exporter.export(toBytes=True))
        width = sum(image.width() for image in images)
        height = max(image.height() for image in images)
        canvas = QImage(width, height, QImage.Format.Format_RGB32)
        canvas.fill(QColor("white"))
        painter = QPainter(canvas)
        x = 0
        for image in images:
            painter.drawImage(x, 0, image)
            x += image.width()
        painter.end()
        written = False
        with reporting(self, doing=f"Could not write {path}"):
            with storage.atomic_path(path, suffix=".png") as tmp:
                if not canvas.save(str(tmp), "PNG"):
                    raise OSError(f"could not encode {path} as PNG")
            written = True
        if written:
            report(self, f"Plots written to {path}", "info")
        return written
