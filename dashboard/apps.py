from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself as an app: its system checks register on start-up."""

    name = "dashboard"
    verbose_name = "Jobdeck"

    def ready(self) -> None:
        from dashboard import startup  # noqa: F401  (registers the deploy check)
