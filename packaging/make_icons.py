"""Render the application icon's PNG sizes (and the Windows .ico / macOS .icns) from its SVG.

Run from anywhere after editing the SVG, then commit the outputs::

    python packaging/make_icons.py

Uses PySide6's QSvgRenderer offscreen (no display needed). Writes:

* ``resources/icons/hicolor/<n>x<n>/apps/<APP_ID>.png`` for n in 16, 32, 48, 64, 128, 256 (the XDG
  icon-theme layout, so desktop integration copies them as they are);
* ``packaging/groupdesk.ico`` (PNG-compressed entries, Windows Vista and later) for the Windows exe;
* ``packaging/groupdesk.icns`` (PNG entries) for the macOS app bundle.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from groupdesk import APP_ID  # noqa: E402

SIZES = (16, 32, 48, 64, 128, 256)
SVG = REPO / "resources" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
ICO = HERE / "groupdesk.ico"
ICNS = HERE / "groupdesk.icns"
# icns element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08"}


def png_path(size: int, root: Path = REPO / "resources") -> Path:
    """Where the PNG of one size lives (XDG hicolor layout)."""
    return root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render_png(svg: Path, size: int) -> bytes:
    """Render ``svg`` to a square transparent PNG of ``size`` pixels; return the PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buf, "PNG"):
        raise SystemExit(f"make_icons: PNG encoding failed for size {size}")
    buf.close()
    return bytes(data.data())


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """An .ico file whose entries are the given PNGs (allowed since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for n in sizes:
        data = pngs[n]
        dim = 0 if n >= 256 else n  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """An .icns file with PNG elements for the sizes macOS has element types for."""
    body = b""
    for n, kind in ICNS_TYPES.items():
        if n in pngs:
            body += kind + struct.pack(">I", 8 + len(pngs[n])) + pngs[n]
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    """Render every output; print what was written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (keeps Qt's GUI state alive)
    pngs = {n: render_png(SVG, n) for n in SIZES}
    for n, data in pngs.items():
        out = png_path(n)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(out.relative_to(REPO))
    ICO.write_bytes(build_ico(pngs))
    print(ICO.relative_to(REPO))
    ICNS.write_bytes(build_icns(pngs))
    print(ICNS.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
