"""The fixed vocabularies of GroupDesk: networks, statuses, decision actions and their display words."""

from __future__ import annotations

NETWORKS: dict[str, str] = {
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "meetup": "Meetup",
    "discord": "Discord",
    "slack": "Slack",
    "reddit": "Reddit",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "mailing_list": "Mailing list",
    "forum": "Forum",
    "association": "Association",
    "offline": "Offline",
    "other": "Other",
}

# "trial" (joined to try, review soon) and "leaving" (decided to leave, not yet done on the platform)
# extend DESIGN.md's list: the decision flows need both.
STATUSES: dict[str, str] = {
    "invited": "Invited",
    "considering": "Considering",
    "trial": "Trial",
    "member": "Member",
    "muted": "Muted",
    "leaving": "Leaving",
    "left": "Left",
    "declined": "Declined",
}

#: Statuses in which I currently belong to the group.
MEMBER_STATUSES = frozenset({"trial", "member", "muted", "leaving"})
#: Statuses of a pending invitation or consideration.
PENDING_STATUSES = frozenset({"invited", "considering"})

HOW_JOINED: dict[str, str] = {
    "invited": "Invited",
    "added_by_someone": "Added by someone",
    "self": "Joined myself",
    "unknown": "Unknown",
}

COST_PERIODS: dict[str, str] = {"none": "None", "once": "Once", "month": "Per month", "year": "Per year"}

CONTRIBUTION_KINDS: dict[str, str] = {
    "post": "Post",
    "comment": "Comment",
    "answer": "Answer",
    "event": "Event attended",
    "organised": "Organised something",
    "other": "Other",
}

ACTIONS: dict[str, str] = {
    "join": "Join",
    "decline": "Decline",
    "trial": "Trial",
    "keep": "Keep",
    "engage": "Engage",
    "mute": "Mute",
    "leave": "Leave",
    "start_own": "Start own",
}

INVITE_CHANNELS = ("email", "import", "manual")
