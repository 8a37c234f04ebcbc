"""``groupdesk install-desktop`` / ``uninstall-desktop`` (and ``--install-desktop``) as a user runs them: a
subprocess whose ``HOME`` and ``XDG_DATA_HOME`` are temporary folders, so nothing reaches the real desktop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from groupdesk import APP_ID
from groupdesk.resources import ICON_SIZES

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    sys.platform.startswith(("win", "darwin")), reason="desktop integration is for freedesktop systems"
)


def run(home: Path, *args: str, xdg: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = xdg if xdg is not None else str(home / "xdg-data")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "groupdesk", "--data-dir", str(home / "gd-data"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def expected_files(share: Path) -> set[Path]:
    icons = {share / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES}
    return {
        share / "applications" / f"{APP_ID}.desktop",
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        share / "mime" / "packages" / f"{APP_ID}.xml",
        *icons,
    }


def test_install_prints_what_it_wrote_and_uninstall_takes_it_back(tmp_path: Path) -> None:
    share = tmp_path / "xdg-data"
    result = run(tmp_path, "install-desktop")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"GroupDesk is in your launcher menu now. Files written in {share}:"
    printed = {Path(line.strip()) for line in lines[1:] if line.startswith("  ")}
    assert printed == expected_files(share)
    assert all(p.is_file() for p in printed)
    assert not (tmp_path / ".local").exists()  # XDG_DATA_HOME was used, not ~/.local/share

    entry = (share / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" %F")
    assert lines[-1].startswith("The launcher starts: ")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(share / "applications" / f"{APP_ID}.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    if shutil.which("update-mime-database"):  # the MIME cache was rebuilt for the new type
        assert "x-groupdesk+json" in (share / "mime" / "globs2").read_text(encoding="utf-8")

    again = run(tmp_path, "install-desktop")  # installing twice is fine
    assert again.returncode == 0, again.stderr

    removed = run(tmp_path, "uninstall-desktop")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines()[0] == "Removed:"
    assert {Path(line.strip()) for line in removed.stdout.splitlines()[1:]} == expected_files(share)
    assert not any(p.exists() for p in expected_files(share))

    nothing = run(tmp_path, "uninstall-desktop")
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.startswith("Nothing to remove:")


def test_a_place_that_cannot_be_written_is_bad_input(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    result = run(tmp_path, "install-desktop", xdg=str(blocker))
    assert result.returncode == 2
    assert result.stderr.startswith("groupdesk: cannot install the desktop entry into")
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_the_flag_does_what_the_command_does(tmp_path: Path) -> None:
    from groupdesk import cli

    if "--install-desktop" not in cli.build_parser().format_usage():
        pytest.skip("groupdesk --install-desktop is not wired into cli.py yet")
    result = run(tmp_path, "--install-desktop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("GroupDesk is in your launcher menu now.")
    assert (tmp_path / "xdg-data" / "applications" / f"{APP_ID}.desktop").is_file()


def test_help_lists_both_commands(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert "install-desktop" in result.stdout and "uninstall-desktop" in result.stdout
