"""Checking dataset and resource input from the API and the web forms.

Every problem is collected, keyed by field, in CKAN's wording where CKAN has one ("Missing value",
"That URL is already in use."), so a publisher sees all of them at once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator

from civitas.opendata.errors import ValidationError
from civitas.opendata.serializers import EXTRA_FIELDS
from civitas.opendata.vocabularies import FREQUENCIES, LICENCES_BY_ID, THEMES

NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
TAG = re.compile(r"^[\w \-.]{1,100}$", re.UNICODE)
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()

TEXT_FIELDS = {
    "title": 300,
    "notes": 100_000,
    "version": 100,
    "author": 200,
    "maintainer": 200,
    "spatial": 200,
}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _bool(value: Any, key: str, errors: dict) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    errors.setdefault(key, []).append("Must be true or false")
    return False


def _list(value: Any) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return value
    return [value]


def clean_tags(data: dict, errors: dict) -> list[str]:
    raw = data.get("tags")
    items = _list(raw) if raw is not None else _list(data.get("tag_string"))
    names: list[str] = []
    for item in items:
        name = _text(item.get("name") if isinstance(item, dict) else item)
        if not name:
            continue
        if len(name) < 2:
            errors.setdefault("tags", []).append(f'Tag "{name}" length is less than minimum 2')
            continue
        if not TAG.match(name):
            errors.setdefault("tags", []).append(
                f'Tag "{name}" must be alphanumeric characters or symbols: -_.'
            )
            continue
        if name not in names:
            names.append(name)
    return names


def clean_group_names(data: dict, errors: dict) -> list[str]:
    names = []
    for item in _list(data.get("groups")):
        name = _text(item.get("name") or item.get("id") if isinstance(item, dict) else item)
        if name:
            names.append(name)
    return names


def _date(value: Any, key: str, errors: dict) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors.setdefault(key, []).append("Date format incorrect: use YYYY-MM-DD")
        return None


def _extras(data: dict, errors: dict) -> tuple[dict, dict]:
    """Split ``extras`` into our known fields and free key/values."""
    known: dict[str, Any] = {}
    free: dict[str, str] = {}
    extras = data.get("extras") or []
    if isinstance(extras, dict):
        extras = [{"key": k, "value": v} for k, v in extras.items()]
    if not isinstance(extras, list):
        errors.setdefault("extras", []).append("must be a list of {key, value}")
        return known, free
    for item in extras:
        if not isinstance(item, dict) or not _text(item.get("key")):
            errors.setdefault("extras", []).append("each extra needs a key")
            continue
        key = _text(item["key"])
        if key in EXTRA_FIELDS:
            known[key] = item.get("value")
        elif len(key) > 100:
            errors.setdefault("extras", []).append(f'extra key "{key[:20]}…" is too long')
        else:
            free[key] = _text(item.get("value"))[:10_000]
    return known, free


def clean_dataset(data: dict, *, current=None, partial: bool = False) -> dict:
    """The model values for a create (current None), full update or patch (partial)."""
    if not isinstance(data, dict):
        raise ValidationError({"__all__": ["the request must be an object"]})
    errors: dict[str, list[str]] = {}
    known_extras, free_extras = _extras(data, errors)
    merged = {**known_extras, **{k: v for k, v in data.items() if k in EXTRA_FIELDS}}
    given = set(data) | set(known_extras)

    def wanted(key: str) -> bool:
        return not partial or key in given

    cleaned: dict[str, Any] = {}
    if wanted("name"):
        name = _text(data.get("name"))
        if not name and current is not None:
            name = current.name
        if not name:
            errors.setdefault("name", []).append("Missing value")
        elif not NAME.match(name):
            errors.setdefault("name", []).append(
                "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                if len(name) >= 2
                else "Name must be at least 2 characters long"
            )
        cleaned["name"] = name
    for key, limit in TEXT_FIELDS.items():
        if wanted(key):
            value = _text(merged.get(key) if key in EXTRA_FIELDS else data.get(key))
            if len(value) > limit:
                errors.setdefault(key, []).append(f"must be at most {limit} characters")
            cleaned[key] = value
    if wanted("title") and not cleaned.get("title"):
        cleaned["title"] = cleaned.get("name") or (current.name if current else "")
    for key in ("url", "documentation_url"):
        if wanted(key):
            value = _text(merged.get(key) if key in EXTRA_FIELDS else data.get(key))
            if value:
                try:
                    _url(value)
                except DjangoValidationError:
                    errors.setdefault(key, []).append("Please provide a valid URL (http or https)")
            cleaned[key] = value
    for key in ("author_email", "maintainer_email"):
        if wanted(key):
            value = _text(data.get(key))
            if value:
                try:
                    _email(value)
                except DjangoValidationError:
                    errors.setdefault(key, []).append("Email address is not valid")
            cleaned[key] = value
    if wanted("license_id"):
        value = _text(data.get("license_id")) or "notspecified"
        if value not in LICENCES_BY_ID:
            errors.setdefault("license_id", []).append(
                f'Unknown licence "{value}": see license_list for the ids'
            )
        cleaned["license_id"] = value
    if wanted("private"):
        # an update that does not mention visibility keeps it: data never turns public by omission
        default = current.private if current is not None else False
        cleaned["private"] = _bool(data.get("private", default), "private", errors)
    if wanted("tags") or (partial and "tag_string" in given):
        cleaned["tags"] = clean_tags(data, errors)
    if wanted("groups"):
        cleaned["group_names"] = clean_group_names(data, errors)
    if wanted("theme"):
        themes = []
        for item in _list(merged.get("theme")):
            code = _text(item).rstrip("/").rsplit("/", 1)[-1].upper()
            if code not in THEMES:
                errors.setdefault("theme", []).append(
                    f'Unknown theme "{item}": use one of {", ".join(THEMES)}'
                )
            elif code not in themes:
                themes.append(code)
        cleaned["themes"] = themes
    if wanted("frequency"):
        code = _text(merged.get("frequency")).rstrip("/").rsplit("/", 1)[-1].upper()
        if code and code not in FREQUENCIES:
            errors.setdefault("frequency", []).append(
                f'Unknown frequency "{code}": use one of {", ".join(FREQUENCIES)}'
            )
        cleaned["frequency"] = code
    for key in ("temporal_start", "temporal_end"):
        if wanted(key):
            cleaned[key] = _date(merged.get(key), key, errors)
    start = cleaned.get("temporal_start", getattr(current, "temporal_start", None))
    end = cleaned.get("temporal_end", getattr(current, "temporal_end", None))
    if start and end and start > end:
        errors.setdefault("temporal_end", []).append("The end is before the start")
    if wanted("language"):
        cleaned["language"] = (_text(merged.get("language")) or "en")[:10]
    if wanted("extras"):
        cleaned["extras"] = free_extras
    if wanted("owner_org"):
        owner = data.get("owner_org") or data.get("organization")
        if isinstance(owner, dict):  # a package_show dictionary sent back whole
            owner = owner.get("id") or owner.get("name")
        if not owner and current is not None:
            owner = str(current.organization_id)
        cleaned["owner_org"] = _text(owner)
        if not cleaned["owner_org"]:
            errors.setdefault("owner_org", []).append("An organization must be provided")
    if wanted("state"):
        state = _text(data.get("state")) or (current.state if current else "active")
        if state not in {"active", "draft"} and not (current and state == current.state):
            errors.setdefault("state", []).append('Must be "active" or "draft"')
        cleaned["state"] = state
    if "resources" in data and data["resources"] is not None:
        if not isinstance(data["resources"], list):
            errors.setdefault("resources", []).append("must be a list")
        else:
            cleaned["resources"] = [
                clean_resource(item, errors=errors, index=i)
                for i, item in enumerate(data["resources"])
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


RESOURCE_TEXT = {"name": 300, "description": 100_000, "format": 40, "mimetype": 120}


def clean_resource(data: Any, *, errors: dict | None = None, index: int | None = None) -> dict:
    own: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        own.setdefault("resources", []).append("each resource must be an object")
        data = {}
    cleaned: dict[str, Any] = {}
    for key, limit in RESOURCE_TEXT.items():
        value = _text(data.get(key))
        if len(value) > limit:
            own.setdefault(key, []).append(f"must be at most {limit} characters")
        cleaned[key] = value
    cleaned["format"] = cleaned["format"].upper().lstrip(".")
    cleaned["resource_type"] = _text(data.get("resource_type"))[:40]
    url = _text(data.get("url"))
    if url and data.get("url_type") not in ("upload", "datastore"):
        try:
            _url(url)
        except DjangoValidationError:
            own.setdefault("url", []).append("Please provide a valid URL (http or https)")
    cleaned["url"] = url if data.get("url_type") not in ("upload", "datastore") else ""
    cleaned["id"] = _text(data.get("id"))
    if errors is not None:
        for key, messages in own.items():
            label = f"resources[{index}].{key}" if index is not None else key
            errors.setdefault(label, []).extend(messages)
        return cleaned
    if own:
        raise ValidationError(own)
    return cleaned
