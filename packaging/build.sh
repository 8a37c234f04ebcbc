#!/usr/bin/env bash
# Build GroupDesk's one-folder bundle for this OS with PyInstaller, smoke-test it, print the bundle's path.
#
#   bash packaging/build.sh
#
# Creates (or reuses) a virtualenv, installs GroupDesk with its dependencies and PyInstaller into it, and
# runs packaging/groupdesk.spec. Linux and macOS; on Windows run it from Git Bash (or see README.md).
# Environment:
#   PYTHON               interpreter that creates the build virtualenv (default: python3)
#   GROUPDESK_BUILD_DIR  virtualenv and PyInstaller work files (default: <repo>/build)
#   GROUPDESK_DIST_DIR   where the bundle goes (default: <repo>/dist): dist/groupdesk/ (+ GroupDesk.app on macOS)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GROUPDESK_BUILD_DIR:-$repo/build}
dist=${GROUPDESK_DIST_DIR:-$repo/dist}
python=${PYTHON:-python3}
venv=$build/venv

if [ ! -x "$venv/bin/python" ] && [ ! -x "$venv/Scripts/python.exe" ]; then
    echo "build.sh: creating $venv" >&2
    "$python" -m venv "$venv"
fi
if [ -x "$venv/Scripts/python.exe" ]; then vpy=$venv/Scripts/python.exe; else vpy=$venv/bin/python; fi

echo "build.sh: installing GroupDesk and PyInstaller into $venv" >&2
"$vpy" -m pip install --quiet --disable-pip-version-check "$repo" "pyinstaller>=6.10,<7" >&2

echo "build.sh: running PyInstaller" >&2
"$vpy" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$build/pyinstaller" "$repo/packaging/groupdesk.spec" >&2

bundle=$dist/groupdesk
exe=$bundle/groupdesk
[ -f "$exe.exe" ] && exe=$exe.exe
echo "build.sh: smoke test: $("$exe" --version)" >&2
echo "$bundle"
