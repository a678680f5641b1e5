"""Actions run on their own Celery queue ("actions"), ahead of the sync streams.

An operation is driven by a chain of `run_operation` tasks, one call per step. The tasks are
acknowledged late (a worker killed mid-step has its step delivered again), and
`resume_operations` starts a new chain for an operation whose next step is overdue (its
message was lost with the worker). A step run twice never sends a call twice: see
`operation_step`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.actions.models import OPEN, Operation
from apps.actions.services import operation_step
from apps.cloud.gateway import Throttled


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_operation(operation_id: int, chain: str = "") -> None:
    """One call of the operation, then the next step scheduled (at the limiter's pace)."""
    operation = (
        Operation.objects.select_related("account", "account__team", "user")
        .filter(pk=operation_id, status__in=OPEN, chain=chain)
        .first()
    )
    if operation is None:
        return  # finished, gone, or driven by a newer chain
    try:
        delay = operation_step(operation)
    except Throttled as busy:
        delay = busy.wait
    if delay is not None:
        due = timezone.now() + timedelta(seconds=delay)
        Operation.objects.filter(pk=operation_id).update(next_step_at=due)
        run_operation.apply_async((operation_id, chain), countdown=delay, queue="actions")


@shared_task(ignore_result=True)
def resume_operations() -> int:
    """Start a new chain for each open operation whose next step is overdue. Returns how many."""
    overdue = timezone.now() - timedelta(seconds=settings.ACTION_OVERDUE_S)
    resumed = 0
    for operation in Operation.objects.filter(status__in=OPEN, next_step_at__lt=overdue):
        chain = uuid.uuid4().hex
        # Conditional, so two beats (or a late step) cannot both take over.
        if Operation.objects.filter(pk=operation.pk, chain=operation.chain).update(
            chain=chain, next_step_at=timezone.now()
        ):
            run_operation.apply_async((operation.pk, chain), queue="actions")
            resumed += 1
    return resumed
