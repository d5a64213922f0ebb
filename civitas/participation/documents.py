"""Consultation documents as accessible HTML: an allow-list sanitiser and an accessibility check.

Authors paste or write simple HTML. We keep the structure that helps people read (headings, lists,
tables with headers, links, emphasis), drop everything else, add the design system's classes, and
refuse a document whose structure would confuse a screen reader (skipped heading levels, tables
without header cells, links without meaningful text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.utils.translation import gettext as _

# tag -> (design-system class, allowed attributes)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "h2": ("govuk-heading-l", frozenset({"id", "lang"})),
    "h3": ("govuk-heading-m", frozenset({"id", "lang"})),
    "h4": ("govuk-heading-s", frozenset({"id", "lang"})),
    "p": ("govuk-body", frozenset({"lang"})),
    "ul": ("govuk-list govuk-list--bullet", frozenset()),
    "ol": ("govuk-list govuk-list--number", frozenset()),
    "li": ("", frozenset()),
    "a": ("govuk-link", frozenset({"href", "hreflang"})),
    "strong": ("", frozenset()),
    "em": ("", frozenset()),
    "abbr": ("", frozenset({"title"})),
    "code": ("", frozenset()),
    "blockquote": ("govuk-inset-text", frozenset()),
    "dl": ("govuk-summary-list", frozenset()),
    "dt": ("govuk-summary-list__key", frozenset()),
    "dd": ("govuk-summary-list__value", frozenset()),
    "table": ("govuk-table", frozenset()),
    "caption": ("govuk-table__caption govuk-table__caption--m", frozenset()),
    "thead": ("govuk-table__head", frozenset()),
    "tbody": ("govuk-table__body", frozenset()),
    "tr": ("govuk-table__row", frozenset()),
    "th": ("govuk-table__header", frozenset({"scope", "colspan", "rowspan"})),
    "td": ("govuk-table__cell", frozenset({"colspan", "rowspan"})),
    "br": ("", frozenset()),
    "span": ("", frozenset({"lang"})),
}
VOID = {"br"}
BLOCKS = {"p", "h2", "h3", "h4", "ul", "ol", "table", "blockquote", "dl"}
IMPLIED_SIBLINGS = {
    "li": {"li"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "svg", "math"}
RENAME = {"b": "strong", "i": "em", "h5": "h4", "h6": "h4"}
VAGUE_LINK_TEXT = {"click here", "here", "link", "more", "read more", "this"}


@dataclass
class CleanDocument:
    html: str
    problems: list[str] = field(default_factory=list)


def _safe_href(value: str) -> str | None:
    value = value.strip()
    lowered = value.lower()
    if lowered.startswith(("https://", "http://", "mailto:", "/", "#")) and not lowered.startswith(
        "//"
    ):
        return value
    return None


def _integer(value: str) -> str | None:
    return value if value.isdigit() and 0 < int(value) < 100 else None


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropping = 0
        self.problems: list[str] = []
        self.last_heading = 1  # the page's own <h1> is the title
        self.tables: list[dict] = []
        self.link_text: list[str] | None = None
        self.heading_text: list[str] | None = None

    # -- tags ------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = RENAME.get(tag, tag)
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "h1":
            self.problems.append(
                _("Start the document's headings at level 2 (<h2>): the page title is level 1.")
            )
            tag = "h2"
        if tag not in ALLOWED:
            return
        self._close_implied(tag)
        css, allowed = ALLOWED[tag]
        kept: list[str] = []
        for name, raw in attrs:
            value = raw or ""
            if name not in allowed:
                continue
            if name == "href":
                safe = _safe_href(value)
                if safe is None:
                    continue
                value = safe
            if name in {"colspan", "rowspan"} and _integer(value) is None:
                continue
            if name == "scope" and value not in {"col", "row", "colgroup", "rowgroup"}:
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag in {"h2", "h3", "h4"}:
            level = int(tag[1])
            if level > self.last_heading + 1:
                self.problems.append(
                    _(
                        "A level %(level)s heading follows a level %(previous)s heading: do not "
                        "skip heading levels."
                    )
                    % {"level": level, "previous": self.last_heading}
                )
            self.last_heading = level
            self.heading_text = []
        if tag == "table":
            self.tables.append({"headers": 0})
        if tag == "th" and self.tables:
            self.tables[-1]["headers"] += 1
        if tag == "a":
            self.link_text = []
        class_attr = f' class="{css}"' if css else ""
        self.out.append(f"<{tag}{class_attr}{''.join(kept)}>")
        if tag not in VOID:
            self.stack.append(tag)

    def _close_implied(self, tag: str) -> None:
        """Close what HTML closes implicitly: a paragraph before a block, a list item before the
        next one, a cell before the next cell, a row before the next row."""
        if tag in BLOCKS and "p" in self.stack:
            self._close_through("p")
        siblings = IMPLIED_SIBLINGS.get(tag)
        if siblings and self.stack and self.stack[-1] in siblings:
            self._close(self.stack.pop())
        if tag == "tr":
            while self.stack and self.stack[-1] in {"td", "th"}:
                self._close(self.stack.pop())
            if self.stack and self.stack[-1] == "tr":
                self._close(self.stack.pop())

    def _close_through(self, tag: str) -> None:
        while self.stack:
            open_tag = self.stack.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if RENAME.get(tag, tag) not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = RENAME.get(tag, tag)
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        if tag == "h1":
            tag = "h2"
        if tag in self.stack:
            self._close_through(tag)

    def _close(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag == "a" and self.link_text is not None:
            text = " ".join("".join(self.link_text).split()).lower()
            if not text:
                self.problems.append(_("A link has no text: say where the link goes."))
            elif text in VAGUE_LINK_TEXT:
                self.problems.append(
                    _(
                        "The link text “%(text)s” does not say where it goes: describe the "
                        "destination instead."
                    )
                    % {"text": text}
                )
            self.link_text = None
        if tag in {"h2", "h3", "h4"} and self.heading_text is not None:
            if not "".join(self.heading_text).strip():
                self.problems.append(_("A heading is empty: give it text or remove it."))
            self.heading_text = None
        if tag == "table" and self.tables:
            table = self.tables.pop()
            if not table["headers"]:
                self.problems.append(
                    _(
                        "A table has no header cells (<th>): mark the row or column headers so a "
                        "screen reader can announce them."
                    )
                )

    # -- text ------------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.link_text is not None:
            self.link_text.append(data)
        if self.heading_text is not None:
            self.heading_text.append(data)
        self.out.append(escape(data, quote=False))

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(self.stack.pop())


def clean(html: str) -> CleanDocument:
    """The document with only allowed structure, and the accessibility problems found in it."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    cleaner.close()
    body = "".join(cleaner.out).strip()
    problems = list(dict.fromkeys(cleaner.problems))
    if not body:
        problems.append(_("The document is empty: write its text."))
    return CleanDocument(body, problems)
