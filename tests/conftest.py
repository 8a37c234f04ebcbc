"""Shared fixtures: a real SQLite file per test, offscreen Qt, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Qt aborts without a display; tests always run offscreen unless told otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("GROUPDESK_DATA_DIR", None)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for one test."""
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def store(data_dir: Path):
    """A freshly initialised real SQLite store in ``data_dir``; closed after the test."""
    from groupdesk.app import open_store
    from groupdesk.store.db import close_db

    database = open_store(data_dir)
    yield database
    close_db()


@pytest.fixture
def run_cli(data_dir: Path):
    """Run ``python -m groupdesk ARGS`` in a subprocess against ``data_dir``; returns CompletedProcess."""

    def _run(*args: str, input: str | None = None, data: Path | None = None, timeout: float = 120):
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [sys.executable, "-m", "groupdesk", "--data-dir", str(data or data_dir), *args]
        return subprocess.run(cmd, input=input, capture_output=True, text=True, env=env, timeout=timeout)

    return _run


def missing_component(message: str) -> None:
    """A real part the test needs (a Debian package, a service) is missing.

    On a developer's machine the test is skipped with ``message`` (which names the package); in CI
    (``CI`` set) it fails: CI installs every component, so a missing one is a broken setup.
    """
    if os.environ.get("CI"):
        pytest.fail(f"missing component in CI: {message}", pytrace=False)
    pytest.skip(message)
