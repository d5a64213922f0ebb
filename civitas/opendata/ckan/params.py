"""Reading action parameters the way CKAN's validators do, with CKAN's error wording."""

from __future__ import annotations

import json
from typing import Any

from civitas.opendata.errors import NotFound, ValidationError


def required(data: dict, key: str, *alternatives: str) -> Any:
    for name in (key, *alternatives):
        value = data.get(name)
        if value not in (None, ""):
            return value
    raise ValidationError({key: ["Missing value"]})


def identifier(data: dict, key: str = "id", *alternatives: str) -> str:
    value = data.get(key)
    for name in alternatives:
        value = value or data.get(name)
    if value in (None, ""):
        raise ValidationError({key: ["Missing value"]})
    if not isinstance(value, str):
        raise NotFound("Not found")
    return value.strip()


def integer(
    data: dict, key: str, default: int | None, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise ValidationError({key: ["Invalid integer"]})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({key: ["Invalid integer"]}) from None
    if number < minimum:
        raise ValidationError({key: ["Must be a natural number"]})
    if maximum is not None and number > maximum:
        number = maximum
    return number


def boolean(data: dict, key: str, default: bool) -> bool:
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on", "t", "y"}:
        return True
    if text in {"false", "0", "no", "off", "f", "n"}:
        return False
    raise ValidationError({key: ["Value must be a boolean"]})


def string_list(data: dict, key: str) -> list[str]:
    """A list given as a list, as JSON text (GET requests), or as one string."""
    value = data.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
        else:
            return [text]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ValidationError({key: ["Must be a list of strings"]})


def structure(data: dict, key: str) -> Any:
    """A dict or list that may arrive as JSON text."""
    value = data.get(key)
    if isinstance(value, str) and value.strip()[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
    return value
