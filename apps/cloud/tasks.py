"""Celery tasks of the cloud app: thin wrappers around a service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.cloud.probe import probe_cloud as _probe


@shared_task(ignore_result=True)
def probe_cloud() -> dict[str, Any]:
    return _probe()
