"""The mouse wheel changes a spin box or combo box only when that field has keyboard focus.

Scrolling a settings panel over its fields used to change whatever value passed under the
pointer (a learning rate of 0.003 became 0.0022 unnoticed).  :func:`guard_wheel` fixes a
widget tree once it is built: the fields take focus only by click or Tab, and a wheel over
an unfocused field is passed up to the scroll area around it instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

_GUARDED = (QAbstractSpinBox, QComboBox)


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            # Hand the wheel to the panel around the field, so the panel scrolls.
            QApplication.sendEvent(area.viewport(), event.clone())
            event.accept()
        else:
            event.ignore()  # Qt passes an ignored wheel on to the parent widget
        return True


_guard: _WheelGuard | None = None


def guard_wheel(root: QWidget) -> int:
    """Guard every spin box and combo box under ``root`` (and ``root`` itself); how many."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard()
    fields = [w for w in root.findChildren(QWidget) if isinstance(w, _GUARDED)]
    if isinstance(root, _GUARDED):
        fields.append(root)
    for field in fields:
        if field.property("inklab-wheel-guarded"):
            continue
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wheel never gives focus
        field.installEventFilter(_guard)
        field.setProperty("inklab-wheel-guarded", True)
    return len(fields)
