"""Ratio benchmarks (not tests): ``python -m benchmarks [NAME...]`` from the repository root.

Each benchmark is a module of this package, named like the line it prints, with a ``run() -> float``.
The runner prints exactly one line ``name: value`` per benchmark on stdout; details (absolute times,
sizes) go to stderr. Modules whose names start with ``_`` are helpers, not benchmarks.
"""
