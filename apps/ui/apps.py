"""Django app config for the server-rendered presentation helpers (filters, SVG charts)."""

from __future__ import annotations

from django.apps import AppConfig


class UiConfig(AppConfig):
    # An app so `{% load ui %}` finds apps/ui/templatetags/ui.py, and so the `cloud_id` path
    # converter is registered before any URLconf that uses it is imported.
    name = "apps.ui"
    label = "ui"

    def ready(self) -> None:
        from apps.ui import converters

        converters.register()
