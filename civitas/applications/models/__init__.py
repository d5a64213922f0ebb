"""Applications and what hangs off them: documents, messages, consents, corrections, and the
credentials third-party apps use to act for a person through the public API."""

from civitas.applications.models.access import SCOPES, ApiToken, OAuthClient, OAuthGrant, TokenKind
from civitas.applications.models.application import (
    Application,
    ApplicationMessage,
    Channel,
    Document,
    MessageKind,
    ScanStatus,
)
from civitas.applications.models.people import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTopic,
    Intermediary,
)

__all__ = [
    "SCOPES",
    "ApiToken",
    "Application",
    "ApplicationMessage",
    "Channel",
    "Consent",
    "ConsentMethod",
    "ConsentPurpose",
    "CorrectionRequest",
    "CorrectionStatus",
    "CorrectionTopic",
    "Document",
    "Intermediary",
    "MessageKind",
    "OAuthClient",
    "OAuthGrant",
    "ScanStatus",
    "TokenKind",
]
