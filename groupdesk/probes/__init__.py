"""Public activity figures of groups, read from the platforms' own public JSON (no login, no Qt, no DB).

Use: ``with ProbeClient() as client: results = probe_many(client, [(id, url, network), …], progress,
cancel)`` in a worker thread, then let the GUI thread store each :class:`Figures` and show each
:class:`ProbeError` as a note. Nothing is sent unless the caller asks. Platforms: Discourse, Reddit,
Discord (invites), Lemmy, Mastodon — one module each, with ``recognise(url)`` and ``probe(client, target)``.
"""

from __future__ import annotations

from groupdesk.probes.base import ACTIVE_WINDOWS, ERROR_KINDS, PLATFORMS, Figures, ProbeError, Target
from groupdesk.probes.dispatch import probe_group, probe_many, probe_target, targets_for
from groupdesk.probes.http import USER_AGENT, ProbeClient, RateLimit, ResponseCache

__all__ = [
    "ACTIVE_WINDOWS",
    "ERROR_KINDS",
    "PLATFORMS",
    "USER_AGENT",
    "Figures",
    "ProbeClient",
    "ProbeError",
    "RateLimit",
    "ResponseCache",
    "Target",
    "probe_group",
    "probe_many",
    "probe_target",
    "targets_for",
]
