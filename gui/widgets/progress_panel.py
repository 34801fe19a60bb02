"""A status line, a progress bar and an optional Cancel button: how every task shows its progress.

Core reports progress as ``(done, total, message)`` with ``total`` None or 0 when it is
not known (a download without a Content-Length, a save).  This is the one place that
turns that into a bar: a known total becomes per-mille (byte counts overflow a
QProgressBar's int range), an unknown one a busy bar.  The status line is elided and
the panel's width hint is fixed, so a long message never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.elided_label import ElidedLabel

STEPS = 1000


class ProgressPanel(QWidget):
    """``start(text)``, then ``set_progress(done, total, message)`` from a worker, then ``finish()``.

    ``layout`` is ``"stacked"`` (status above the bar) or ``"inline"`` (status, then a short
    bar, on one line). ``cancellable`` adds a Cancel button that emits :attr:`cancel_clicked`
    and disables itself (the task says when it has stopped).
    """

    cancel_clicked = Signal()

    def __init__(self, parent=None, cancellable: bool = False, inline: bool = False, show_percent: bool = True) -> None:
        super().__init__(parent)
        self._total: int | None = None
        self.status = ElidedLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(show_percent)
        self.cancel_button: QPushButton | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if inline:
            row.addWidget(self.status, 1)
            self.bar.setMaximumWidth(120)
            row.addWidget(self.bar)
        else:
            row.addWidget(self.bar, 1)
        if cancellable:
            self.cancel_button = QPushButton("Cancel")
            self.cancel_button.clicked.connect(self._on_cancel)
            row.addWidget(self.cancel_button)
        if inline:
            layout = row
            self.setLayout(layout)
        else:
            layout = QVBoxLayout(self)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.status)
            layout.addLayout(row)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.hide()

    def start(self, text: str) -> None:
        """Show the panel with ``text`` and a busy bar (the total is not known yet)."""
        self._total = None
        self.status.setText(text)
        self.bar.setRange(0, 0)
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int | None, message: str = "") -> None:
        """Show ``done`` of ``total`` (a busy bar when the total is unknown), and ``message`` if any."""
        if total:
            self._total = int(total)
            self.bar.setRange(0, STEPS)
            self.bar.setValue(min(STEPS, int(done) * STEPS // int(total)))
        else:
            self.bar.setRange(0, 0)
        if message:
            self.status.setText(message)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def finish(self) -> None:
        """Hide the panel (the task ended one way or another)."""
        self._total = None
        self.hide()

    def value(self) -> int:
        """The bar's position, 0..1000 (per-mille of the task)."""
        return self.bar.value()

    def total(self) -> int | None:
        """The last known total the task reported (None while unknown)."""
        return self._total

    def text(self) -> str:
        """The full status text (the label may show it elided)."""
        return self.status.text()

    def _on_cancel(self) -> None:
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)
        self.cancel_clicked.emit()

