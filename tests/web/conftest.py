"""Fixtures for the web tests: compiled translations."""

from __future__ import annotations

import pytest


def compile_translations() -> None:
    """Build the .mo files when they are missing or older than the .po files (``make install``
    does it too), then drop Django's cached catalogs so the new ones are read."""
    from pathlib import Path

    from django.conf import settings
    from django.utils.translation import trans_real

    from civitas.web.translations import compile_all

    written = []
    for folder in settings.LOCALE_PATHS:
        written += compile_all(Path(folder))
    if written:
        trans_real._translations = {}
        for cached in ("translation_catalog_exists", "check_for_language"):
            clear = getattr(getattr(trans_real, cached, None), "cache_clear", None)
            if clear:
                clear()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    compile_translations()
