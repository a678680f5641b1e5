from __future__ import annotations

from django.apps import AppConfig


class EmulatorConfig(AppConfig):
    name = "apps.emulator"
    label = "emulator"
    verbose_name = "Tencent Cloud emulator"
