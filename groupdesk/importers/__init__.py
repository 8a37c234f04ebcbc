"""Qt-free, DB-free readers for exported group lists; each returns plain GroupRecord objects."""
