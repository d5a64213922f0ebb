"""WSGI entry point for granian (``civitas serve``) or any WSGI server."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")

from civitas.config.env import ConfigurationError

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigurationError as exc:  # one line in the server log, not a stack trace
    sys.stderr.write(f"civitas: configuration error: {exc}\n")
    raise SystemExit(2) from None
