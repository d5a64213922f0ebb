"""A real headless Chromium for tests, driven by Playwright, with axe-core injected from
``node_modules`` (never from a CDN).

The browser is the Debian ``chromium`` package (``CIVITAS_CHROMIUM`` may name another binary);
Playwright's own browser download is never used. Without a browser the test is skipped on a
developer's machine and fails when ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the browser tests are required)")
    pytest.skip(message)


def chromium_path() -> str:
    candidates = [os.environ.get("CIVITAS_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    _unavailable("no Chromium found (apt-get install chromium, or set CIVITAS_CHROMIUM)")
    return ""


def axe_source() -> str:
    if not AXE.is_file():
        _unavailable(f"{AXE} is missing: run `npm ci` (make install does)")
    return AXE.read_text()


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        _unavailable("Playwright for Python is missing: pip install -e '.[dev]'")
    return start()


def launch(playwright, user_data_dir: Path):
    """A persistent context on a new, empty profile folder (no first-run, no sync, no updates)."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_FLAGS,
        bypass_csp=True,  # lets the test inject axe-core under the site's strict policy
        locale="en-GB",
    )


def run_axe(page, source: str) -> list[dict]:
    """axe-core's violations on the current page (every rule, WCAG 2.2 A/AA and best practices,
    including target size, which axe leaves off unless asked)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations'],"
        " rules: {'target-size': {enabled: true}}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
