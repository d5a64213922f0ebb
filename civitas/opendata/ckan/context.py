"""What an action receives besides its parameters: who calls, from where, with which files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from civitas.opendata.selectors import Access


@dataclass
class Context:
    access: Access
    site: str  # scheme://host of this catalogue, for absolute URLs
    idempotency_key: str = ""
    files: dict[str, Any] = field(default_factory=dict)
    api_version: int = 3
