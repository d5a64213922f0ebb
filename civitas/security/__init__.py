"""Security plumbing shared by every app: response headers, request ids and JSON logs, request
limits, rate limits, sign-in throttling, and field encryption with keyed-hash search.

This package sits below ``civitas.audit`` in the layers: it imports nothing of ours, so any app can
use it. Whatever needs the audit trail or notifications (telling an account owner about a lockout)
is plugged in from above through the small hooks documented in each module.
"""
