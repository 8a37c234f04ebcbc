"""Peewee models of DESIGN.md's data model. Every model's database is the one ``db`` proxy."""

from __future__ import annotations

from datetime import datetime

from peewee import (
    BareField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

db = DatabaseProxy()


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class BaseModel(Model):
    """Common base: all models live in the one database behind ``db``."""

    class Meta:
        database = db
        legacy_table_names = False


class ImportBatch(BaseModel):
    """One applied import (file or set of files); lets the import be undone as a whole."""

    at = DateTimeField(default=_now)
    file = TextField()
    kind = CharField()
    sha256 = CharField(null=True)
    new_count = IntegerField(default=0)
    updated_count = IntegerField(default=0)
    unchanged_count = IntegerField(default=0)
    skipped_count = IntegerField(default=0)
    undone = BooleanField(default=False)


class Group(BaseModel):
    """A group I belong to, am invited to, or have left."""

    name = TextField()
    name_key = TextField(index=True)  # normalised name for de-duplication
    network = CharField(default="other", index=True)
    url = TextField(null=True)
    external_id = TextField(null=True)
    status = CharField(default="member", index=True)
    how_joined = CharField(default="unknown")
    invited_by = TextField(null=True)
    invite_personal = BooleanField(null=True)
    invited_on = DateField(null=True)
    joined_on = DateField(null=True)
    left_on = DateField(null=True)
    cost_amount = FloatField(null=True)
    cost_period = CharField(default="none")
    currency = CharField(null=True)
    hours_per_month = FloatField(null=True)
    emails_per_week = FloatField(null=True)
    last_group_activity = DateField(null=True)
    posts_per_week = FloatField(null=True)
    value_to_me = IntegerField(null=True)
    value_from_me = IntegerField(null=True)
    spam_level = IntegerField(null=True)
    review_on = DateField(null=True)
    commitment_per_month = IntegerField(null=True)
    tags = TextField(null=True)
    notes = TextField(null=True)
    source = TextField(null=True)
    # Names of the fields the user typed (JSON list): imports never overwrite them.
    user_fields = TextField(default="[]")
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", backref="groups")
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    # What the last successful online activity check measured (schema 5, ``store.probe_store``).
    activity_members = IntegerField(null=True)
    activity_active_users = IntegerField(null=True)
    activity_active_window = CharField(null=True)  # a key of probes.ACTIVE_WINDOWS
    activity_posts_per_week = FloatField(null=True)  # as measured, even when the user typed posts_per_week
    activity_source = CharField(null=True)  # a key of probes.PLATFORMS
    activity_source_url = TextField(null=True)
    activity_measured_at = DateTimeField(null=True)  # UTC, naive
    activity_title = TextField(null=True)
    activity_notes = TextField(null=True)  # JSON list of sentences
    # The last failed check (cleared by the next successful one).
    probe_error_kind = CharField(null=True)  # a key of probes.ERROR_KINDS
    probe_error_message = TextField(null=True)
    probe_error_at = DateTimeField(null=True)  # UTC, naive

    class Meta:
        indexes = ((("network", "external_id"), False),)


class Contribution(BaseModel):
    """My participation log: one post, comment, answer, event attended or thing organised."""

    group = ForeignKeyField(Group, backref="contributions", on_delete="CASCADE")
    date = DateField(index=True)
    kind = CharField(default="post")
    note = TextField(default="")
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")


class Decision(BaseModel):
    """The decision journal: what I decided about a group, when, and why."""

    group = ForeignKeyField(Group, backref="decisions", on_delete="CASCADE")
    at = DateTimeField(default=_now)
    action = CharField()
    reasons = TextField(default="[]")  # JSON list of rule ids
    answers = TextField(default="{}")  # JSON object of the dialog's answers
    note = TextField(default="")
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")


class Invite(BaseModel):
    """An invitation to a group, from mail, an import or typed by hand."""

    group = ForeignKeyField(Group, backref="invites", on_delete="CASCADE")
    received_at = DateTimeField(default=_now)
    inviter = TextField(default="")
    channel = CharField(default="manual")
    message_id = TextField(null=True, unique=True)
    subject = TextField(default="")
    personal = BooleanField(null=True)
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")


class ImportChange(BaseModel):
    """One field of an existing group that an import changed, with the value it had before.

    Values are stored as the group's column stores them (ISO text for dates, 0/1 for booleans), in
    untyped columns so that they come back exactly. Undoing the batch puts ``old_value`` back where
    the field still holds ``new_value`` and the user has not typed it since.
    """

    batch = ForeignKeyField(ImportBatch, backref="changes", on_delete="CASCADE")
    group = ForeignKeyField(Group, on_delete="CASCADE")
    field_name = CharField()
    old_value = BareField(null=True)
    new_value = BareField(null=True)


class Setting(BaseModel):
    """Small key/value settings that belong with the data (not with the window)."""

    key = CharField(primary_key=True)
    value = TextField()


class ProbeCache(BaseModel):
    """Answers of the activity checks' sites kept for conditional requests (ETag / Last-Modified)."""

    url = TextField(primary_key=True)
    etag = TextField(null=True)
    last_modified = TextField(null=True)
    body = TextField()
    fetched_at = DateTimeField()  # when the site last confirmed the body (UTC, naive)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    ImportBatch,
    Group,
    Contribution,
    Decision,
    Invite,
    Setting,
    ImportChange,
    ProbeCache,
)
