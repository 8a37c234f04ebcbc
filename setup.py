"""Build hook: ship the top-level ``resources/`` folder inside the package as ``groupdesk/_resources``.

Everything else is declared in pyproject.toml. ``[tool.setuptools.packages.find]`` only sees packages
under ``groupdesk/``, so the mapped ``groupdesk._resources`` package (``package-dir`` in pyproject.toml)
and its sub-folders are added here. ``groupdesk.resources`` finds the files in the installed package,
a PyInstaller bundle, or a source checkout (including ``pip install -e .``).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = Path(__file__).resolve().parent / "resources"
PACKAGE = "groupdesk._resources"


class BuildPyWithResources(build_py):
    """``build_py`` that also builds the data-only ``groupdesk._resources`` package (and its sub-folders)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        names = [PACKAGE] + [
            PACKAGE + "." + ".".join(d.relative_to(RESOURCES).parts)
            for d in sorted(RESOURCES.rglob("*"))
            if d.is_dir() and not d.name.startswith((".", "__"))
        ]
        self.packages = list(self.packages or []) + [n for n in names if n not in (self.packages or [])]


setup(cmdclass={"build_py": BuildPyWithResources})
