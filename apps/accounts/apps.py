from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Users and teams"

    def ready(self) -> None:
        from apps.accounts import lockout  # noqa: F401  (connects the failed-sign-in signal)
