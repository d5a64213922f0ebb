"""The part of Solr's query language that CKAN clients send in ``q`` and ``fq``.

Supported: words and "quoted phrases", ``field:value``, ``field:"a phrase"``, ``field:(a OR b)``,
``field:*`` (has a value), prefix words ``flood*``, ranges ``field:[a TO b]`` / ``{a TO b}`` with
``*`` and ``NOW`` (dates and numbers), ``AND``/``OR``/``NOT``/``&&``/``||``/``!``, ``+``/``-``,
parentheses and ``*:*``. Words next to each other must all match (CKAN's ``q.op=AND``).

Anything else raises SearchQueryError with the position and what was expected.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from civitas.opendata.errors import SearchQueryError

# field -> kind; "text" fields are tokenised, "keyword" fields match whole values, "range" fields
# are numbers or timestamps compared with [a TO b].
FIELDS = {
    "text": "text",
    "title": "text",
    "notes": "text",
    "res_name": "text",
    "res_description": "text",
    "author": "text",
    "maintainer": "text",
    "name": "keyword",
    "id": "keyword",
    "tags": "keyword",
    "groups": "keyword",
    "organization": "keyword",
    "owner_org": "keyword",
    "license_id": "keyword",
    "res_format": "keyword",
    "theme": "keyword",
    "frequency": "keyword",
    "language": "keyword",
    "spatial": "keyword",
    "state": "keyword",
    "capacity": "keyword",
    "type": "keyword",
    "dataset_type": "keyword",
    "metadata_modified": "range",
    "metadata_created": "range",
    "num_resources": "range",
    "num_tags": "range",
}
ALIASES = {"tag": "tags", "group": "groups", "dataset_type": "type", "license": "license_id"}


@dataclass(frozen=True)
class All:
    pass


@dataclass(frozen=True)
class Term:
    field: str
    value: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    field: str
    value: str


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class Range:
    field: str
    low: str
    high: str
    include_low: bool
    include_high: bool


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<and>&&)
  | (?P<or>\|\|)
  | (?P<bang>!)
  | (?P<plus>\+)
  | (?P<minus>-(?=[^\s]))
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<range>[\[{][^\]}]*[\]}])
  | (?P<word>(?:[^\s()"\\:\[\]{}]|\\.)+)
  | (?P<colon>:)
    """,
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SearchQueryError(
                f"Search Query is invalid: unexpected {text[position]!r} at position {position}"
            )
        kind = match.lastgroup
        value = match.group(kind)
        if kind != "space":
            if kind == "word" and value in {"AND", "OR", "NOT"}:
                kind = value.lower()
            out.append((kind, value, position))
        position = match.end()
    return out


def normalise(text: str) -> str:
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


_SPLIT = re.compile(r"[^\w]+|_", re.UNICODE)


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def words(text: str) -> list[str]:
    """Index and query words: case and accents folded, split on punctuation, plurals trimmed."""
    return [stem(t) for t in _SPLIT.split(normalise(text or "")) if t]


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.items = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self) -> tuple[str, str, int]:
        item = self.items[self.at]
        self.at += 1
        return item

    def fail(self, expected: str):
        item = self.peek()
        where = f"at position {item[2]}" if item else "at the end"
        raise SearchQueryError(f"Search Query is invalid: expected {expected} {where}")

    def parse(self):
        if not self.items:
            return All()
        node = self.expression(None)
        if self.peek() is not None:
            self.fail("an operator or the end of the query")
        return node

    def expression(self, field):
        items = [self.conjunction(field)]
        while (item := self.peek()) and item[0] in {"or"}:
            self.take()
            items.append(self.conjunction(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self, field):
        items = [self.unary(field)]
        while (item := self.peek()) and item[0] not in {"or", "rparen"}:
            if item[0] == "and":
                self.take()
            items.append(self.unary(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, field):
        item = self.peek()
        if item is None:
            self.fail("a search term")
        if item[0] in {"not", "bang", "minus"}:
            self.take()
            return Not(self.unary(field))
        if item[0] == "plus":
            self.take()
            return self.unary(field)
        return self.primary(field)

    def primary(self, field):
        kind, value, _ = self.take()
        if kind == "lparen":
            node = self.expression(field)
            if not self.peek() or self.peek()[0] != "rparen":
                self.fail("a closing parenthesis")
            self.take()
            return node
        if kind == "word" and self.peek() and self.peek()[0] == "colon":
            self.take()
            if value == "*":
                nxt = self.peek()
                if nxt and nxt[0] == "word" and nxt[1] == "*":
                    self.take()
                    return All()
                self.fail("*:* ")
            name = ALIASES.get(value, value)
            if name not in FIELDS:
                raise SearchQueryError(f"Search Query is invalid: unknown field {value!r}")
            nxt = self.peek()
            if nxt is None:
                self.fail(f"a value for {value}")
            if nxt[0] == "lparen":
                self.take()
                node = self.expression(name)
                if not self.peek() or self.peek()[0] != "rparen":
                    self.fail("a closing parenthesis")
                self.take()
                return node
            if nxt[0] == "range":
                self.take()
                return self.range(name, nxt[1])
            if nxt[0] in {"word", "quoted"}:
                return self.value(name, *self.take()[:2])
            self.fail(f"a value for {value}")
        if kind in {"word", "quoted"}:
            return self.value(field, kind, value)
        if kind == "range":
            if field is None:
                raise SearchQueryError("Search Query is invalid: a range needs a field")
            return self.range(field, value)
        self.fail("a search term")
        return None  # pragma: no cover

    def value(self, field, kind, raw):
        target = field or "text"
        if kind == "quoted":
            return Phrase(target, re.sub(r"\\(.)", r"\1", raw[1:-1]))
        text = re.sub(r"\\(.)", r"\1", raw)
        if text == "*":
            return All() if field is None else Exists(target)
        if FIELDS[target] == "range":
            return Range(target, text, text, True, True)
        if text.endswith("*") and len(text) > 1:
            return Term(target, text[:-1], prefix=True)
        if "*" in text or "?" in text:
            raise SearchQueryError(
                "Search Query is invalid: wildcards are supported only at the end of a word"
            )
        return Term(target, text)

    def range(self, field, raw):
        if FIELDS.get(field) != "range":
            raise SearchQueryError(f"Search Query is invalid: {field} cannot be a range")
        body = raw[1:-1].strip()
        parts = re.split(r"\s+TO\s+", body)
        if len(parts) != 2:
            raise SearchQueryError(f"Search Query is invalid: expected [a TO b], got {raw}")
        return Range(field, parts[0].strip(), parts[1].strip(), raw[0] == "[", raw[-1] == "]")


def parse(text: str | None):
    if text is None:
        return All()
    text = str(text).strip()
    if text in {"", '""', "''", "*:*", "*"}:
        return All()
    return _Parser(text).parse()


def positive_words(node) -> list[tuple[str, str]]:
    """The (field, word) pairs a query looks for, outside NOT: they rank the results."""
    out: list[tuple[str, str]] = []
    if isinstance(node, Term | Phrase) and FIELDS.get(node.field) == "text":
        out.extend((node.field, w) for w in words(node.value))
    elif isinstance(node, And | Or):
        for item in node.items:
            out.extend(positive_words(item))
    return out
