"""Which probe measures a group's address, and measuring many groups in one go.

The order, first match first (:func:`targets_for`):

1. Fixed hosts, whatever the group's network: ``reddit.com/r/NAME`` → Reddit; ``discord.gg/CODE`` and
   ``discord.com/invite/CODE`` → Discord.
2. Path shapes on any host: ``/c/NAME`` and ``!NAME@HOST`` → Lemmy community; ``/@NAME``,
   ``/users/NAME`` and ``@NAME@HOST`` → Mastodon account.
3. Network "forum": the site's Discourse ``/about.json`` — after the Lemmy try when the address is
   ``/c/NAME``, because Discourse category links share that shape.
4. Network "other" (or none) and an address that is a host's root: Mastodon instance activity.
5. Anything else: nothing is sent; the result is ``ProbeError("unsupported")``.

A later candidate is tried only when an earlier one says "this is not that kind of site" (not found, or an
answer of the wrong shape). Offline, timeouts, rate limits, private groups and Cancel stop at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from groupdesk.probes import discord, discourse, lemmy, mastodon, reddit
from groupdesk.probes.base import WRONG_PLATFORM_KINDS, Figures, ProbeError, Target
from groupdesk.probes.http import ProbeClient
from groupdesk.probes.urls import split_url

log = logging.getLogger(__name__)

K = TypeVar("K")

_PROBES: dict[str, Callable[[ProbeClient, Target], Figures]] = {
    "discourse": discourse.probe,
    "reddit": reddit.probe,
    "discord": discord.probe,
    "lemmy": lemmy.probe,
    "mastodon": mastodon.probe,
}

UNSUPPORTED_HINT = (
    "GroupDesk can check Reddit communities, Discord invites, Lemmy communities (/c/NAME), Mastodon "
    "accounts (/@NAME) and instances, and Discourse forums (set the group's network to Forum)."
)


def targets_for(url: str | None, network: str | None = None) -> list[Target]:
    """The targets to try for a group address, most likely first (see the module docstring).

    Args:
        url: the group's address (scheme optional), or a text form like ``!name@host``.
        network: the group's network key (``forum``, ``reddit``, ``other``, …), if known.
    """
    if not url or not url.strip():
        return []
    for fixed in (reddit, discord):
        target = fixed.recognise(url)
        if target is not None:
            return [target]
    found = [t for t in (lemmy.recognise(url), mastodon.recognise(url)) if t is not None]
    if network == "forum":
        forum = discourse.recognise(url)
        if forum is not None:
            found.append(forum)
    elif not found and network in (None, "", "other"):
        split = split_url(url)
        if split is not None and not split.segs and not split.query:
            instance = mastodon.instance_target(url)
            if instance is not None:
                found.append(instance)
    return found


def probe_target(client: ProbeClient, target: Target) -> Figures:
    """Measure one target with its platform's module.

    Raises:
        ProbeError: every failure, including an answer that held no figure at all.
    """
    figures = _PROBES[target.platform](client, target)
    if figures.is_empty():
        raise ProbeError(
            "bad_response", f"{target.site} answered, but with no activity figures.", url=figures.source_url
        )
    return figures


def probe_group(client: ProbeClient, url: str | None, network: str | None = None) -> Figures:
    """Measure one group's public activity.

    Args:
        client: the client that sends the requests (and checks Cancel).
        url: the group's address.
        network: the group's network key; "forum" allows a Discourse check of any address.

    Returns:
        the figures of the first candidate platform that answered.

    Raises:
        ProbeError: ``unsupported`` (nothing sent) when no platform fits the address; otherwise the first
            candidate's error when all candidates failed.
    """
    targets = targets_for(url, network)
    if not targets:
        where = f"“{url.strip()}”" if url and url.strip() else "a group without an address"
        raise ProbeError("unsupported", f"No public activity figures known for {where}. {UNSUPPORTED_HINT}")
    first_error: ProbeError | None = None
    for target in targets:
        try:
            return probe_target(client, target)
        except ProbeError as exc:
            if exc.kind not in WRONG_PLATFORM_KINDS:
                raise
            first_error = first_error or exc
            log.debug("probe: %s is not %s (%s)", url, target.platform, exc.kind)
    assert first_error is not None
    raise first_error


def probe_many(
    client: ProbeClient,
    groups: Iterable[tuple[K, str | None, str | None]],
    progress: Callable[[int, int, K, Figures | ProbeError], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[tuple[K, Figures | ProbeError]]:
    """Measure many groups, one after the other, each site at its own pace.

    One failing group never stops the others: its entry is a :class:`ProbeError` (never empty
    :class:`Figures`), so the caller keeps what it knew and shows the error as a note. Cancel stops the run
    at the next request or wait; the groups not finished are simply not in the result.

    Args:
        client: the client (its rate limits, cache and timeouts apply to the whole run).
        groups: ``(group_id, url, network)`` triples.
        progress: called after each group with (done, total, group_id, result).
        cancel: returns True when the user cancelled (checked with the client's own cancel callable).

    Returns:
        ``(group_id, Figures or ProbeError)`` in the order of ``groups``.
    """
    todo = list(groups)
    results: list[tuple[K, Figures | ProbeError]] = []
    own_cancel = client.cancel

    def cancelled() -> bool:
        return bool((cancel is not None and cancel()) or (own_cancel is not None and own_cancel()))

    client.cancel = cancelled
    try:
        for done, (group_id, url, network) in enumerate(todo, start=1):
            if cancelled():
                break
            outcome: Figures | ProbeError
            try:
                outcome = probe_group(client, url, network)
            except ProbeError as exc:
                if exc.kind == "cancelled":
                    break
                outcome = exc
            except Exception as exc:  # a bug reading one site's answer must not stop the run
                log.exception("probe of %s failed", url)
                outcome = ProbeError("bad_response", f"Reading the answer for {url} failed ({exc}).", url=url)
            results.append((group_id, outcome))
            if progress is not None:
                progress(done, len(todo), group_id, outcome)
    finally:
        client.cancel = own_cancel
    return results
