"""The Celery application: the worker and beat processes load it with `-A dashboard`."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _refuse_unsafe_worker(**kwargs: Any) -> None:
    from dashboard.startup import refuse_unsafe_start

    refuse_unsafe_start("worker")


@signals.beat_init.connect
def _refuse_unsafe_beat(**kwargs: Any) -> None:
    from dashboard.startup import refuse_unsafe_start

    refuse_unsafe_start("beat")
