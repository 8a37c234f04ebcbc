"""``groupdesk probe [--all] [GROUP_ID ...]``: check groups' public activity online, as the window's
Refresh activity does.

::

    groupdesk probe 12 40          check these groups (closed ones too, when named)
    groupdesk probe --all          check every group not left or declined that has an address a probe knows
    groupdesk probe --all --format json

Only the sites of the groups' own addresses are asked (see ``groupdesk.probes``), one after the other,
each at its own pace. Each group's line says what was measured or why it failed; a failing site never
stops the others, and nothing is overwritten with blanks. Results (and the answer cache) are stored in
one transaction at the end; Ctrl+C stores what was measured so far.

Exit 0 when the check ran, even if some sites failed; 2 on bad input (unknown ids, ids and ``--all``
together, or named groups none of which can be checked) — then nothing is sent.

The window's "Check activity online" setting is not consulted: running this command is the request.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from groupdesk.cli import command
from groupdesk.errors import UserError

if TYPE_CHECKING:
    from groupdesk.probes import Figures, ProbeClient, ProbeError, ResponseCache
    from groupdesk.store.probe_store import Candidate

#: Makes the client for a run from the saved answer cache (tests point fixed hosts at 127.0.0.1).
ClientFactory = Callable[["ResponseCache"], "ProbeClient"]


@command
def _register_probe(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "probe",
        help="check groups' public activity online (members, active users, posts per week)",
        description="Ask the groups' own sites (Discourse, Reddit, Discord invites, Lemmy, Mastodon) for "
        "their public activity figures and store them.",
    )
    p.add_argument("ids", nargs="*", type=int, metavar="GROUP_ID", help="the groups to check (see: list)")
    p.add_argument("--all", action="store_true", help="every group not left or declined")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=_cmd_probe)


def _cmd_probe(args: argparse.Namespace, data_dir: Path) -> int:
    return run_probe(args.ids, all_groups=args.all, data_dir=data_dir, fmt=args.format)


def default_client(cache: ResponseCache) -> ProbeClient:
    """A client for the real sites, reusing and filling ``cache``."""
    from groupdesk.probes import ProbeClient

    return ProbeClient(cache=cache)


# ---------------------------------------------------------------------------------------------- text


def number(value: float) -> str:
    """``2,310``; ``4.5``; ``63``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def describe(figures: Figures) -> str:
    """What was measured, in one line: "2,310 members · 140 active in the last 7 days · 63 posts a week"."""
    from groupdesk.probes import ACTIVE_WINDOWS

    parts: list[str] = []
    if figures.members is not None:
        parts.append(f"{number(figures.members)} members")
    if figures.active_users is not None:
        window = figures.active_window or ""
        if window == "now":
            parts.append(f"{number(figures.active_users)} online now")
        else:
            parts.append(f"{number(figures.active_users)} active {ACTIVE_WINDOWS.get(window, '')}".rstrip())
    if figures.posts_per_week is not None:
        parts.append(f"{number(figures.posts_per_week)} posts a week")
    if figures.last_activity is not None:
        parts.append(f"active on {figures.last_activity.isoformat()} or later")
    return " · ".join(parts)


def _line(candidate: Candidate, outcome: Figures | ProbeError) -> str:
    from groupdesk.probes import ProbeError
    from groupdesk.store.probe_store import short_url

    head = f"#{candidate.id} {candidate.name}"
    if isinstance(outcome, ProbeError):
        return f"{head}: not checked — {outcome.title}: {outcome.message}"
    return f"{head}: {describe(outcome)} — from {short_url(outcome.source_url)}"


def _json_item(candidate: Candidate, outcome: Figures | ProbeError) -> dict[str, Any]:
    from groupdesk.probes import ProbeError

    item: dict[str, Any] = {"id": candidate.id, "name": candidate.name, "address": candidate.address}
    if isinstance(outcome, ProbeError):
        item.update(
            ok=False, error={"kind": outcome.kind, "title": outcome.title, "message": outcome.message}
        )
    else:
        item.update(ok=True, figures=outcome.to_dict())
    return item


# ---------------------------------------------------------------------------------------------- the run


def run_probe(
    ids: list[int],
    *,
    all_groups: bool,
    data_dir: Path,
    fmt: str = "text",
    client_factory: ClientFactory | None = None,
    out: TextIO | None = None,
) -> int:
    """Check ``ids`` (or every open group with ``all_groups``), print each result, store them all.

    Args:
        ids: group ids, in the order to check them.
        all_groups: check every group not left or declined instead.
        data_dir: the data folder.
        fmt: ``text`` (a line per group as it finishes) or ``json`` (one list at the end).
        client_factory: makes the client from the saved answer cache (default: :func:`default_client`).
        out: where to print (default: standard output).

    Returns:
        0 when the check ran (some sites may have failed).

    Raises:
        UserError: bad input; nothing was sent.
    """
    from groupdesk.app import open_store
    from groupdesk.probes import ProbeError, probe_many
    from groupdesk.probes.dispatch import UNSUPPORTED_HINT
    from groupdesk.store import probe_store

    out = out or sys.stdout
    if all_groups and ids:
        raise UserError("give group ids or --all, not both")
    if not all_groups and not ids:
        raise UserError(
            "name the groups to check (their ids, see: groupdesk list --format json) or give --all"
        )
    open_store(data_dir)
    selection = probe_store.select_groups(None if all_groups else ids)
    if selection.unknown:
        raise UserError(f"no group with id {', '.join(map(str, selection.unknown))}: nothing was checked")
    if not all_groups and not selection.candidates:
        names = ", ".join(f"#{gid} {name}" for gid, name in selection.skipped)
        raise UserError(f"no address GroupDesk can check for {names}. {UNSUPPORTED_HINT}")

    by_id = {c.id: c for c in selection.candidates}
    results: list[tuple[int, Figures | ProbeError]] = []
    items: list[dict[str, Any]] = []

    def progress(done: int, total: int, gid: int, outcome: Figures | ProbeError) -> None:
        results.append((gid, outcome))
        if fmt == "json":
            items.append(_json_item(by_id[gid], outcome))
        else:
            print(_line(by_id[gid], outcome), file=out, flush=True)

    if fmt == "text":
        for gid, name in selection.skipped:
            print(f"#{gid} {name}: cannot check — no address GroupDesk knows how to check", file=out)
    cache = probe_store.load_cache()
    client = (client_factory or default_client)(cache)
    interrupted = False
    try:
        probe_many(client, [c.probe_input() for c in selection.candidates], progress)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        client.close()
        # What was measured before an interruption is kept, like the window's Cancel.
        summary = probe_store.apply_results(results, cache=client.cache)
    if interrupted:
        print(f"Stopped: {len(summary.measured)} group(s) measured were stored.", file=sys.stderr)
        raise KeyboardInterrupt
    if fmt == "json":
        cannot = {
            "kind": "unsupported",
            "title": "Cannot check",
            "message": "No address GroupDesk can check.",
        }
        skipped = [{"id": gid, "name": name, "ok": False, "error": cannot} for gid, name in selection.skipped]
        print(json.dumps(items + skipped, ensure_ascii=False, indent=2), file=out)
        return 0
    failed = sum(isinstance(outcome, ProbeError) for _gid, outcome in results)
    total = len(results)
    print(f"Checked {total} group(s): {total - failed} measured, {failed} failed.", file=out)
    if summary.kept_typed:
        print(f"Posts per week you typed were kept for {len(summary.kept_typed)} group(s).", file=out)
    if all_groups and selection.skipped_count:
        print(f"{selection.skipped_count} open group(s) have no address GroupDesk can check.", file=out)
    return 0
