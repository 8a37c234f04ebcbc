"""Every threshold behind GroupDesk's scores and flags, in one place (user-adjustable later)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Numbers the scores and flags use; the defaults encode GroupDesk's stance."""

    #: A group with no activity for this many days is dead.
    dead_after_days: int = 90
    #: A member for this long with no contribution in this many days is "lurking" (empty belonging).
    lurking_after_days: int = 60
    #: Participation counts contributions in this window.
    participation_window_days: int = 90
    #: Contributions in the window that count as full participation (about one a week).
    full_participation: int = 12
    #: Posts per week at which the group's own life counts as fully lively.
    lively_posts_per_week: float = 20.0
    #: Group activity recency: full score up to this many days since the last activity.
    fresh_days: int = 7
    #: spam_level at or above this raises the spam flag (scale 0–3).
    spam_flag_level: int = 2
    #: Value is multiplied by (1 - spam_penalty × spam_level).
    spam_penalty: float = 0.2
    #: Cost per year at which Value loses its maximum cost penalty.
    cost_full_penalty_per_year: float = 1000.0
    #: The largest share of Value that money can take away.
    cost_max_penalty: float = 0.5
    #: E-mails per week above this count as clutter.
    clutter_emails_per_week: float = 7.0
    #: Value lost per e-mail per week above the clutter threshold, and the cap of that loss.
    clutter_penalty_per_email: float = 0.01
    clutter_max_penalty: float = 0.3
    #: Value below this is "low" for the clutter and costly flags.
    low_value: int = 40
    #: A group that costs money needs at least this Value to earn it.
    costly_value_min: int = 60
    # ---- the recommendation table (groupdesk.domain.rules) ----
    #: Value at or above which an invitation is worth joining outright (below it, down to
    #: ``low_value``, it is worth a trial). Give 3 and get 3 is exactly 60.
    join_value_min: int = 60
    #: Value under which a membership is not worth even a muted place; between this and
    #: ``low_value`` it is worth keeping quietly (muted).
    mute_value_min: int = 20
    #: Hours a month at or above which a group must earn its hours like money (Value ≥ ``costly_value_min``).
    heavy_hours_per_month: float = 8.0
    #: Declined or left groups sharing a topic (tag) from which that topic counts as "not served by
    #: the groups you are offered" — the signal to start your own.
    start_own_after_groups: int = 2


DEFAULT_THRESHOLDS = Thresholds()
