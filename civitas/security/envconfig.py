"""Parsing the security settings' environment variables (imported by settings: no Django here)."""

from __future__ import annotations

import re

from civitas.config.env import ConfigurationError

# name: (path pattern, methods or None for all, limit, window seconds, key)
DEFAULT_RATE_LIMITS: dict[str, tuple[str, tuple[str, ...] | None, int, int, str]] = {
    "signin": (r"^/accounts/sign-in/", ("POST",), 20, 60, "ip"),
    "accounts": (r"^/accounts/", ("POST",), 30, 60, "ip"),
    "api-write": (r"^/api/", ("POST", "PUT", "PATCH", "DELETE"), 120, 60, "client"),
    "api": (r"^/api/", None, 600, 60, "client"),
    "forms": (r"^/", ("POST", "PUT", "PATCH", "DELETE"), 120, 60, "client"),
    "pages": (r"^/(?!healthz|readyz|metrics|static/)", None, 1200, 60, "client"),
}


def rate_limits(raw: str, *, variable: str = "RATE_LIMITS") -> list[dict]:
    """The default rules, with limits overridden by ``name=limit/seconds,...``; ``off`` disables."""
    if raw.strip().lower() == "off":
        return []
    limits = {name: (rule[2], rule[3]) for name, rule in DEFAULT_RATE_LIMITS.items()}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        match = re.fullmatch(r"([a-z-]+)=(\d+)/(\d+)", item)
        if not match or match.group(1) not in limits or int(match.group(3)) == 0:
            raise ConfigurationError(
                f"{variable}: {item!r} is not valid: expected name=requests/seconds with a name "
                f"among {', '.join(DEFAULT_RATE_LIMITS)}, or off"
            )
        limits[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return [
        {
            "name": name,
            "path": path,
            "methods": methods,
            "limit": limits[name][0],
            "window": limits[name][1],
            "key": key,
        }
        for name, (path, methods, _, _, key) in DEFAULT_RATE_LIMITS.items()
    ]
