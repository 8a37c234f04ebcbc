"""Thin launcher: ``python main.py`` opens GroupDesk exactly like the ``groupdesk`` command."""

import sys

from groupdesk.app import main

if __name__ == "__main__":
    sys.exit(main())
