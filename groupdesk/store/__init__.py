"""Peewee storage: database proxy and init, models, migrations, repository."""
