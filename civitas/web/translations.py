"""Compiling the translations (``.po`` → ``.mo``) without GNU gettext installed.

``make install`` and the tests run ``civitas compiletranslations``, so a fresh machine needs no
``msgfmt``. Only the parts of the PO format that Django's ``makemessages`` writes are read:
comments, ``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr``/``msgstr[n]`` with continued
strings and C escapes. Fuzzy and empty translations are left out, as ``msgfmt`` does, so
English shows instead of a guess. The ``.mo`` layout is GNU gettext's (little-endian, revision 0,
no hash table), which Python's ``gettext`` module reads.
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = 0x950412DE


class PoSyntaxError(ValueError):
    """A line of a .po file cannot be read; the message names the file and line."""


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    def key(self) -> str:
        msgid = self.msgid if self.plural is None else f"{self.msgid}\0{self.plural}"
        return msgid if self.context is None else f"{self.context}\x04{msgid}"

    def value(self) -> str:
        return "\0".join(self.strings[i] for i in sorted(self.strings))

    def translated(self) -> bool:
        return bool(self.strings) and all(self.strings.values())


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoSyntaxError(f"{where}: expected a quoted string, got {text[:40]!r}")
    try:
        return ast.literal_eval(text)  # C escapes (\n, \", \\, \t) read as Python's
    except (SyntaxError, ValueError):
        raise PoSyntaxError(f"{where}: bad escape in {text[:40]!r}") from None


def parse_po(text: str, *, name: str = "<po>") -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which string continued lines extend

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{name}:{number}"
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if target is None:
                raise PoSyntaxError(f"{where}: a continued string without a keyword")
            kind, index = target
            piece = _unquote(line, where)
            if kind == "msgctxt":
                entry.context = (entry.context or "") + piece
            elif kind == "msgid":
                entry.msgid += piece
            elif kind == "msgid_plural":
                entry.plural = (entry.plural or "") + piece
            else:
                entry.strings[index] += piece
            continue
        if keyword in {"msgctxt", "msgid"} and target is not None and target[0] == "msgstr":
            finish()
        if keyword == "msgctxt":
            entry.context, target = _unquote(rest, where), ("msgctxt", 0)
        elif keyword == "msgid":
            entry.msgid, target = _unquote(rest, where), ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.plural, target = _unquote(rest, where), ("msgid_plural", 0)
        elif keyword == "msgstr":
            entry.strings[0], target = _unquote(rest, where), ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[7:-1])
            entry.strings[index], target = _unquote(rest, where), ("msgstr", index)
        else:
            raise PoSyntaxError(f"{where}: unexpected {line[:40]!r}")
    finish()
    return entries


def build_mo(entries: list[Entry]) -> bytes:
    """The .mo bytes for the entries that have a translation (the header always counts)."""
    catalog = {}
    for entry in entries:
        if entry.obsolete or (entry.fuzzy and entry.msgid):
            continue
        if entry.msgid == "" or entry.translated():
            catalog[entry.key()] = entry.value()
    keys = sorted(catalog)
    ids = [k.encode("utf-8") for k in keys]
    strs = [catalog[k].encode("utf-8") for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets, data = [], b""
    for blob in ids:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    for blob in strs:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    output = struct.pack("<7I", MAGIC, 0, count, ids_table, strs_table, 0, data_start)
    for length, offset in offsets:
        output += struct.pack("<2I", length, offset)
    return output + data


def compile_file(po: Path) -> Path:
    mo = po.with_suffix(".mo")
    mo.write_bytes(build_mo(parse_po(po.read_text(encoding="utf-8"), name=str(po))))
    return mo


def compile_all(locale_dir: Path, *, only_if_stale: bool = True) -> list[Path]:
    """Compile every ``.po`` under ``locale_dir``; returns the ``.mo`` files written."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if only_if_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        written.append(compile_file(po))
    return written
