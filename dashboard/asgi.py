"""ASGI entry point."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

from dashboard.startup import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
refuse_unsafe_start("web")
application = get_asgi_application()
