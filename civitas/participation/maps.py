"""Opinion maps on the web: the core (``opinion/``) computes groups; this draws and explains them.

The map is computed when the page is read, from the conversation's votes on published statements,
and cached under a fingerprint of those votes, so it is recomputed only after a vote changes.
Participants appear as anonymous dots: no name, no account, only where their votes place them.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from civitas.participation import charts
from civitas.participation.opinion import (
    Comment,
    OpinionDataError,
    Votes,
    compute_opinion_map,
)
from civitas.participation.selectors import conversations as selectors

CACHE_SECONDS = 3600


@dataclass
class GroupView:
    number: int
    name: str
    size: int
    representative: list[dict] = field(default_factory=list)  # text, direction, shares


@dataclass
class MapView:
    available: bool
    reason: str = ""
    svg: SafeString | None = None
    groups: list[GroupView] = field(default_factory=list)
    consensus: list[dict] = field(default_factory=list)  # statement_id, text, direction
    participants: int = 0
    placed: int = 0
    your_group: str = ""
    # statement id -> share of each group (in group order) that agreed, for open data
    agree_by_statement: dict[int, list[float]] = field(default_factory=dict)


def group_name(number: int) -> str:
    letter = string.ascii_uppercase[number] if number < 26 else str(number + 1)
    return _("Group %(letter)s") % {"letter": letter}


def _votes(rows: list[tuple[int, int, int]]) -> Votes:
    voters: dict[str, int] = {}
    statements: dict[str, int] = {}
    voter = np.empty(len(rows), dtype=np.int64)
    comment = np.empty(len(rows), dtype=np.int64)
    value = np.empty(len(rows), dtype=np.int8)
    for i, (statement_id, participant_id, vote) in enumerate(rows):
        voter[i] = voters.setdefault(str(participant_id), len(voters))
        comment[i] = statements.setdefault(str(statement_id), len(statements))
        value[i] = vote
    return Votes(
        voter_ids=tuple(voters),
        comment_ids=tuple(statements),
        voter=voter,
        comment=comment,
        value=value,
        rows_read=len(rows),
    )


def _direction(word: str) -> str:
    return _("Agree") if word == "agree" else _("Disagree")


def _compute(conversation, rows) -> dict:
    """The core's map as plain data (cacheable), or {"error": reason}."""
    texts = {s.pk: s.text for s in selectors.published_statements(conversation)}
    comments = {str(pk): Comment(str(pk), text, False) for pk, text in texts.items()}
    try:
        with np.errstate(all="ignore"):  # degenerate inputs are handled below, not logged
            opinion_map = compute_opinion_map(_votes(rows), comments, seed=0)
    except OpinionDataError as exc:
        return {"error": "too_few", "detail": str(exc)}
    except (ValueError, FloatingPointError) as exc:
        # e.g. everyone voted identically so far: there is no spread to form groups from
        return {"error": "no_spread", "detail": str(exc)}
    data = opinion_map.to_dict(comments, points=True)
    # agree share of each group on each statement, from the same votes and labels
    labels = {voter_id: g["id"] for g in data["groups"] for voter_id in g["members"]}
    k = len(data["groups"])
    agree: dict[int, np.ndarray] = {}
    seen: dict[int, np.ndarray] = {}
    for statement_id, participant_id, vote in rows:
        group = labels.get(str(participant_id))
        if group is None:
            continue
        seen.setdefault(statement_id, np.zeros(k))[group] += 1
        agree.setdefault(statement_id, np.zeros(k))[group] += vote == 1
    data["agree_by_statement"] = {
        sid: [
            round(float(a / n) * 100, 1) if n else None
            for a, n in zip(agree[sid], counts, strict=True)
        ]
        for sid, counts in seen.items()
    }
    for g in data["groups"]:
        g.pop("members")  # not kept: the page needs sizes, not who
    data["labels"] = labels
    return data


def map_for(conversation, *, viewer) -> MapView:
    rows = selectors.vote_rows(conversation)
    participants = len({r[1] for r in rows})
    if not rows:
        return MapView(False, _("Nobody has voted yet: the map appears once people take part."))
    fingerprint = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:32]
    key = f"participation:opinion-map:{conversation.pk}:{fingerprint}"
    data = cache.get(key)
    if data is None:
        data = _compute(conversation, rows)
        cache.set(key, data, CACHE_SECONDS)
    if data.get("error") == "too_few":
        return MapView(
            False,
            _(
                "Not enough people have voted on enough statements to draw the map yet "
                "(at least three participants are needed)."
            ),
            participants=participants,
        )
    if "error" in data:
        return MapView(
            False,
            _("So far everyone has voted alike: there are no groups to draw yet."),
            participants=participants,
        )
    groups = [
        GroupView(
            number=g["id"],
            name=group_name(g["id"]),
            size=g["size"],
            representative=[
                {
                    "statement_id": int(s["comment_id"]),
                    "text": s.get("text", ""),
                    "direction": _direction(s["direction"]),
                    "in_group": round(s["share_in_group"] * 100),
                    "others": round(s["share_in_others"] * 100),
                }
                for s in g["representative"]
            ],
        )
        for g in data["groups"]
    ]
    you = str(viewer.pk) if getattr(viewer, "is_authenticated", False) else None
    points = [
        charts.Point(p["x"], p["y"], p["group"], is_you=p["voter_id"] == you)
        for p in data.get("points", [])
    ]
    your_group = data["labels"].get(you) if you else None
    svg = charts.opinion_map(
        f"map-{conversation.pk}",
        title=_("Opinion map: %(topic)s") % {"topic": conversation.topic},
        description=_(
            "Each dot is a participant, placed by how they voted: people who vote alike are "
            "close together. Colours show the groups. The table beside lists the same groups."
        ),
        points=points,
        group_names=[f"{g.name} ({g.size})" for g in groups],
        you_label=_("You"),
    )
    return MapView(
        True,
        svg=svg,
        groups=groups,
        consensus=[
            {
                "statement_id": int(s["comment_id"]),
                "text": s.get("text", ""),
                "direction": _direction(s["direction"]),
                "lowest": round(min(s.get("share_by_group") or [0]) * 100),
            }
            for s in data["consensus"]
        ],
        participants=data["participants"],
        placed=data["participants_in_map"],
        your_group=group_name(your_group) if your_group is not None else "",
        agree_by_statement={int(k): v for k, v in data["agree_by_statement"].items()},
    )
