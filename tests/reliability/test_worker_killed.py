"""A worker killed (SIGKILL) in the middle of an action or a sync. Real workers in their own
processes, the emulator as the cloud:

- an action whose call went out before the worker died is never sent again: its outcome is
  recorded as unknown (operation and audit), and the target is re-read from the cloud;
- a pool process killed mid-step has its step delivered again (late acknowledgement);
- a sync cut off mid-way is taken up by another worker and the cache converges.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager

import pytest
from django.test import override_settings

from apps.actions.models import OPEN, Operation
from apps.actions.services import action_plan, operation_start
from apps.actions.tasks import resume_operations
from apps.audit.models import AuditEvent
from apps.batch.models import Job
from apps.cloud.scope import Scope
from apps.emulator.faults import Fault
from apps.sync.coordination import is_held
from apps.sync.streams import registered
from apps.sync.tasks import plan
from tests.reliability.workers import celery_worker, kill, pool_children
from tests.sync.drive import REGION, batch_world, converged, drive
from tests.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CALL_LATENCY_S = 3.0  # the emulator answers RetryJobs this late: time to kill the sender
SHORT = {
    "ACTION_SEND_LEASE_S": "2",
    "ACTION_OVERDUE_S": "1",
    "SYNC_LOCK_TTL_S": "4",
    "CLOUD_RATE_SCALE": "100",
}


def retry_calls(emulator) -> int:
    return sum(
        r["answered"] for r in emulator.stats.snapshot()["calls"] if r["action"] == "RetryJobs"
    )


def start_retry(root, job) -> Operation:
    return operation_start(root, action_plan(root, "retry-jobs", [job.job_id]))


def sending(operation: Operation) -> bool:
    """the operation's call is on its way"""
    return Operation.objects.filter(pk=operation.pk, sending__isnull=False).exists()


def finished(operation: Operation) -> bool:
    """the operation finished"""
    return Operation.objects.filter(pk=operation.pk).exclude(status__in=OPEN).exists()


@contextmanager
def retry_in_flight(emulator, redis_url: str, name: str, root, job):
    """A worker of its own sending a RetryJobs of `job`, one second into the call the emulator
    answers after CALL_LATENCY_S. Yields (worker, operation)."""
    emulator.faults.set("RetryJobs", Fault(latency=CALL_LATENCY_S))
    with celery_worker(redis_url, name=name, env=SHORT) as worker:
        operation = start_retry(root, job)
        wait_for(lambda: sending(operation), 30)
        time.sleep(1.0)  # the request has reached the emulator
        yield worker, operation


def test_an_action_sent_before_the_worker_died_is_not_sent_again(
    emulator, redis_url, failed_job, admin_user, admin_client
):
    with retry_in_flight(emulator, redis_url, "killed-while-sending", admin_user, failed_job) as (
        first,
        operation,
    ):
        kill(first)
    wait_for(lambda: retry_calls(emulator) == 1, 10, "the emulator applied the retry")
    assert batch_world(emulator).jobs[failed_job.job_id].state != "FAILED"  # it did go out
    operation.refresh_from_db()
    assert operation.status == "running" and not operation.results  # nothing was saved

    with (
        celery_worker(redis_url, name="takes-over", env=SHORT),
        override_settings(ACTION_OVERDUE_S=1),
    ):
        time.sleep(2.5)  # the lost step is overdue, and the sending mark past its lease
        assert resume_operations() == 1
        wait_for(lambda: finished(operation), 30)

    operation.refresh_from_db()
    outcome = operation.results[failed_job.job_id]
    assert outcome["unknown"] and outcome["code"] == "OutcomeUnknown"
    assert operation.status == "failed" and operation.sending is None
    assert retry_calls(emulator) == 1  # never sent twice
    event = AuditEvent.objects.get(action="batch.RetryJobs")
    assert event.status == "unknown" and event.error_code == "OutcomeUnknown"

    # The operator sees it, and the job is re-read from the cloud before anything else.
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "UNKNOWN" in page and "unknown outcome" in page
    drive(failed_job.account, streams=["batch.job_details"], until=lambda: True)
    failed_job.refresh_from_db()
    assert failed_job.state == batch_world(emulator).jobs[failed_job.job_id].state != "FAILED"


def test_a_pool_process_killed_mid_step_has_its_step_delivered_again(
    emulator, redis_url, failed_job, admin_user
):
    with retry_in_flight(emulator, redis_url, "pool-killed", admin_user, failed_job) as (
        worker,
        operation,
    ):
        for pid in pool_children(worker):
            os.kill(pid, signal.SIGKILL)
        # No takeover here: late acknowledgement brings the step back to the new pool process,
        # which waits out the sending mark's lease and records the outcome as unknown.
        wait_for(lambda: finished(operation), 45)
    operation.refresh_from_db()
    assert operation.results[failed_job.job_id]["unknown"]
    wait_for(lambda: retry_calls(emulator) == 1, 10, "the emulator applied the retry")
    time.sleep(CALL_LATENCY_S)  # room for a second call to arrive, were one sent
    assert retry_calls(emulator) == 1


def test_a_sync_cut_off_by_a_killed_worker_is_finished_by_another(
    emulator, redis_url, emulator_account, settings
):
    settings.SYNC_LOCK_TTL_S = 4
    emulator.faults.set("DescribeJob", Fault(latency=0.5))  # slow details: killed half way
    with celery_worker(redis_url, name="sync-killed", env=SHORT) as first:
        assert plan() >= 6
        wait_for(lambda: Job.objects.exists(), 60, "the first jobs are cached")
        kill(first)
    assert not converged(emulator, emulator_account)
    emulator.faults.clear()
    with celery_worker(redis_url, name="sync-finishes", env=SHORT):
        time.sleep(5)  # the dead worker's stream leases run out
        # Every stream runs again: restarted by the planner, or its old chain carried on by
        # this worker (a step the dead one had queued but not taken renews the lease).
        plan()
        scope = Scope(emulator_account, REGION)
        assert all(is_held(scope.lock(name)) for name in registered())
        wait_for(
            lambda: converged(emulator, emulator_account), 120, "the cache matches the emulator"
        )
