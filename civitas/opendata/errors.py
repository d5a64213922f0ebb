"""What can go wrong in the catalogue, in the four kinds CKAN clients already understand.

Services and selectors raise these; the CKAN API turns them into CKAN's error envelope and status
codes, and the web pages into a 404 or a form error.
"""

from __future__ import annotations


class OpenDataError(Exception):
    """Base of the catalogue's errors."""


class NotFound(OpenDataError):
    """Missing, or not visible to whoever asks: the two look the same."""


class NotAuthorized(OpenDataError):
    """Visible, but the caller may not do this."""


class ValidationError(OpenDataError):
    """Bad input. ``errors`` maps each field to its messages, as CKAN reports them."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))


class SearchQueryError(OpenDataError):
    """A search query or sort that cannot be understood."""
