"""Field encryption (AES-256-GCM) with key rotation, and keyed hashes for searching encrypted values.

Keys come from settings, which read them from the environment or from a file that a key service
keeps up to date (a mounted Kubernetes secret, a Vault agent, a cloud KMS sidecar)::

    CIVITAS_FIELD_ENCRYPTION_KEYS = ["2026b:<base64 of 32 bytes>", "2026a:<…>"]  # first encrypts
    CIVITAS_FIELD_HASH_KEYS = ["h1:<base64 of 32 bytes>"]                         # first hashes

Every other key still decrypts (or still matches), so rotation is: put a new key first, run
``civitas security rotate-keys`` (re-encrypts and re-hashes every row still under an old key), then
remove the old key. Outside production, when no key is configured, keys derived from ``SECRET_KEY``
(key id ``dev``) are used so development needs no set-up; production refuses that.

A stored value reads ``enc1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``. The column it belongs to
(``app.model.field``) is bound in as associated data, so a value copied into another column does not
decrypt. A keyed hash reads ``<key id>$<hex HMAC-SHA256>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id, wrong column, or tampered data."""


@dataclass(frozen=True)
class Keyring:
    """Keys by id; the first is the active one (used to encrypt or hash)."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def active_id(self) -> str:
        return self.keys[0][0]

    @property
    def active(self) -> bytes:
        return self.keys[0][1]

    def get(self, kid: str) -> bytes | None:
        for candidate, key in self.keys:
            if candidate == kid:
                return key
        return None


def parse_keys(entries: list[str] | str, *, source: str) -> Keyring:
    """``["kid:base64", ...]`` (or the same comma- or newline-separated) into a keyring."""
    if isinstance(entries, str):
        entries = [e for e in re.split(r"[,\s]+", entries) if e]
    keys: list[tuple[str, bytes]] = []
    for position, entry in enumerate(entries, start=1):
        kid, sep, encoded = entry.strip().partition(":")
        if not sep or not _KID.match(kid):
            raise ImproperlyConfigured(
                f"{source}: key {position} must read <key id>:<base64 key>, with a key id of "
                "1-16 letters, digits, '-' or '_'"
            )
        try:
            standard = encoded.strip().rstrip("=").replace("-", "+").replace("_", "/")
            key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{source}: key {kid!r} is not valid base64") from None
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"{source}: key {kid!r} is {len(key)} bytes; expected 32 (generate one with "
                "`civitas security generate-key`)"
            )
        if any(kid == seen for seen, _ in keys):
            raise ImproperlyConfigured(f"{source}: key id {kid!r} appears twice")
        keys.append((kid, key))
    if not keys:
        raise ImproperlyConfigured(f"{source}: no key given")
    return Keyring(tuple(keys))


def new_key_line(kid: str) -> str:
    if not _KID.match(kid):
        raise ValueError("key id: 1-16 letters, digits, '-' or '_'")
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"


def _configured(setting: str, file_setting: str) -> list[str] | str | None:
    path = getattr(settings, file_setting, "")
    if path:
        try:
            return Path(path).read_text()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_setting}={path!r} cannot be read: {exc}") from None
    return getattr(settings, setting, None) or None


def _dev_keyring(purpose: str, setting: str) -> Keyring:
    if getattr(settings, "CIVITAS_ENV", "development") == "production":
        raise ImproperlyConfigured(
            f"{setting} is not set: production needs its own keys (see `civitas security "
            "generate-key`) and never derives them from SECRET_KEY"
        )
    derived = hashlib.sha256(f"civitas-dev-{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Keyring((("dev", derived),))


@lru_cache(maxsize=1)
def encryption_keys() -> Keyring:
    raw = _configured("CIVITAS_FIELD_ENCRYPTION_KEYS", "CIVITAS_FIELD_ENCRYPTION_KEYS_FILE")
    if raw is None:
        return _dev_keyring("encryption", "FIELD_ENCRYPTION_KEYS")
    return parse_keys(raw, source="FIELD_ENCRYPTION_KEYS")


@lru_cache(maxsize=1)
def hash_keys() -> Keyring:
    raw = _configured("CIVITAS_FIELD_HASH_KEYS", "CIVITAS_FIELD_HASH_KEYS_FILE")
    if raw is None:
        return _dev_keyring("hash", "FIELD_HASH_KEYS")
    return parse_keys(raw, source="FIELD_HASH_KEYS")


def reload_keys() -> None:
    """Forget the cached keyrings (after the settings or the key file changed)."""
    encryption_keys.cache_clear()
    hash_keys.cache_clear()


@lru_cache(maxsize=16)
def cipher_for(key: bytes) -> AESGCM:
    # the cipher object holds only the key: building it once per key saves a key schedule per value
    return AESGCM(key)


def encrypt(plaintext: str, *, context: str) -> str:
    ring = encryption_keys()
    nonce = os.urandom(12)
    sealed = cipher_for(ring.active).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{ring.active_id}:{base64.b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str | None:
    """The key id a stored value was encrypted (or hashed) with, or None if it is not ours."""
    if token.startswith(PREFIX + ":"):
        return token.split(":", 2)[1]
    if "$" in token:
        return token.split("$", 1)[0]
    return None


def decrypt(token: str, *, context: str) -> str:
    prefix, _, rest = token.partition(":")
    kid, _, payload = rest.partition(":")
    if prefix != PREFIX or not payload:
        raise DecryptionError(f"{context}: the stored value is not an encrypted value")
    key = encryption_keys().get(kid)
    if key is None:
        raise DecryptionError(f"{context}: key {kid!r} is not configured (was it removed early?)")
    try:
        raw = base64.b64decode(payload, validate=True)
        return cipher_for(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionError(
            f"{context}: the stored value was altered or belongs elsewhere"
        ) from None


def keyed_hash(value: str, *, purpose: str, kid: str | None = None) -> str:
    """``<kid>$<HMAC-SHA256(purpose, value)>`` with the active hash key, or the key ``kid``."""
    ring = hash_keys()
    kid = kid or ring.active_id
    key = ring.get(kid)
    if key is None:
        raise DecryptionError(f"hash key {kid!r} is not configured")
    digest = hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kid}${digest}"


def keyed_hash_candidates(value: str, *, purpose: str) -> list[str]:
    """The hash of ``value`` under every configured key: what a search must look for mid-rotation."""
    return [keyed_hash(value, purpose=purpose, kid=kid) for kid, _ in hash_keys().keys]
