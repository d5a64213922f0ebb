"""Small helpers for reading pages in the participation tests."""

from __future__ import annotations


def main_of(response) -> str:
    """The page's <main> element: what this app renders, without the shared header and footer."""
    html = response.content.decode() if hasattr(response, "content") else response
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


def assert_csp_friendly(response) -> None:
    """No inline script and no style attribute in what we render (a strict CSP is coming)."""
    main = main_of(response)
    assert 'style="' not in main, "no style attributes"
    assert "<script" not in main, "no scripts"
