"""The emulated BatchCompute API. Importing the api_* modules registers their actions."""

from __future__ import annotations

from apps.emulator.batch import api_config, api_envs, api_jobs, api_submit  # noqa: F401
from apps.emulator.batch.product import PRODUCT

__all__ = ["PRODUCT"]
