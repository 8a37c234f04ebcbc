"""Resource files (icon, desktop entry, metainfo, MIME type), their lookup, and per-user desktop install."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import groupdesk
from groupdesk import APP_ID, desktop_install, resources
from groupdesk.errors import UserError
from tests.conftest import missing_component

REPO = Path(__file__).resolve().parents[2]
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def require_tool(name: str) -> str:
    """The tool's path; fail (not skip) when missing: CI installs desktop-file-utils and appstream."""
    exe = shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return exe


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.fixture
def no_resources_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.RESOURCES_ENV, raising=False)


# --- lookup ---------------------------------------------------------------------------------------------


def test_checkout_lookup_finds_every_file(no_resources_env: None) -> None:
    assert resources.resources_dir() == REPO / "resources"
    for path in (
        resources.icon_svg(),
        resources.desktop_file(),
        resources.metainfo_file(),
        resources.mime_file(),
        resources.resource_path("screenshots", "main-window.png"),
    ):
        assert path.is_file(), path
    assert resources.icon_svg().read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_png_icons_have_their_sizes(no_resources_env: None) -> None:
    pngs = resources.icon_pngs()
    assert sorted(pngs) == [16, 32, 48, 64, 128, 256]
    for size, path in pngs.items():
        assert png_size(path) == (size, size)
    with pytest.raises(ValueError):
        resources.icon_png(20)


def test_icon_theme_files_keep_the_hicolor_layout(no_resources_env: None) -> None:
    rels = {rel for _src, rel in resources.icon_theme_files()}
    assert f"hicolor/scalable/apps/{APP_ID}.svg" in rels
    assert f"hicolor/48x48/apps/{APP_ID}.png" in rels
    assert len(rels) == 7


def test_installed_wheel_layout_is_found(tmp_path: Path) -> None:
    """A wheel has groupdesk/_resources next to the modules and no checkout around it."""
    site = tmp_path / "site"
    pkg = site / "groupdesk"
    pkg.mkdir(parents=True)
    for name in ("__init__.py", "resources.py"):
        shutil.copy(REPO / "groupdesk" / name, pkg / name)
    shutil.copytree(REPO / "resources", pkg / "_resources")
    env = {k: v for k, v in os.environ.items() if k != resources.RESOURCES_ENV}
    env["PYTHONPATH"] = str(site)
    code = "from groupdesk import resources as r; print(r.resources_dir()); print(r.desktop_file())"
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.split()
    assert out == [str(pkg / "_resources"), str(pkg / "_resources" / resources.DESKTOP_FILENAME)]


def test_pyinstaller_layout_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_resources_env: None
) -> None:
    bundled = tmp_path / "groupdesk" / "_resources"
    shutil.copytree(REPO / "resources", bundled)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == bundled
    assert resources.metainfo_file() == bundled / resources.METAINFO_FILENAME


def test_env_override_and_missing_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(resources.RESOURCES_ENV, str(tmp_path))
    with pytest.raises(resources.ResourceNotFoundError, match="missing"):
        resources.resources_dir()
    (tmp_path / resources.DESKTOP_FILENAME).write_text("[Desktop Entry]\n", encoding="utf-8")
    assert resources.resources_dir() == tmp_path
    with pytest.raises(resources.ResourceNotFoundError, match="metainfo"):
        resources.metainfo_file()


# --- the shipped files ----------------------------------------------------------------------------------


