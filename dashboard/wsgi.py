"""WSGI entry point (gunicorn dashboard.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from dashboard.startup import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
refuse_unsafe_start("web")
application = get_wsgi_application()
