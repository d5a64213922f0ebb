"""Decision letters, in the applicant's language: one set of words for the HTML page and the PDF.

The PDF is drawn with fpdf2 in a TrueType font that has Latin and Arabic letters (DejaVu Sans or
Noto Sans from the system, or ``CIVITAS_PDF_FONT``); Arabic is shaped and set right to left when
uharfbuzz is installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from civitas.casework.models import Decision

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)


class LetterUnavailable(Exception):
    """The PDF cannot be drawn here (no suitable font); the HTML letter still can."""


@dataclass
class Letter:
    language: str
    rtl: bool
    title: str
    date: str
    recipient: str
    address: list[str]
    reference: str
    paragraphs: list[str] = field(default_factory=list)
    reason: str = ""
    rule: str = ""
    after: list[str] = field(default_factory=list)
    signature: str = ""


def letter_language(decision: Decision) -> str:
    applicant = decision.application.applicant or decision.application.created_by
    wanted = getattr(applicant, "preferred_language", "") or settings.LANGUAGE_CODE
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else settings.LANGUAGE_CODE


def letter_for(decision: Decision) -> Letter:
    """The words of the letter, in the language the applicant chose."""
    application = decision.application
    language = letter_language(decision)
    with translation.override(language):
        person = application.person
        name = (
            person.full_name
            if person is not None
            else str(application.applicant or application.created_by or "")
        )
        address = []
        household = decision.case.household
        if household is not None:
            address = [household.address, household.region.name]
        decided = timezone.localtime(decision.finalised_at or decision.proposed_at)
        paragraphs = [
            _("We have decided on your application %(ref)s for %(program)s.")
            % {"ref": application.reference, "program": application.program.name},
        ]
        if decision.approved:
            paragraphs.append(_("Your application is approved."))
            if decision.amount:
                paragraphs.append(
                    _(
                        "You will receive %(amount)s %(currency)s a month, paid at the end of "
                        "each month into the account you gave us."
                    )
                    % {
                        "amount": formats.number_format(decision.amount, 2),
                        "currency": decision.currency,
                    }
                )
        else:
            paragraphs.append(_("Your application is not approved."))
        appeal = _(
            "If you think this decision is wrong, you can appeal within 30 days of the date of "
            "this letter. Sign in and open the application, or write to us quoting %(ref)s. "
            "Someone who did not take this decision will look at it again."
        ) % {"ref": application.reference}
        office = decision.case.office
        return Letter(
            language=language,
            rtl=translation.get_language_bidi(),
            title=_("Decision on your application"),
            date=formats.date_format(decided, "DATE_FORMAT"),
            recipient=name,
            address=address,
            reference=application.reference,
            paragraphs=paragraphs,
            reason=decision.reason,
            rule=decision.rule_reference,
            after=[appeal],
            signature=office.name if office is not None else settings.CIVITAS_SITE_NAME,
        )


@cache
def _font_path() -> str | None:
    configured = settings.CIVITAS_PDF_FONT
    if configured:
        return configured if Path(configured).is_file() else None
    return next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)


def letter_pdf(letter: Letter) -> bytes:
    """The letter as a PDF (A4, one column)."""
    from fpdf import FPDF

    font = _font_path()
    if font is None:
        raise LetterUnavailable(
            "no TrueType font with Latin and Arabic letters was found: set CIVITAS_PDF_FONT"
        )
    pdf = FPDF(format="A4")
    pdf.set_title(letter.title)
    pdf.set_lang(letter.language)
    pdf.set_creator(settings.CIVITAS_SITE_NAME)
    pdf.add_page()
    pdf.add_font("Letter", "", font)
    pdf.set_font("Letter", size=11)
    try:
        import uharfbuzz  # noqa: F401  (text shaping for Arabic)

        pdf.set_text_shaping(True)
    except ImportError:
        pass
    align = "R" if letter.rtl else "L"

    def line(text: str, *, size: int = 11, gap: float = 2) -> None:
        pdf.set_font("Letter", size=size)
        pdf.multi_cell(0, size * 0.55, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(letter.signature, size=10)
    line(letter.date, size=10, gap=6)
    line(letter.recipient)
    for part in letter.address:
        line(part, gap=0)
    pdf.ln(6)
    line(f"{letter.title} · {letter.reference}", size=14, gap=4)
    for paragraph in letter.paragraphs:
        line(paragraph)
    with translation.override(letter.language):
        line(_("Reason: %(reason)s") % {"reason": letter.reason})
        if letter.rule:
            line(_("Rule applied: %(rule)s") % {"rule": letter.rule})
    for paragraph in letter.after:
        line(paragraph)
    pdf.ln(4)
    line(letter.signature)
    return bytes(pdf.output())
