"""What the catalogue publishes from the other capabilities, wired where both are visible.

The open data catalogue and e-participation are siblings in the layers and may not import each
other; operations sits above both, so it registers e-participation's result tables as a source of
the catalogue when the application starts (``OpsConfig.ready``).
"""

from __future__ import annotations

from civitas.opendata.publication import Protect, register_source

PARTICIPATION_PUBLISHER = "public-participation"


def participation_tables():
    # imported when called: the tables are read at each publication, not at start-up
    from civitas.participation.publication import result_tables

    return result_tables()


def register() -> None:
    register_source(
        "participation",
        participation_tables,
        publisher=PARTICIPATION_PUBLISHER,
        publisher_title="Public participation",
        tags=("participation",),
        theme=("GOVE",),
        protect={
            # answers to a survey: a few people giving one answer could be recognised; the
            # answers to one question add up to the number who answered it
            "survey": Protect(
                counts=("respondents",), derived=("share_percent",), within=("question_number",)
            ),
            # votes on one statement of an opinion map, and the size of its opinion groups
            "opinion_map": Protect(
                counts=("agree", "disagree", "pass", "participants"),
                derived=(),
                within=("statement_id",),
            ),
            # consultations (published comments are public anyway) and participatory budgets
            # (results of a vote, published in full like an election's) have no rule
        },
    )
