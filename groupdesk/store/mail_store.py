"""The mail sync's side of the store: accounts, folder state, mailing lists, traffic and user rules.

Tables (all created by ``init_db``; schema step 4 adds them to older files):

- ``mail_account``: how to reach one mailbox — never a password (that lives only in the OS keyring,
  see ``groupdesk.mail.secrets``), plus when it last synced and the last failure's sentence.
- ``mail_folder_state``: per account and folder, UIDVALIDITY and the last UID considered, so the
  next sync fetches only new mail and starts a folder over when its UIDVALIDITY changes.
- ``mail_list``: every list seen in the mail (by RFC 2919 List-Id, or a rule's key for platform
  senders): its name, network, the group it belongs to (or none: "discovered"), whether the user
  chose to ignore it, and its RFC 2369 ``List-Unsubscribe`` targets (a JSON list that the printed
  plan reads through ``plan_data.list_unsubscribe_targets``).
- ``list_traffic``: messages per list per ISO week; a group's e-mails per week is computed from it.
- ``seen_message``: the Message-IDs of invitations and list mail already counted, so a folder that
  is read again (UIDVALIDITY changed, a copy in another folder, another account) counts nothing twice.
- ``mail_rule``: the user's own classification rules (sender pattern, subject pattern, network).

``apply_sync`` stores one fetched ``SyncBatch`` (messages *and* folder state) in one transaction:
invitations become ``invited`` groups (or attach to the group they name) with Invite rows, list
traffic is counted, and lists without a group are returned as discovered, never added silently
(``add_discovered`` adds them when the user says so).
"""

from __future__ import annotations

import json
import queue
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from groupdesk.errors import UserError
from groupdesk.store.db import finish_open
from groupdesk.store.models import BaseModel, Group, db

if TYPE_CHECKING:
    from groupdesk.mail.classify import Classification, Classifier
    from groupdesk.mail.imap import MailAccountConfig, MailError, SyncBatch


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ---------------------------------------------------------------------------------------------- models


class MailAccount(BaseModel):
    """One mailbox to scan. There is deliberately no password field: see ``mail/secrets.py``."""

    name = CharField(unique=True)
    host = TextField()
    port = IntegerField(null=True)
    security = CharField(default="ssl")
    user = TextField()
    folders = TextField(default='["INBOX"]')  # JSON list of folder names
    cafile = TextField(null=True)
    look_back_days = IntegerField(default=365)
    last_sync_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    created_at = DateTimeField(default=_now)


class MailFolderState(BaseModel):
    """Where the last sync of one folder stopped: (UIDVALIDITY, last UID considered)."""

    account = ForeignKeyField(MailAccount, backref="folder_states", on_delete="CASCADE")
    folder = TextField()
    uidvalidity = IntegerField()
    last_uid = IntegerField()

    class Meta:
        indexes = ((("account", "folder"), True),)


class MailList(BaseModel):
    """A list seen in the mail; ``group`` is None while it is only "discovered"."""

    list_id = TextField(unique=True)
    name = TextField(default="")
    network = CharField(default="mailing_list")
    platform = CharField(default="")
    group = ForeignKeyField(Group, null=True, on_delete="SET NULL", backref="mail_lists")
    list_unsubscribe = TextField(null=True)  # JSON list of RFC 2369 targets, preferred first
    one_click = BooleanField(default=False)  # RFC 8058 one-click unsubscribe offered
    ignored = BooleanField(default=False)  # the user does not want it offered as a group
    first_seen = DateTimeField(default=_now)
    last_seen = DateField(null=True)  # date of the newest message counted


class ListTraffic(BaseModel):
    """How many messages of one list arrived in one ISO week (``2026-W48``)."""

    list_id = TextField()
    week = CharField()
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("list_id", "week"), True),)


class SeenMessage(BaseModel):
    """A Message-ID already counted (invitation or list mail), so it never counts twice."""

    message_id = TextField(primary_key=True)
    kind = CharField()
    list_id = TextField(null=True)
    seen_at = DateTimeField(default=_now)


class MailRule(BaseModel):
    """One user-made classification rule (checked before the built-in ones)."""

    position = IntegerField(default=0)
    name = TextField(default="")
    kind = CharField(default="invitation")
    network = CharField(default="other")
    sender = TextField(default="")
    subject = TextField(default="")


#: The mail tables, in creation order (``init_db`` creates them with the rest).
MAIL_MODELS: tuple[type[BaseModel], ...] = (
    MailAccount,
    MailFolderState,
    MailList,
    ListTraffic,
    SeenMessage,
    MailRule,
)


