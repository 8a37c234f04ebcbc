"""``python -m groupdesk`` runs the command line."""

import sys

from groupdesk.app import main

sys.exit(main())