def test_desktop_file_validates() -> None:
    exe = require_tool("desktop-file-validate")
    proc = subprocess.run([exe, str(resources.desktop_file())], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_metainfo_validates() -> None:
    exe = require_tool("appstreamcli")
    proc = subprocess.run(
        [exe, "validate", "--no-net", str(resources.metainfo_file())], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Infos (e.g. <developer>, unknown to AppStream 0.16) are fine; warnings and errors are not.
    assert not [ln for ln in proc.stdout.splitlines() if ln[:2] in ("W:", "E:")], proc.stdout


def test_desktop_entry_matches_the_package() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    entry = read_entry(resources.desktop_file())
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert entry["Exec"].split()[0] == desktop_install.GUI_LAUNCHER
    assert desktop_install.GUI_LAUNCHER in project["gui-scripts"]
    assert entry["Exec"].endswith(" %F")
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert set(entry["MimeType"].strip(";").split(";")) == {resources.EXPORT_MIME_TYPE, "application/zip"}
    assert {"Office", "ProjectManagement"} <= set(entry["Categories"].strip(";").split(";"))


def test_metainfo_matches_the_package() -> None:
    root = ET.parse(resources.metainfo_file()).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == resources.DESKTOP_FILENAME
    assert root.findtext("icon") == APP_ID
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == groupdesk.__version__
    assert newest.find("description/p") is not None
    image = root.findtext("screenshots/screenshot/image") or ""
    assert image.startswith("https://") and image.endswith("/resources/screenshots/main-window.png")
    assert png_size(resources.resource_path("screenshots", "main-window.png"))[0] >= 620
    assert resources.EXPORT_MIME_TYPE in [m.text for m in root.findall("provides/mediatype")]


def test_mime_package_declares_the_export_type() -> None:
    root = ET.parse(resources.mime_file()).getroot()
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == resources.EXPORT_MIME_TYPE
    assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*" + resources.EXPORT_SUFFIX]
    assert mime.findall(f"{MIME_NS}magic/{MIME_NS}match")


def test_windows_and_macos_icons_hold_every_size() -> None:
    ico = (REPO / "packaging" / "groupdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 6)
    dims = sorted(ico[6 + 16 * i] or 256 for i in range(count))
    assert dims == [16, 32, 48, 64, 128, 256]
    icns = (REPO / "packaging" / "groupdesk.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    for kind in (b"icp4", b"icp5", b"icp6", b"ic07", b"ic08"):
        assert kind in icns


# --- desktop install ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/groupdesk-gui", "/usr/bin/groupdesk-gui"),
        ("/opt/My Apps/gd", '"/opt/My Apps/gd"'),
        ("/a/50%/gd", "/a/50%%/gd"),
        ('/a/"q"/$x/gd', '"/a/\\\\"q\\\\"/\\\\$x/gd"'),
        ("C:\\gd", '"C:\\\\\\\\gd"'),
        ("", '""'),
    ],
)
def test_exec_arg_quotes_per_spec(arg: str, quoted: str) -> None:
    assert desktop_install.exec_arg(arg) == quoted


def test_install_into_xdg_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    launcher = tmp_path / "My Apps" / "groupdesk-gui"
    written = desktop_install.install_desktop(command=[str(launcher)])

    entry_path = home / "applications" / f"{APP_ID}.desktop"
    assert written[0] == entry_path
    expected = {entry_path, home / "mime" / "packages" / f"{APP_ID}.xml"}
    expected |= {
        home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in resources.ICON_SIZES
    }
    expected.add(home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg")
    assert set(written) == expected
    assert all(p.is_file() for p in written)
    assert (home / "mime" / "packages" / f"{APP_ID}.xml").read_bytes() == resources.mime_file().read_bytes()

    entry = read_entry(entry_path)
    assert entry["Exec"] == f'"{launcher}" %F'
    assert entry["TryExec"] == str(launcher)
    assert entry["Icon"] == APP_ID
    exe = require_tool("desktop-file-validate")
    proc = subprocess.run([exe, str(entry_path)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout

    removed = desktop_install.uninstall_desktop()
    assert set(removed) == expected
    assert not any(p.exists() for p in expected)
    assert desktop_install.uninstall_desktop() == []


def test_install_default_command_points_at_a_real_program(tmp_path: Path) -> None:
    command = desktop_install.default_launch_command()
    assert Path(command[0]).is_file()
    desktop_install.install_desktop(tmp_path, refresh=False)
    entry = read_entry(tmp_path / "applications" / f"{APP_ID}.desktop")
    assert entry["Exec"].endswith(" %F")
    assert entry["TryExec"] == command[0]


def test_install_works_without_cache_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    written = desktop_install.install_desktop(tmp_path / "share", command=["/usr/bin/groupdesk-gui"])
    assert len(written) == 9
    assert not (tmp_path / "share" / "mime" / "mime.cache").exists()


def test_install_refreshes_caches_when_tools_exist(tmp_path: Path) -> None:
    if not shutil.which("update-mime-database"):
        missing_component("update-mime-database not installed (Debian: shared-mime-info)")
    desktop_install.install_desktop(tmp_path, command=["/usr/bin/groupdesk-gui"])
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8")
    assert f"{resources.EXPORT_MIME_TYPE}:*{resources.EXPORT_SUFFIX}" in globs
    desktop_install.uninstall_desktop(tmp_path)
    assert resources.EXPORT_MIME_TYPE not in (tmp_path / "mime" / "globs2").read_text(encoding="utf-8")


def test_installed_mime_type_recognises_exports(tmp_path: Path) -> None:
    """Qt's MIME database (as the desktop sees it) maps exports to our type by name and by content."""
    share = tmp_path / "share"
    desktop_install.install_desktop(share, command=["/usr/bin/groupdesk-gui"], refresh=False)
    named = tmp_path / ("plan" + resources.EXPORT_SUFFIX)
    named.write_text("{}", encoding="utf-8")
    unnamed = tmp_path / "export-without-extension"
    unnamed.write_text('{\n  "format": "groupdesk",\n  "version": 1,\n  "groups": []\n}\n', encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}', encoding="utf-8")
    code = (
        "import sys\nfrom PySide6.QtCore import QMimeDatabase\ndb = QMimeDatabase()\n"
        "for f in sys.argv[1:]: print(db.mimeTypeForFile(f).name())"
    )
    env = dict(os.environ, XDG_DATA_HOME=str(share), XDG_DATA_DIRS="/usr/local/share:/usr/share")
    out = subprocess.run(
        [sys.executable, "-c", code, str(named), str(unnamed), str(other)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    assert out == [resources.EXPORT_MIME_TYPE, resources.EXPORT_MIME_TYPE, "application/json"]


def test_install_refuses_non_freedesktop_platforms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(UserError, match="Linux"):
        desktop_install.install_desktop(tmp_path)
    with pytest.raises(UserError, match="Linux"):
        desktop_install.uninstall_desktop(tmp_path)
    assert not any(tmp_path.iterdir())


def test_data_home_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_install.data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert desktop_install.data_home() == Path.home() / ".local" / "share"
    assert desktop_install.data_home(tmp_path / "x") == tmp_path / "x"
