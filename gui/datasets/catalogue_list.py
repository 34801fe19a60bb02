"""The list of every data set the catalogue knows, one row each, and the selected set's details.

A row shows the set's title (elided in the middle when the column is narrow, whole in its
tooltip), a status line (name, classes and kind when the set is here; "downloadable" or
"import it" when not) and, for a set that can be fetched, a Download button on the title
line, so the status stays readable beside it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from core.labels import counted
from gui.widgets.elided_label import ElidedLabel

NAME_ROLE = Qt.ItemDataRole.UserRole


def status_text(spec, available: bool) -> str:
    """The row's second line: what the set is, or how to get it."""
    if available:
        return f"{spec.name} · {counted(len(spec.label_names), 'class')} · {spec.kind}"
    if spec.download is not None:
        return f"{spec.name} · downloadable"
    return f"{spec.name} · import it"


class DatasetRow(QWidget):
    """One catalogue entry in the list: title, status line, and a Download button when it applies."""

    download_clicked = Signal(str)

    def __init__(self, spec, available: bool, parent=None) -> None:
        super().__init__(parent)
        self.name = spec.name
        self.title = ElidedLabel(spec.title, mode=Qt.TextElideMode.ElideMiddle)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.status = ElidedLabel(status_text(spec, available), mode=Qt.TextElideMode.ElideMiddle)
        small = self.status.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.status.setFont(small)
        for label in (self.title, self.status):
            label.setEnabled(available)  # greyed when the set is not here
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setHorizontalSpacing(4)
        layout.setVerticalSpacing(0)
        layout.addWidget(self.title, 0, 0)
        layout.addWidget(self.status, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.download_button: QPushButton | None = None
        if not available and spec.download is not None:
            self.download_button = QPushButton("Download")
            self.download_button.setToolTip(f"Fetch {spec.title} from its public source")
            self.download_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            # Out of the Tab order: from the keyboard, the picked set's own Download button
            # (beside its description) does this; here it came after the thumbnails.
            self.download_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.download_button.clicked.connect(lambda: self.download_clicked.emit(self.name))
            layout.addWidget(self.download_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        elif not available:
            self.setToolTip(spec.how_to_get)

    def set_selected(self, selected: bool) -> None:
        """Selected, the row's text takes the selection's text colour: a missing set's grey on
        the blue selection could not be read."""
        style = "QLabel { color: palette(highlighted-text); }" if selected else ""
        for label in (self.title, self.status):
            label.setStyleSheet(style)


class CatalogueList(QListWidget):
    """The data-set list: :meth:`populate` from the catalogue; emits the picked name and download requests."""

    picked = Signal(str)
    download_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Data sets")
        self.setSpacing(1)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.currentItemChanged.connect(self._on_current_changed)

    def populate(self, specs, available: dict[str, bool], keep: str | None) -> None:
        """Rebuild the rows (signals blocked) and select ``keep`` again when it is still listed."""
        self.blockSignals(True)
        self.clear()
        for spec in specs:
            item = QListWidgetItem()
            item.setData(NAME_ROLE, spec.name)
            here = available[spec.name]
            row = DatasetRow(spec, here)
            row.download_clicked.connect(self.download_requested)
            # Width 0: the row takes the list's width instead of forcing a horizontal scroll bar.
            item.setSizeHint(QSize(0, row.sizeHint().height()))
            item.setToolTip(spec.title if here else (spec.how_to_get or "Not on this machine"))
            self.addItem(item)
            self.setItemWidget(item, row)
        if keep is not None:
            self.set_current(keep)
            row = self.row_widget(keep)
            if row is not None:
                row.set_selected(True)
        self.blockSignals(False)

    def current_name(self) -> str | None:
        """The name of the selected entry (loaded or not)."""
        item = self.currentItem()
        return None if item is None else item.data(NAME_ROLE)

    def set_current(self, name: str) -> None:
        for row in range(self.count()):
            if self.item(row).data(NAME_ROLE) == name:
                self.setCurrentRow(row)
                return

    def row_widget(self, name: str) -> DatasetRow | None:
        for row in range(self.count()):
            if self.item(row).data(NAME_ROLE) == name:
                return self.itemWidget(self.item(row))
        return None

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(self, current: QListWidgetItem | None, previous) -> None:
        for item, selected in ((previous, False), (current, True)):
            row = self.itemWidget(item) if item is not None else None
            if isinstance(row, DatasetRow):
                row.set_selected(selected)
        if current is not None:
            self.picked.emit(current.data(NAME_ROLE))


def details_label() -> QLabel:
    """The selected set's description under the list (rich text, links open in the browser).

    Word-wrapped, and Ignored horizontally: a long description or URL never widens the panel.
    """
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setOpenExternalLinks(True)
    label.setMinimumHeight(60)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label
