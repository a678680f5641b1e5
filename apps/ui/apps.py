"""Django app config for the server-rendered presentation helpers (filters, SVG charts)."""

from __future__ import annotations

from django.apps import AppConfig


class UiConfig(AppConfig):
    # Registered as an app only so `{% load ui %}` finds apps/ui/templatetags/ui.py.
    name = "apps.ui"
    label = "ui"
