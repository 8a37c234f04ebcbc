"""GroupDesk: take charge of the groups you belong to or are invited to."""

__version__ = "0.1.0"
APP_NAME = "GroupDesk"
APP_ID = "io.github.groupdesk.GroupDesk"
