"""Actions run on their own Celery queue ("actions"), ahead of the sync streams."""

from __future__ import annotations

from celery import shared_task

from apps.actions.models import OPEN, Operation
from apps.actions.services import operation_step
from apps.cloud.gateway import Throttled


@shared_task(ignore_result=True)  # routed to the "actions" queue (CELERY_TASK_ROUTES)
def run_operation(operation_id: int) -> None:
    """One call of the operation, then the next step scheduled (at the limiter's pace)."""
    operation = (
        Operation.objects.select_related("account", "account__team", "user")
        .filter(pk=operation_id, status__in=OPEN)
        .first()
    )
    if operation is None:
        return  # finished, or gone: nothing to do
    try:
        delay = operation_step(operation)
    except Throttled as busy:
        delay = busy.wait
    if delay is not None:
        run_operation.apply_async((operation_id,), countdown=delay, queue="actions")
