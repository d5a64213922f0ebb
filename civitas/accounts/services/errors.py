"""Errors the account services raise; their messages are written for the person who asked."""


class AccountError(Exception):
    """A request the account rules refuse; the message is written for the person who asked."""


class CodeRefused(AccountError):
    """A one-time or recovery code was not accepted."""


class EidRefused(AccountError):
    """An eID sign-in that would link the wrong accounts or people."""