# ---------------------------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountInfo:
    """A mail account as the settings dialog and ``groupdesk mail list`` show it (no password)."""

    id: int
    name: str
    host: str
    port: int | None
    security: str
    user: str
    folders: tuple[str, ...]
    cafile: str | None
    look_back_days: int
    last_sync_at: datetime | None = None
    last_error: str | None = None
    folder_state: dict[str, tuple[int, int]] = field(default_factory=dict)

    def config(self) -> MailAccountConfig:
        """The connection settings for ``groupdesk.mail.imap``."""
        from groupdesk.mail.imap import MailAccountConfig

        return MailAccountConfig(
            name=self.name,
            host=self.host,
            user=self.user,
            port=self.port,
            security=self.security,
            folders=self.folders,
            cafile=self.cafile,
            look_back_days=self.look_back_days,
        )


#: The account fields ``save_account`` accepts.
ACCOUNT_FIELDS = ("name", "host", "port", "security", "user", "folders", "cafile", "look_back_days")
#: Changing any of these points the account at other mail: its folder state starts over.
_WHERE_FIELDS = ("host", "port", "user")


def _folders(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [p for p in re.split(r"[,\n]", value)]
    names = [str(v).strip() for v in (value or ()) if str(v).strip()]
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return tuple(seen) or ("INBOX",)


def _info(row: MailAccount) -> AccountInfo:
    states = {
        s.folder: (int(s.uidvalidity), int(s.last_uid))
        for s in MailFolderState.select().where(MailFolderState.account == row.id)
    }
    return AccountInfo(
        id=row.id,
        name=row.name,
        host=row.host,
        port=row.port,
        security=row.security,
        user=row.user,
        folders=_folders(row.folders),
        cafile=row.cafile or None,
        look_back_days=int(row.look_back_days),
        last_sync_at=row.last_sync_at,
        last_error=row.last_error,
        folder_state=states,
    )


def _row(account: str | int | AccountInfo | MailAccount) -> MailAccount:
    finish_open()
    if isinstance(account, MailAccount):
        return account
    if isinstance(account, AccountInfo):
        account = account.id
    query = MailAccount.select()
    query = (
        query.where(MailAccount.id == account)
        if isinstance(account, int)
        else query.where(MailAccount.name == account)
    )
    row = query.first()
    if row is None:
        raise UserError(f"There is no mail account named {account!r}.")
    return row


def accounts() -> list[AccountInfo]:
    """Every mail account, by name."""
    finish_open()
    return [_info(r) for r in MailAccount.select().order_by(MailAccount.name)]


def get_account(account: str | int) -> AccountInfo:
    """One account by name or id; ``UserError`` when there is none."""
    return _info(_row(account))


def account_names() -> list[str]:
    """The names of the mail accounts, sorted."""
    return [a.name for a in accounts()]


def clean_account(values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked account values (raises ``MailError``/``UserError`` with a sentence for the user)."""
    from groupdesk.mail.imap import MailAccountConfig

    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise UserError(f"Unknown mail account field: {', '.join(sorted(unknown))}.")
    port = values.get("port")
    try:
        port = int(port) if port not in (None, "", 0, "0") else None
        look_back = int(values.get("look_back_days") or 365)
    except (TypeError, ValueError):
        raise UserError("Port and look back must be whole numbers.") from None
    clean = {
        "name": str(values.get("name") or "").strip(),
        "host": str(values.get("host") or "").strip(),
        "port": port,
        "security": str(values.get("security") or "ssl").strip().lower(),
        "user": str(values.get("user") or "").strip(),
        "folders": _folders(values.get("folders") or ("INBOX",)),
        "cafile": str(values.get("cafile") or "").strip() or None,
        "look_back_days": look_back,
    }
    MailAccountConfig(**clean).validate()
    return clean


def save_account(values: Mapping[str, Any], *, original: str | None = None) -> AccountInfo:
    """Create an account, or change the account named ``original``; return it as stored.

    The password is not part of an account (store it with ``SecretStore.set_password``). Pointing
    an account at another server or user, or looking further back, starts its folders over (the
    messages already counted are not counted again).
    """
    clean = clean_account(values)
    finish_open()
    with db.atomic():
        existing = MailAccount.select().where(MailAccount.name == clean["name"]).first()
        if original is None:
            if existing is not None:
                raise UserError(f"A mail account named {clean['name']!r} exists already.")
            row = MailAccount.create(**{**clean, "folders": json.dumps(list(clean["folders"]))})
            return _info(row)
        row = _row(original)
        if existing is not None and existing.id != row.id:
            raise UserError(f"A mail account named {clean['name']!r} exists already.")
        restart = any(getattr(row, k) != clean[k] for k in _WHERE_FIELDS) or (
            clean["look_back_days"] > int(row.look_back_days)
        )
        for key, value in clean.items():
            setattr(row, key, json.dumps(list(value)) if key == "folders" else value)
        row.save()
        if restart:
            MailFolderState.delete().where(MailFolderState.account == row.id).execute()
    return _info(row)


def delete_account(account: str | int) -> bool:
    """Remove an account and its folder state (its password is the caller's: ``SecretStore``)."""
    finish_open()
    try:
        row = _row(account)
    except UserError:
        return False
    row.delete_instance()
    return True


def folder_state(account: str | int) -> dict[str, tuple[int, int]]:
    """folder → (UIDVALIDITY, last UID) saved by the last sync of ``account``."""
    return get_account(account).folder_state


# ---------------------------------------------------------------------------------------------- rules

RULE_FIELDS = ("name", "kind", "network", "sender", "subject")


def mail_rules() -> list[dict[str, str]]:
    """The user's classification rules in order, as dicts (``RULE_FIELDS`` keys)."""
    finish_open()
    return [
        {k: getattr(r, k) or "" for k in RULE_FIELDS}
        for r in MailRule.select().order_by(MailRule.position, MailRule.id)
    ]


def save_mail_rules(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Replace the user's rules (validated first: a bad pattern raises ``UserError`` naming the rule)."""
    from groupdesk.mail.classify import rules_from_dicts

    clean: list[dict[str, str]] = []
    for i, rule in enumerate(rules):
        item = {k: str(rule.get(k) or "").strip() for k in RULE_FIELDS}
        if not (item["sender"] or item["subject"]):
            continue  # an empty row of the table
        item["kind"] = item["kind"].lower() or "invitation"
        item["network"] = item["network"].lower() or "other"
        item["name"] = item["name"] or f"My rule {i + 1}"
        clean.append(item)
    rules_from_dicts(clean)
    finish_open()
    with db.atomic():
        MailRule.delete().execute()
        for pos, item in enumerate(clean):
            MailRule.create(position=pos, **item)
    return clean


def classifier() -> Classifier:
    """A classifier with the user's rules first, then the built-in ones."""
    from groupdesk.mail.classify import Classifier

    return Classifier(mail_rules())


# ---------------------------------------------------------------------------------------------- identity

_SYMBOLS = re.compile(r"[^\w\s]", re.UNICODE)


def _loose(name: str) -> str:
    """A group name without emoji and punctuation (a last-resort match: "Cyclists 🚲" ~ "Cyclists")."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_SYMBOLS.sub(" ", text).split())


def _group_external_id(c: Classification) -> str | None:
    """The group's external id implied by a message: its List-Id, or a Discourse site's host."""
    if c.platform == "Discourse":
        if c.kind == "invitation":
            name = (c.group_name or "").strip().lower()
            return name if re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", name) else None
        return c.list_id.split(".", 1)[1] if c.list_id and "." in c.list_id else None
    if c.kind == "list" and c.rule != "List-Id":
        return None  # a rule's key such as "linkedin:python developers" names no real id
    return c.list_id or None


class _Groups:
    """Finds existing groups by identity (network + external id, else network + name), with caches."""

    def __init__(self) -> None:
        self._loose: dict[str, dict[str, list[tuple[int, str | None]]]] = {}
        self.created: dict[tuple[str, str, str], int] = {}

    def find(self, network: str, external_id: str | None, name: str | None) -> int | None:
        from groupdesk.domain.records import normalise_name

        if external_id:
            row = db.execute_sql(
                'SELECT id FROM "group" WHERE network = ? AND external_id = ? ORDER BY id LIMIT 1',
                (network, external_id),
            ).fetchone()
            if row:
                return int(row[0])
        if not name:
            return None
        rows = db.execute_sql(
            'SELECT id, external_id FROM "group" WHERE network = ? AND name_key = ? ORDER BY id',
            (network, normalise_name(name)),
        ).fetchall()
        found = self._pick(rows, external_id)
        if found is not None:
            return found
        loose = _loose(name)
        if not loose:
            return None
        if network not in self._loose:
            index: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
            for gid, gname, ext in db.execute_sql(
                'SELECT id, name, external_id FROM "group" WHERE network = ? ORDER BY id', (network,)
            ).fetchall():
                index[_loose(gname)].append((gid, ext))
            self._loose[network] = index
        return self._pick(self._loose[network].get(loose, []), external_id)

    @staticmethod
    def _pick(rows: Iterable[tuple[int, str | None]], external_id: str | None) -> int | None:
        rows = list(rows)
        without = [gid for gid, ext in rows if not ext]
        if without:
            return int(without[0])
        if external_id is None and rows:
            return int(rows[0][0])
        return None  # same name, another id: another group

    def remember(self, network: str, name: str, gid: int) -> None:
        if network in self._loose:
            self._loose[network][_loose(name)].append((gid, None))


def _typed(user_fields: str | None) -> set[str]:
    try:
        return set(json.loads(user_fields or "[]"))
    except ValueError:
        return set()


def _fill_blanks(gid: int, values: Mapping[str, Any]) -> bool:
    """Set the given fields of a group where they are empty and not typed by the user."""
    from groupdesk.store import repository

    current = db.execute_sql(
        'SELECT user_fields, {} FROM "group" WHERE id = ?'.format(", ".join(f'"{k}"' for k in values)),
        (gid,),
    ).fetchone()
    if current is None:
        return False
    typed = _typed(current[0])
    changes = {
        k: v
        for (k, v), old in zip(values.items(), current[1:], strict=True)
        if v is not None and old is None and k not in typed
    }
    if changes:
        repository.update_group(gid, changes, typed_by_user=False)
    return bool(changes)


# ---------------------------------------------------------------------------------------------- sync


@dataclass
class InvitationFound:
    """One invitation a sync stored."""

    group_id: int
    group_name: str
    network: str
    platform: str
    inviter: str | None
    personal: bool | None
    subject: str
    received_at: datetime
    new_group: bool


@dataclass
class ListSeen:
    """A list that had mail in this sync."""

    list_id: str
    name: str
    network: str
    platform: str
    messages: int
    group_id: int | None
    emails_per_week: float | None = None
    group_name: str | None = None


@dataclass
class DiscoveredList:
    """A list the user receives but has no group for."""

    list_id: str
    name: str
    network: str
    platform: str
    messages: int
    emails_per_week: float | None
    last_seen: date | None
    unsubscribe: tuple[str, ...] = ()
    new: bool = False


@dataclass
class SyncSummary:
    """What ``apply_sync`` stored for one account."""

    account: str
    fetched: int = 0
    invitations: list[InvitationFound] = field(default_factory=list)
    lists: list[ListSeen] = field(default_factory=list)
    list_messages: int = 0
    duplicates: int = 0
    discovered: list[DiscoveredList] = field(default_factory=list)
    changed_group_ids: set[int] = field(default_factory=set)
    created_group_ids: set[int] = field(default_factory=set)
    error: MailError | None = None
    folder_errors: dict[str, MailError] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def new_discovered(self) -> list[DiscoveredList]:
        """Discovered lists first seen in this sync."""
        return [d for d in self.discovered if d.new]

    @property
    def complete(self) -> bool:
        """True when every folder synced without error or cancel."""
        return self.error is None and not self.folder_errors and not self.cancelled

    @property
    def errors(self) -> list[MailError]:
        """The failure of the sync and of each skipped folder."""
        return [e for e in [self.error, *self.folder_errors.values()] if e is not None]


@dataclass
class _ListAgg:
    list_id: str
    name: str
    network: str
    platform: str
    external_id: str | None
    weeks: dict[str, int] = field(default_factory=dict)
    messages: int = 0
    last: date | None = None
    unsubscribe: tuple[str, ...] = ()
    one_click: bool = False
    unsubscribe_day: date | None = None


def _local(when: datetime | None, fallback: datetime) -> datetime:
    if when is None:
        return fallback
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0)


def _chunked(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing(sql: str, keys: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for part in _chunked(list(keys)):
        marks = ",".join("?" * len(part))
        out.update(r[0] for r in db.execute_sql(sql.format(marks), tuple(part)).fetchall())
    return out


def _invitation_name(c: Classification) -> str:
    if c.group_name:
        return c.group_name
    if c.subject:
        return c.subject[:120]
    return f"{c.platform or c.network or 'Mail'} invitation"


class ClassifyAhead:
    """Classifies fetched messages on its own thread while the next chunk is still being fetched.

    Pass it as ``fetch_new(..., on_messages=ahead)``, then give ``ahead.finish()`` to ``apply_sync``
    as ``classified``. Fetching mostly waits on the server, so the classifying costs little extra
    time; and the GUI thread, which stores the batch, no longer classifies 20,000 messages itself.
    Classification is pure (no database), so it is safe on any thread.
    """

    _DONE = None

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        self.results: dict[tuple[str, int], Classification] = {}
        self._queue: queue.SimpleQueue[list[Any] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="mail-classify", daemon=True)
        self._thread.start()

    def __call__(self, messages: Sequence[Any]) -> None:
        """Queue messages (``MailMessage``) for classification."""
        self._queue.put(list(messages))

    def _run(self) -> None:
        classify = self.classifier.classify
        results = self.results
        while (chunk := self._queue.get()) is not self._DONE:
            for message in chunk:
                try:
                    results[(message.folder, message.uid)] = classify(message.headers)
                except Exception:  # apply_sync classifies it again and reports what is wrong
                    continue

    def finish(self) -> dict[tuple[str, int], Classification]:
        """Wait for the queued messages; return (folder, uid) → classification."""
        self._queue.put(self._DONE)
        self._thread.join()
        return self.results


def apply_sync(
    account: str | int | AccountInfo,
    batch: SyncBatch,
    classifier: Classifier | None = None,
    today: date | None = None,
    *,
    now: datetime | None = None,
    classified: Mapping[tuple[str, int], Classification] | None = None,
) -> SyncSummary:
    """Store one fetched batch for ``account`` in one transaction and say what it found.

    ``batch.messages`` and ``batch.state`` go in together, so an interrupted sync resumes where
    its last complete folder ended. Messages whose Message-ID was counted before (in any folder or
    account, or in an earlier pass over a folder whose UIDVALIDITY changed) are skipped.
    ``classified`` holds classifications made already (``ClassifyAhead``); the rest are made here.
    """
    from groupdesk.domain.vocab import NETWORKS
    from groupdesk.mail.classify import Classifier, week_key
    from groupdesk.store import repository

    finish_open()
    row = _row(account)
    classifier = classifier or Classifier(mail_rules())
    now = now or _now()
    today = today or now.date()
    summary = SyncSummary(
        account=row.name,
        fetched=len(batch.messages),
        error=batch.error,
        folder_errors=dict(batch.folder_errors),
        cancelled=batch.cancelled,
    )

    invitations: list[tuple[str, Classification]] = []
    list_mail: list[tuple[str, Classification]] = []
    keys_in_batch: set[str] = set()
    ready = classified or {}
    for message in batch.messages:
        key = message.key
        if key in keys_in_batch:
            summary.duplicates += 1
            continue
        keys_in_batch.add(key)
        item = ready.get((message.folder, message.uid)) or classifier.classify(message.headers)
        if item.kind == "invitation":
            invitations.append((key, item))
        elif item.kind == "list" and item.list_id:
            list_mail.append((key, item))

    groups = _Groups()
    with db.atomic():
        seen = _existing("SELECT message_id FROM seen_message WHERE message_id IN ({})", list(keys_in_batch))
        seen |= _existing(
            "SELECT message_id FROM invite WHERE message_id IN ({})", [k for k, _ in invitations]
        )
        seen_rows: list[tuple[str, str, str | None, str]] = []
        stamp = now.isoformat(sep=" ")

        # -- invitations: an "invited" group (or the group they name) and an Invite row each
        invite_rows = []
        invitations.sort(key=lambda pair: _local(pair[1].date, now))
        for key, c in invitations:
            if key in seen:
                summary.duplicates += 1
                continue
            seen.add(key)
            network = c.network if c.network in NETWORKS else "other"
            name = _invitation_name(c)
            external_id = _group_external_id(c)
            received = _local(c.date, now)
            ident = (network, external_id or "", name.casefold())
            gid = groups.created.get(ident) or groups.find(network, external_id, name)
            new_group = False
            if gid is None:
                gid = repository.create_group(
                    {
                        "name": name,
                        "network": network,
                        "status": "invited",
                        "how_joined": "invited",
                        "invited_by": c.inviter,
                        "invite_personal": c.personal,
                        "invited_on": received.date(),
                        "external_id": external_id,
                    },
                    typed_by_user=False,
                    source="mail",
                )
                groups.created[ident] = gid
                groups.remember(network, name, gid)
                summary.created_group_ids.add(gid)
                new_group = True
            else:
                if _fill_blanks(
                    gid,
                    {
                        "invited_by": c.inviter,
                        "invite_personal": c.personal,
                        "invited_on": received.date(),
                        "external_id": external_id,
                    },
                ):
                    summary.changed_group_ids.add(gid)
                groups.created.setdefault(ident, gid)
            summary.changed_group_ids.add(gid)
            invite_rows.append(
                (gid, received.isoformat(sep=" "), c.inviter or "", "email", key, c.subject or "",
                 None if c.personal is None else int(c.personal))
            )  # fmt: skip
            seen_rows.append((key, "invitation", None, stamp))
            summary.invitations.append(
                InvitationFound(
                    group_id=gid,
                    group_name=name,
                    network=network,
                    platform=c.platform,
                    inviter=c.inviter,
                    personal=c.personal,
                    subject=c.subject,
                    received_at=received,
                    new_group=new_group,
                )
            )
        if invite_rows:
            db.connection().executemany(
                "INSERT INTO invite (group_id, received_at, inviter, channel, message_id, subject, personal) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                invite_rows,
            )

        # -- list traffic: per list and ISO week
        aggs: dict[str, _ListAgg] = {}
        for key, c in list_mail:
            if key in seen:
                summary.duplicates += 1
                continue
            seen.add(key)
            assert c.list_id is not None
            when = c.date or now.astimezone()
            agg = aggs.get(c.list_id)
            if agg is None:
                network = c.network if c.network in NETWORKS else "mailing_list"
                agg = aggs[c.list_id] = _ListAgg(
                    c.list_id, c.group_name or c.list_name or c.list_id, network, c.platform,
                    _group_external_id(c),
                )  # fmt: skip
            week = week_key(when)
            agg.weeks[week] = agg.weeks.get(week, 0) + 1
            agg.messages += 1
            day = _local(c.date, now).date()
            agg.last = max(agg.last, day) if agg.last else day
            if c.unsubscribe.urls and (agg.unsubscribe_day is None or day >= agg.unsubscribe_day):
                agg.unsubscribe, agg.one_click, agg.unsubscribe_day = (
                    c.unsubscribe.urls, c.unsubscribe.one_click, day,
                )  # fmt: skip
            seen_rows.append((key, "list", c.list_id, stamp))
        summary.list_messages = sum(a.messages for a in aggs.values())
        if seen_rows:
            db.connection().executemany(
                "INSERT OR IGNORE INTO seen_message (message_id, kind, list_id, seen_at) VALUES (?, ?, ?, ?)",
                seen_rows,
            )
        new_lists = _store_lists(aggs, stamp)

        # -- lists → groups, e-mails per week, and what is left over ("discovered")
        _link_lists(groups)
        linked = dict(
            db.execute_sql("SELECT list_id, group_id FROM mail_list WHERE group_id IS NOT NULL").fetchall()
        )
        summary.changed_group_ids |= _update_group_traffic(today)
        for agg in aggs.values():
            summary.lists.append(
                ListSeen(
                    agg.list_id, agg.name, agg.network, agg.platform, agg.messages, linked.get(agg.list_id),
                    _list_rate(agg.list_id, today),
                )
            )  # fmt: skip
        summary.discovered = _discovered(today, new_lists)
        named = [i.group_id for i in summary.invitations] + [x.group_id for x in summary.lists if x.group_id]
        if named:  # names as stored (an existing group's, or one renamed after its list)
            names = dict(
                db.execute_sql(
                    'SELECT id, name FROM "group" WHERE id IN ({})'.format(
                        ",".join(str(int(g)) for g in named)
                    )
                ).fetchall()
            )
            for found in summary.invitations:
                found.group_name = names.get(found.group_id, found.group_name)
            for seen_list in summary.lists:
                seen_list.group_name = names.get(seen_list.group_id) if seen_list.group_id else None

        # -- folder state and the account's last sync, with the messages (same transaction)
        if batch.state:
            db.connection().executemany(
                "INSERT INTO mail_folder_state (account_id, folder, uidvalidity, last_uid) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, folder) DO UPDATE SET "
                "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
                [(row.id, folder, int(v), int(u)) for folder, (v, u) in batch.state.items()],
            )
        errors = summary.errors
        row.last_sync_at = now
        row.last_error = "\n".join(e.message for e in errors) if errors else None
        row.save()
    summary.changed_group_ids -= summary.created_group_ids
    return summary


def _store_lists(aggs: Mapping[str, _ListAgg], stamp: str) -> set[str]:
    """Insert lists seen for the first time, update the others; return the new list ids."""
    if not aggs:
        return set()
    conn = db.connection()
    known = {
        r[0]: r
        for part in _chunked(list(aggs))
        for r in db.execute_sql(
            "SELECT list_id, name, last_seen FROM mail_list WHERE list_id IN ({})".format(
                ",".join("?" * len(part))
            ),
            tuple(part),
        ).fetchall()
    }
    new = [a for a in aggs.values() if a.list_id not in known]
    conn.executemany(
        "INSERT INTO mail_list (list_id, name, network, platform, list_unsubscribe, one_click, ignored, "
        "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [
            (a.list_id, a.name, a.network, a.platform,
             json.dumps(list(a.unsubscribe)) if a.unsubscribe else None, int(a.one_click), stamp,
             a.last.isoformat() if a.last else None)
            for a in new
        ],
    )  # fmt: skip
    for a in aggs.values():
        if a.list_id not in known:
            continue
        _lid, name, last_seen = known[a.list_id]
        last = date.fromisoformat(str(last_seen)[:10]) if last_seen else None
        updates: dict[str, Any] = {}
        if not name and a.name:
            updates["name"] = a.name
        if a.last and (last is None or a.last > last):
            updates["last_seen"] = a.last.isoformat()
        if a.unsubscribe and (last is None or (a.unsubscribe_day and a.unsubscribe_day >= last)):
            updates["list_unsubscribe"] = json.dumps(list(a.unsubscribe))
            updates["one_click"] = int(a.one_click)
        if updates:
            sets = ", ".join(f'"{k}" = ?' for k in updates)
            conn.execute(f"UPDATE mail_list SET {sets} WHERE list_id = ?", (*updates.values(), a.list_id))
    conn.executemany(
        "INSERT INTO list_traffic (list_id, week, count) VALUES (?, ?, ?) "
        "ON CONFLICT (list_id, week) DO UPDATE SET count = count + excluded.count",
        [(a.list_id, week, n) for a in aggs.values() for week, n in a.weeks.items()],
    )
    return {a.list_id for a in new}


def _list_external_id(list_id: str, platform: str) -> str | None:
    if platform == "Discourse":
        return list_id.split(".", 1)[1] if "." in list_id else None
    if ":" in list_id:  # a rule's key (network:name), not a real List-Id
        return None
    return list_id


def _link_lists(groups: _Groups | None = None) -> set[int]:
    """Attach lists without a group to the group they belong to (by identity); return those groups."""
    groups = groups or _Groups()
    linked: set[int] = set()
    rows = db.execute_sql(
        "SELECT id, list_id, name, network, platform FROM mail_list WHERE group_id IS NULL"
    ).fetchall()
    for lid_pk, list_id, name, network, platform in rows:
        external_id = _list_external_id(list_id, platform)
        gid = groups.find(network, external_id, name)
        if gid is None:
            continue
        db.execute_sql("UPDATE mail_list SET group_id = ? WHERE id = ?", (gid, lid_pk))
        if external_id:
            _fill_blanks(gid, {"external_id": external_id})
        linked.add(gid)
    return linked


def _weekly(list_ids: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    weekly: dict[str, dict[str, int]] = defaultdict(dict)
    if list_ids is None:
        rows = db.execute_sql("SELECT list_id, week, count FROM list_traffic").fetchall()
    else:
        ids = list(list_ids)
        rows = []
        for part in _chunked(ids):
            rows += db.execute_sql(
                "SELECT list_id, week, count FROM list_traffic WHERE list_id IN ({})".format(
                    ",".join("?" * len(part))
                ),
                tuple(part),
            ).fetchall()
    for list_id, week, count in rows:
        weekly[list_id][week] = int(count)
    return weekly


def _list_rate(list_id: str, today: date) -> float | None:
    from groupdesk.mail.classify import emails_per_week

    rate = emails_per_week(_weekly([list_id]).get(list_id, {}), today)
    return None if rate is None else round(rate, 1)


def sync_account(
    account: str | int | AccountInfo,
    password: str,
    *,
    cancel: Any = None,
    progress: Any = None,
    today: date | None = None,
) -> SyncSummary:
    """Fetch the new mail of one account and store it (the command line's ``mail sync``).

    The window does the same in two halves: its worker fetches (``fetch_new`` with a
    ``ClassifyAhead``) and the GUI thread stores (``apply_sync``).
    """
    from groupdesk.mail.imap import fetch_new

    info = account if isinstance(account, AccountInfo) else get_account(account)
    rules = classifier()
    ahead = ClassifyAhead(rules)
    try:
        batch = fetch_new(info.config(), password, info.folder_state, cancel, progress, on_messages=ahead)
    finally:
        classified = ahead.finish()
    return apply_sync(info.name, batch, rules, today, classified=classified)


def _address_like(name: str, list_id: str) -> bool:
    """Whether a group name is only the list's address or label (``x@lists.example.org``, ``x``)."""
    text = name.strip().lower()
    label, _, domain = list_id.partition(".")
    return text in (list_id, f"{label}@{domain}", label)


def _update_group_traffic(today: date) -> set[int]:
    """Set each list-linked group's e-mails per week and last activity from the counted traffic.

    A group the mail sync named after a list's bare address gets the list's own name once the
    list's mail shows it. Fields the user typed are left alone. Returns the groups that changed.
    """
    from groupdesk.mail.classify import emails_per_week
    from groupdesk.store import repository

    rows = db.execute_sql(
        "SELECT group_id, list_id, last_seen, name FROM mail_list WHERE group_id IS NOT NULL ORDER BY id"
    ).fetchall()
    if not rows:
        return set()
    weekly = _weekly([r[1] for r in rows])
    per_group: dict[int, list[tuple[str, date | None, str]]] = defaultdict(list)
    for gid, list_id, last_seen, name in rows:
        day = date.fromisoformat(str(last_seen)[:10]) if last_seen else None
        per_group[gid].append((list_id, day, name or ""))
    changed: set[int] = set()
    for gid, lists in per_group.items():
        current = db.execute_sql(
            'SELECT user_fields, emails_per_week, last_group_activity, name, source FROM "group" '
            "WHERE id = ?",
            (gid,),
        ).fetchone()
        if current is None:
            continue
        typed = _typed(current[0])
        values: dict[str, Any] = {}
        rates = [emails_per_week(weekly.get(lid, {}), today) for lid, _, _ in lists]
        known = [r for r in rates if r is not None]
        if known and "emails_per_week" not in typed:
            rate = round(sum(known), 1)
            if current[1] is None or abs(float(current[1]) - rate) > 1e-9:
                values["emails_per_week"] = rate
        days = [d for _, d, _ in lists if d is not None and d <= today]
        if days and "last_group_activity" not in typed:
            last = max(days)
            stored = date.fromisoformat(str(current[2])[:10]) if current[2] else None
            if stored is None or last > stored:
                values["last_group_activity"] = last
        if current[4] == "mail" and "name" not in typed:
            for list_id, _, list_name in lists:
                if _address_like(current[3], list_id) and list_name and not _address_like(list_name, list_id):
                    values["name"] = list_name
                    break
        if values:
            repository.update_group(gid, values, typed_by_user=False)
            changed.add(gid)
    return changed


def _discovered(today: date, new: Iterable[str] = ()) -> list[DiscoveredList]:
    rows = db.execute_sql(
        "SELECT list_id, name, network, platform, last_seen, list_unsubscribe FROM mail_list "
        "WHERE group_id IS NULL AND ignored = 0 ORDER BY name, list_id"
    ).fetchall()
    if not rows:
        return []
    from groupdesk.mail.classify import emails_per_week

    new = set(new)
    weekly = _weekly([r[0] for r in rows])
    out = []
    for list_id, name, network, platform, last_seen, unsub in rows:
        weeks = weekly.get(list_id, {})
        rate = emails_per_week(weeks, today)
        try:
            targets = tuple(json.loads(unsub)) if unsub else ()
        except ValueError:
            targets = ()
        out.append(
            DiscoveredList(
                list_id=list_id,
                name=name or list_id,
                network=network,
                platform=platform or "",
                messages=sum(weeks.values()),
                emails_per_week=None if rate is None else round(rate, 1),
                last_seen=date.fromisoformat(str(last_seen)[:10]) if last_seen else None,
                unsubscribe=targets,
                new=list_id in new,
            )
        )
    return out


def discovered_lists(today: date | None = None) -> list[DiscoveredList]:
    """Lists the mail shows the user is on, without a group and not ignored (linking new groups first)."""
    finish_open()
    with db.atomic():
        _link_lists()
    return _discovered(today or date.today())


def add_discovered(list_ids: Iterable[str], today: date | None = None) -> list[int]:
    """Make groups (status member) of discovered lists; return the new groups' ids.

    A list that belongs to a group made meanwhile (or earlier in the same call: two categories
    of one Discourse site) is attached to it instead.
    """
    from groupdesk.store import repository

    finish_open()
    today = today or date.today()
    wanted = list(dict.fromkeys(list_ids))
    created: list[int] = []
    with db.atomic():
        groups = _Groups()
        _link_lists(groups)
        for list_id in wanted:
            row = db.execute_sql(
                "SELECT id, name, network, platform, last_seen FROM mail_list "
                "WHERE list_id = ? AND group_id IS NULL",
                (list_id,),
            ).fetchone()
            if row is None:
                continue
            pk, name, network, platform, last_seen = row
            external_id = _list_external_id(list_id, platform)
            gid = groups.find(network, external_id, name)
            if gid is None:
                gid = repository.create_group(
                    {
                        "name": name or list_id,
                        "network": network,
                        "status": "member",
                        "external_id": external_id,
                        "last_group_activity": last_seen,
                    },
                    typed_by_user=False,
                    source="mail",
                )
                groups.remember(network, name or list_id, gid)
                created.append(gid)
            db.execute_sql("UPDATE mail_list SET group_id = ?, ignored = 0 WHERE id = ?", (gid, pk))
        _update_group_traffic(today)
    return created


def ignore_discovered(list_ids: Iterable[str], ignored: bool = True) -> int:
    """Stop (or start again) offering these lists as groups; return how many changed."""
    finish_open()
    ids = list(list_ids)
    count = 0
    with db.atomic():
        for part in _chunked(ids):
            cursor = db.execute_sql(
                "UPDATE mail_list SET ignored = ? WHERE list_id IN ({})".format(",".join("?" * len(part))),
                (int(ignored), *part),
            )
            count += cursor.rowcount
    return count


def list_traffic(list_id: str) -> dict[str, int]:
    """ISO week → messages counted for one list."""
    finish_open()
    return _weekly([list_id]).get(list_id, {})


def group_lists(group_id: int) -> list[str]:
    """The list ids attached to a group."""
    finish_open()
    return [
        r[0]
        for r in db.execute_sql(
            "SELECT list_id FROM mail_list WHERE group_id = ? ORDER BY list_id", (group_id,)
        ).fetchall()
    ]
