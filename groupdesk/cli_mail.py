"""``groupdesk mail ...``: mail accounts and the mail sync from the command line.

::

    groupdesk mail add NAME --host H [--port P] [--security ssl|starttls|plain] --user U
                            [--cafile F] [--folder F ...] [--look-back DAYS] --password-stdin
    groupdesk mail list [--format table|json]
    groupdesk mail remove NAME
    groupdesk mail test NAME
    groupdesk mail sync [NAME]
    groupdesk mail discovered [--add LIST_ID ... | --add-all] [--ignore LIST_ID ...]

The password is read from standard input (never from the command line, where other users and the
shell history could see it) and goes only to the system keyring (``groupdesk.mail.secrets``).
``mail sync`` runs the same steps as the window's Sync mail: fetch new headers, then store them
and the folder state in one transaction (``store.mail_store.apply_sync``). A failed account is
reported on stderr with one sentence and makes the exit code 2; the other accounts still sync.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from groupdesk.cli import command
from groupdesk.errors import UserError

if TYPE_CHECKING:
    from groupdesk.store.mail_store import AccountInfo, DiscoveredList, SyncSummary

SECURITY_LABELS = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "plain": "no encryption"}


def _open(data_dir: Path) -> None:
    from groupdesk.app import open_store

    open_store(data_dir)


@command
def _register_mail(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mail", help="mail accounts; sync invitations and list traffic from IMAP")
    msub = p.add_subparsers(dest="mail_command", metavar="ACTION", parser_class=type(p))
    msub.required = True

    add = msub.add_parser("add", help="add a mail account (password from standard input)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--host", required=True, help="IMAP server name")
    add.add_argument("--port", type=int, help="port (default 993 for ssl, 143 for starttls)")
    add.add_argument("--security", choices=("ssl", "starttls", "plain"), default="ssl",
                     help="ssl (default), starttls, or plain (only to localhost)")  # fmt: skip
    add.add_argument("--user", required=True, help="user name on the server")
    add.add_argument("--cafile", help="CA certificate file to trust (for a self-signed server)")
    add.add_argument("--folder", action="append", dest="folders", metavar="FOLDER",
                     help="folder to scan (repeat for several; default INBOX)")  # fmt: skip
    add.add_argument("--look-back", type=int, default=365, metavar="DAYS",
                     help="how far back the first sync reads (default 365 days)")  # fmt: skip
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (required)")  # fmt: skip
    add.set_defaults(func=_cmd_add)

    lst = msub.add_parser("list", help="the mail accounts and their last sync")
    lst.add_argument("--format", choices=("table", "json"), default="table")
    lst.set_defaults(func=_cmd_list)

    rm = msub.add_parser("remove", help="remove a mail account and its stored password")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(func=_cmd_remove)

    test = msub.add_parser("test", help="check that an account connects and logs in")
    test.add_argument("name", metavar="NAME")
    test.set_defaults(func=_cmd_test)

    sync = msub.add_parser("sync", help="fetch new mail headers: invitations, list traffic")
    sync.add_argument("name", nargs="?", metavar="NAME", help="only this account (default: all)")
    sync.set_defaults(func=_cmd_sync)

    disc = msub.add_parser("discovered", help="lists you get mail from but have no group for")
    disc.add_argument("--add", nargs="+", default=[], metavar="LIST_ID", help="add these as groups")
    disc.add_argument("--add-all", action="store_true", help="add every discovered list as a group")
    disc.add_argument("--ignore", nargs="+", default=[], metavar="LIST_ID", help="stop offering these")
    disc.set_defaults(func=_cmd_discovered)


# ---------------------------------------------------------------------------------------------- accounts


def _read_password(stdin: TextIO, name: str) -> str:
    if stdin.isatty():
        password = getpass.getpass(f"Password for mail account {name}: ")
    else:
        password = stdin.readline()
        if password.endswith("\n"):
            password = password[:-1]
        if password.endswith("\r"):
            password = password[:-1]
    if not password:
        raise UserError("no password on standard input: nothing was stored")
    return password


def _where(a: AccountInfo) -> str:
    return f"{a.user} on {a.host}:{a.config().effective_port}, {SECURITY_LABELS.get(a.security, a.security)}"


def _cmd_add(args: argparse.Namespace, data_dir: Path) -> int:
    if not args.password_stdin:
        raise UserError(
            "give the password on standard input with --password-stdin "
            "(it is never taken from the command line)"
        )
    from groupdesk.mail.secrets import SecretStore
    from groupdesk.store import mail_store

    values = {
        "name": args.name,
        "host": args.host,
        "port": args.port,
        "security": args.security,
        "user": args.user,
        "folders": args.folders or ["INBOX"],
        "cafile": str(Path(args.cafile).expanduser().resolve()) if args.cafile else None,
        "look_back_days": args.look_back,
    }
    _open(data_dir)
    clean = mail_store.clean_account(values)  # checked before anything is stored
    if clean["name"] in mail_store.account_names():
        raise UserError(f"a mail account named {clean['name']!r} exists already (remove it first)")
    password = _read_password(sys.stdin, clean["name"])
    secrets = SecretStore()
    secrets.set_password(clean["name"], password)
    del password
    try:
        info = mail_store.save_account(clean)
    except BaseException:
        secrets.delete_password(clean["name"])
        raise
    folders = ", ".join(info.folders)
    print(f"Added mail account {info.name} ({_where(info)}; folders {folders}).")
    print("The password is kept in the system keyring.")
    return 0


def _cmd_list(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.store import mail_store

    _open(data_dir)
    items = mail_store.accounts()
    if args.format == "json":
        out = [
            {
                "name": a.name,
                "host": a.host,
                "port": a.config().effective_port,
                "security": a.security,
                "user": a.user,
                "folders": list(a.folders),
                "cafile": a.cafile,
                "look_back_days": a.look_back_days,
                "last_sync_at": a.last_sync_at.isoformat(sep=" ") if a.last_sync_at else None,
                "last_error": a.last_error,
            }
            for a in items
        ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("No mail accounts. Add one with: groupdesk mail add NAME --host H --user U --password-stdin")
        return 0
    for a in items:
        print(f"{a.name}: {_where(a)}; folders {', '.join(a.folders)}; look back {a.look_back_days} days")
        if a.last_sync_at:
            print(f"  last sync {a.last_sync_at:%Y-%m-%d %H:%M}" + (" (failed)" if a.last_error else ""))
        else:
            print("  never synced")
        if a.last_error:
            for line in a.last_error.splitlines():
                print(f"  {line}")
    return 0


def _cmd_remove(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.mail.secrets import SecretStore, SecretStoreUnavailable
    from groupdesk.store import mail_store

    _open(data_dir)
    info = mail_store.get_account(args.name)
    mail_store.delete_account(info.name)
    print(f"Removed mail account {info.name}.")
    try:
        SecretStore().delete_password(info.name)
    except SecretStoreUnavailable as exc:
        print(
            f"groupdesk: the password could not be removed from the keyring: {exc.message}", file=sys.stderr
        )
    return 0


def _password(name: str) -> str:
    from groupdesk.mail.secrets import SecretStore

    password = SecretStore().get_password(name)
    if password is None:
        raise UserError(
            f"{name}: no password is stored in the system keyring for this account; "
            f"remove it and add it again with --password-stdin"
        )
    return password


def _cmd_test(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.mail.imap import test_connection
    from groupdesk.store import mail_store

    _open(data_dir)
    info = mail_store.get_account(args.name)
    report = test_connection(info.config(), _password(info.name))
    for step in report.steps:
        print(step)
    if report.error is not None:
        raise UserError(f"{info.name}: {report.error.title}: {report.error.message}")
    print(report.message)
    return 0


# ---------------------------------------------------------------------------------------------- sync


def _progress(stream: TextIO, account: str):
    def show(folder: str, done: int, total: int) -> None:
        stream.write(f"\r{account} · {folder}: {done:,} of {total:,} messages   ")
        stream.flush()

    return show if stream.isatty() else None


def sync_one(info: AccountInfo, password: str, *, today: date | None = None, progress=None) -> SyncSummary:
    """Fetch the new mail of one account and store it (the window's Sync mail does the same)."""
    from groupdesk.store import mail_store

    return mail_store.sync_account(info, password, progress=progress, today=today)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _rate(value: float | None) -> str:
    return "" if value is None else f", {value:g} a week"


def print_summary(summary: SyncSummary, out: TextIO) -> None:
    """What one account's sync found, in plain lines."""
    from groupdesk.domain.vocab import NETWORKS

    print(f"{summary.account}: {_plural(summary.fetched, 'new message')}", file=out)
    print(f"  Invitations: {len(summary.invitations)}", file=out)
    for inv in summary.invitations:
        who = f" from {inv.inviter}" if inv.inviter else ""
        kind = "personal" if inv.personal else "not personal"
        where = NETWORKS.get(inv.network, inv.network)
        tail = "new group" if inv.new_group else "added to the existing group"
        print(f"    {inv.group_name} ({where}){who}, {kind}, {inv.received_at:%Y-%m-%d}: {tail}", file=out)
    print(
        f"  Lists with new mail: {len(summary.lists)} ({_plural(summary.list_messages, 'message')})", file=out
    )
    for item in summary.lists:
        target = "" if item.group_id is None else f" → {item.group_name}"
        print(f"    {item.name} <{item.list_id}>: {_plural(item.messages, 'message')}"
              f"{_rate(item.emails_per_week)}{target}", file=out)  # fmt: skip
    _print_discovered(summary.discovered, out)
    if summary.duplicates:
        print(f"  Already counted before (skipped): {summary.duplicates:,}", file=out)


def _print_discovered(items: list[DiscoveredList], out: TextIO, always: bool = False) -> None:
    if not items and not always:
        return
    print(f"  Discovered lists (mail you get, no group yet): {len(items)}", file=out)
    for d in items:
        new = " (new)" if d.new else ""
        print(f"    {d.name} <{d.list_id}>: {_plural(d.messages, 'message')}{_rate(d.emails_per_week)}{new}",
              file=out)  # fmt: skip
    if items:
        print("  Add them as groups with: groupdesk mail discovered --add LIST_ID...", file=out)


def _cmd_sync(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.mail.secrets import SecretStoreUnavailable
    from groupdesk.store import mail_store

    _open(data_dir)
    targets = [mail_store.get_account(args.name)] if args.name else mail_store.accounts()
    if not targets:
        raise UserError(
            "no mail accounts: add one with groupdesk mail add NAME --host H --user U --password-stdin"
        )
    failed = 0
    for info in targets:
        try:
            password = _password(info.name)
        except (SecretStoreUnavailable, UserError) as exc:
            print(f"groupdesk: {info.name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        progress = _progress(sys.stderr, info.name)
        summary = sync_one(info, password, progress=progress)
        del password
        if progress is not None:
            sys.stderr.write("\n")
        if summary.fetched or not summary.errors:
            print_summary(summary, sys.stdout)
        for error in summary.errors:
            where = f" ({error.folder})" if getattr(error, "folder", None) else ""
            print(f"groupdesk: {info.name}{where}: {error.title}: {error.message}", file=sys.stderr)
        if summary.cancelled:
            print(
                f"groupdesk: {info.name}: the sync was stopped; the next one goes on from here",
                file=sys.stderr,
            )
        failed += bool(summary.errors or summary.cancelled)
    return 2 if failed else 0


def _cmd_discovered(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.store import mail_store

    _open(data_dir)
    current = {d.list_id: d for d in mail_store.discovered_lists()}
    wanted = list(current) if args.add_all else list(args.add)
    unknown = [x for x in [*wanted, *args.ignore] if x.lower() not in current]
    if unknown:
        raise UserError(f"not a discovered list: {', '.join(unknown)} (see groupdesk mail discovered)")
    if args.ignore:
        mail_store.ignore_discovered([x.lower() for x in args.ignore])
        print(f"Ignored {_plural(len(args.ignore), 'list')}: they are not offered again.")
    if wanted:
        ids = mail_store.add_discovered([x.lower() for x in wanted])
        print(f"Added {_plural(len(ids), 'group')} from {_plural(len(wanted), 'discovered list')}.")
    if not (wanted or args.ignore):
        _print_discovered(list(current.values()), sys.stdout, always=True)
    return 0
