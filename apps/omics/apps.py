from __future__ import annotations

from django.apps import AppConfig


class OmicsConfig(AppConfig):
    name = "apps.omics"
    label = "omics"
    verbose_name = "Omics"
