"""A programme as a folder, to share between ministries and keep in version control.

    DIR/programme.json   slug, name, version number, date, legal basis, decision days, format
    DIR/texts.json       start page texts by language
    DIR/form.json        the application form
    DIR/rules/           the rules folder: programme.yaml, variables/, parameters/, tests/
                         (the studio's test cases are written to rules/tests/studio-cases.yaml)

``civitas rules test DIR`` finds ``rules/programme.yaml`` and runs every test in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from civitas import rules
from civitas.programs.formspec import FormSpecError, validate_spec
from civitas.programs.models import Program, ProgramVersion
from civitas.studio import selectors

FORMAT = "civitas-programme/1"


class BundleError(ValueError):
    """The folder is not a programme this version of Civitas can read; the message says why."""


@dataclass
class Bundle:
    slug: str
    name: str
    effective_from: date
    legal_basis: str
    decision_days: int
    texts: dict
    form: dict
    rules: dict[str, str]


def export(version: ProgramVersion, target: Path) -> list[Path]:
    program = version.program
    target.mkdir(parents=True, exist_ok=True)
    rules_dir = target / "rules"
    if rules_dir.exists() and any(rules_dir.iterdir()):
        raise BundleError(f"{rules_dir} is not empty: export into a new folder")
    workspace = getattr(version, "studio", None)
    texts = (workspace.texts if workspace else None) or {
        "en": {k: getattr(program, k) for k in _TEXTS}
    }
    written = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    meta = {
        "format": FORMAT,
        "slug": program.slug,
        "name": program.name,
        "version": version.number,
        "status": version.status,
        "effective_from": version.effective_from.isoformat(),
        "legal_basis": version.legal_basis,
        "decision_days": program.decision_days,
    }
    write(target / "programme.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    write(target / "texts.json", json.dumps(texts, indent=2, ensure_ascii=False) + "\n")
    write(target / "form.json", json.dumps(version.form, indent=2, ensure_ascii=False) + "\n")
    for rel, text in sorted(selectors.files_with_cases(version).items()):
        write(rules_dir / rel, text)
    return written


_TEXTS = ("name", "summary", "who_can_apply", "what_you_need", "how_long", "what_happens_next")


def _json(path: Path):
    if not path.is_file():
        raise BundleError(f"{path}: missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BundleError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise BundleError(f"{path}: not UTF-8 text") from None


def read(source: Path, *, slug: str | None = None) -> Bundle:
    """Read and check a folder: nothing is imported unless the rules load, the form is valid and
    the meta data is complete."""
    if not source.is_dir():
        raise BundleError(f"{source}: no such folder")
    meta = _json(source / "programme.json")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleError(f"{source / 'programme.json'}: format must be {FORMAT!r}")
    texts, form = _json(source / "texts.json"), _json(source / "form.json")
    try:
        validate_spec(form)
    except FormSpecError as exc:
        raise BundleError(f"{source / 'form.json'}: {exc}") from None
    rules_dir = source / "rules"
    if not (rules_dir / "programme.yaml").is_file():
        raise BundleError(f"{rules_dir / 'programme.yaml'}: missing")
    try:
        programme = rules.load(rules_dir)
    except rules.ProgrammeError as exc:
        raise BundleError(str(exc)) from None
    files = dict(programme.sources)
    try:
        effective_from = date.fromisoformat(str(meta.get("effective_from")))
    except ValueError:
        raise BundleError("programme.json: effective_from must be YYYY-MM-DD") from None
    new_slug = slug or str(meta.get("slug") or "")
    if not new_slug or not all(c.isalnum() or c in "-_" for c in new_slug):
        raise BundleError(f"{new_slug!r} is not a valid short name (letters, digits, - and _)")
    if not isinstance(texts, dict) or not isinstance(texts.get("en", {}), dict):
        raise BundleError("texts.json must map languages to texts")
    return Bundle(
        slug=new_slug,
        name=str((texts.get("en") or {}).get("name") or meta.get("name") or new_slug),
        effective_from=effective_from,
        legal_basis=str(meta.get("legal_basis") or ""),
        decision_days=int(meta.get("decision_days") or 10),
        texts=texts,
        form=form,
        rules=files,
    )


def existing(slug: str) -> Program | None:
    return Program.objects.filter(slug=slug).first()
