"""Render the app icon's PNG sizes from its SVG: ``python -m tools.render_icons``.

Desktops pick an icon of the size they draw from ``icons/hicolor/<n>x<n>/apps``; the SVG in
``scalable/apps`` is the source of all of them.  Run again after editing the SVG and commit
the PNGs (the app and ``install-desktop`` use the files, never this script).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from core.resource_files import resource_path

SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_icons() -> list[str]:
    """Write one PNG per size beside the SVG's hicolor tree; the paths written."""
    hicolor = resource_path("icons", "hicolor")
    renderer = QSvgRenderer(str(hicolor / "scalable" / "apps" / "inklab.svg"))
    if not renderer.isValid():
        raise SystemExit("the SVG icon does not parse")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = hicolor / f"{size}x{size}" / "apps" / "inklab.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"could not write {target}")
        written.append(str(target))
    return written


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    print("\n".join(render_icons()))
