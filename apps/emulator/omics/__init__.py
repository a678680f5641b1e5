"""The emulated Omics API. Importing the api_* modules registers their actions."""

from __future__ import annotations

from apps.emulator.omics import (  # noqa: F401
    api_envs,
    api_projects,
    api_runs,
    api_submit,
    api_tables,
)
from apps.emulator.omics.product import PRODUCT

__all__ = ["PRODUCT"]
