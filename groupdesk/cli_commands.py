"""Sub-commands of the command line (list, export, import, demo). Registered on import."""

from __future__ import annotations
