"""Entry point of both executables in the PyInstaller bundle (see groupdesk.spec).

``groupdesk`` runs the command line (a console program); ``groupdesk-gui`` is the windowed launcher (no
console on Windows, the main program of the macOS app) and opens the window. Both are this script; it
tells them apart by the executable's name.

``GROUPDESK_BUNDLE_SELFTEST=1`` makes either executable print a JSON report of what the bundle holds
(version, resource folder, keyring backends and their entry points, the desktop launch command, Qt
drawing the SVG icon offscreen) and exit; the packaging test and
``build.sh`` use it to check the hidden imports without needing a keyring service.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Modules the bundle must hold although nothing imports them by name: keyring picks its backend at run time.
KEYRING_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "secretstorage",
    "jeepney",
)


def _qt_check(svg: Path) -> dict[str, object]:
    """Start Qt (offscreen unless told otherwise) and draw the SVG icon: platform and image plugins work."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication, QIcon

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    image = QIcon(str(svg)).pixmap(64, 64).toImage()
    return {
        "version": qVersion(),
        "platform": app.platformName(),
        "icon_size": [image.width(), image.height()],
        "icon_centre": image.pixelColor(32, 32).name(),
    }


def _selftest() -> int:
    import importlib
    import json
    from importlib import metadata

    import groupdesk
    from groupdesk import resources

    frozen = bool(getattr(sys, "frozen", False))
    report: dict[str, object] = {"version": groupdesk.__version__, "frozen": frozen}
    try:
        report["resources"] = str(resources.resources_dir())
        r = resources
        files = (r.desktop_file(), r.metainfo_file(), r.mime_file(), r.icon_svg(), *r.icon_pngs().values())
        report["resource_files"] = [str(p) for p in files]
    except FileNotFoundError as exc:
        report["resources_error"] = str(exc)
    modules = {}
    for name in KEYRING_MODULES:
        try:
            importlib.import_module(name)
            modules[name] = "ok"
        except Exception as exc:  # report every failure, keep going
            modules[name] = f"{type(exc).__name__}: {exc}"
    report["modules"] = modules
    report["keyring_entry_points"] = sorted(ep.name for ep in metadata.entry_points(group="keyring.backends"))
    if sys.platform.startswith("linux"):
        from groupdesk.desktop_install import default_launch_command

        report["launch_command"] = default_launch_command()
    report["qt"] = _qt_check(resources.icon_svg())
    print(json.dumps(report, indent=2))
    return 0


def run() -> int:
    """Run the command line or the window, depending on this executable's name."""
    # A windowed exe on Windows has no console: give print() and logging somewhere harmless to write.
    for stream in ("stdout", "stderr"):
        if getattr(sys, stream) is None:
            setattr(sys, stream, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    if os.environ.get("GROUPDESK_BUNDLE_SELFTEST") == "1":
        return _selftest()
    from groupdesk.app import gui_main, main

    if Path(sys.executable).stem.lower().endswith("-gui"):
        return gui_main()
    return main()


if __name__ == "__main__":
    sys.exit(run())
