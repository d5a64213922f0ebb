"""ASGI entry point (the platform is WSGI-first; this exists for ASGI servers)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")
application = get_asgi_application()
