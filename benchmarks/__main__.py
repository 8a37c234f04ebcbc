"""``python -m benchmarks [NAME...]``: run every benchmark (or the named ones), one line each.

Prints ``name: value`` (two decimals) on stdout per benchmark, details on stderr. Exits 0 when
every benchmark ran, 1 when one failed (its traceback on stderr, no line on stdout), 2 for an
unknown name.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path


def available() -> list[str]:
    """Names of the benchmark modules in this package, sorted."""
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks named in ``argv`` (all when none); return the exit code."""
    names = available()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (of: {', '.join(names)})"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(names))
        return 0
    unknown = [n for n in args.names if n not in names]
    if unknown:
        print(f"benchmarks: unknown {', '.join(unknown)} (known: {', '.join(names)})", file=sys.stderr)
        return 2
    failed = 0
    for name in args.names or names:
        print(f"{name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            value = float(module.run())
        except Exception:
            failed += 1
            traceback.print_exc()
            print(f"{name}: FAILED", file=sys.stderr, flush=True)
            continue
        print(f"  took {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        print(f"{name}: {value:.2f}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
