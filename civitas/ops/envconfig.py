"""Parsing the operations settings' environment variables (imported by settings: no Django here).

Storage URLs::

    file:///srv/civitas/private                      a local folder (the default)
    s3://bucket/prefix?endpoint_url=http://minio:9000&region=eu-west-1&addressing_style=path
    s3://ACCESS_KEY:SECRET@bucket/prefix?...        credentials in the URL (else the AWS chain:
                                                      AWS_ACCESS_KEY_ID, a web identity, ...)
Cache URLs: ``locmem://`` (per process, the default) or ``redis://host:6379/1``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

from civitas.config.env import ConfigurationError

_S3_OPTIONS = {"endpoint_url", "region", "addressing_style", "custom_domain", "signature_version"}


def storage_from_url(url: str, *, variable: str, public: bool, base_url: str = "") -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if not parsed.path:
            raise ConfigurationError(f"{variable}={url!r} has no folder: expected file:///path")
        options = {"location": unquote(parsed.path)}
        if base_url:
            options["base_url"] = base_url
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}
    if parsed.scheme != "s3":
        raise ConfigurationError(
            f"{variable}={_redact(url)!r} is not supported: expected file:///path or s3://bucket"
        )
    bucket = parsed.hostname
    if not bucket:
        raise ConfigurationError(f"{variable} has no bucket: expected s3://bucket/prefix")
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    unknown = set(query) - _S3_OPTIONS
    if unknown:
        raise ConfigurationError(
            f"{variable}: unknown option(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(sorted(_S3_OPTIONS))}"
        )
    options: dict = {
        "bucket_name": bucket,
        "location": parsed.path.strip("/"),
        "file_overwrite": False,
        "default_acl": None,  # access comes from the bucket policy, never from per-object ACLs
    }
    if parsed.username:
        options["access_key"] = unquote(parsed.username)
        options["secret_key"] = unquote(parsed.password or "")
    if "endpoint_url" in query:
        options["endpoint_url"] = query["endpoint_url"]
    if "region" in query:
        options["region_name"] = query["region"]
    if "addressing_style" in query:
        options["addressing_style"] = query["addressing_style"]
    if "signature_version" in query:
        options["signature_version"] = query["signature_version"]
    if public:
        # published data: plain URLs (a CDN in front), cacheable
        options["querystring_auth"] = False
        options["object_parameters"] = {"CacheControl": "public, max-age=3600"}
        if "custom_domain" in query:
            options["custom_domain"] = query["custom_domain"]
    else:
        # personal data: only short-lived signed URLs, never cached by a proxy
        options["querystring_auth"] = True
        options["querystring_expire"] = 300
        options["object_parameters"] = {"CacheControl": "private, no-store"}
        if "custom_domain" in query:
            raise ConfigurationError(f"{variable}: the private target cannot have a custom_domain")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def cache_from_url(url: str, *, variable: str = "CACHE_URL") -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parsed.scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "civitas",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    raise ConfigurationError(
        f"{variable}={_redact(url)!r} is not supported: expected locmem:// or redis://host:port/db"
    )


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "***")
    return url


def retention_days(raw: str, *, variable: str = "RETENTION_DAYS") -> dict[str, int]:
    """``name=days,...`` (e.g. ``finished_tasks=90``) into ``{name: days}``."""
    days: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise ConfigurationError(f"{variable}: {item!r} is not valid: expected name=days")
        days[name.strip()] = int(value)
    return days
