"""Operations: health and readiness probes, Prometheus metrics, backup and restore, the Celery
integration for scale-out, object storage, retention and lockout notices.

The top layer (next to ``web`` and ``demo``): it may use every app, and no app uses it.
"""
