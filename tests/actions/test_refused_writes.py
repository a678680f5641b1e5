"""A write the cloud refused is not a failure of the cloud.

- `RequestLimitExceeded` (another client spent the budget) means the cloud did nothing: the
  call is sent again behind the limiter, with backoff, a bounded number of times, and the
  operation and the audit say so;
- `InternalError` means nobody knows whether it was done: "unknown", the target is re-read,
  the call is never sent again.

The emulator over HTTP injects the answers (`/_emulator/faults`) and counts what it answered
(`/_emulator/stats`); the operations run on a real Celery worker, as deployed, through the
real limiter in Redis.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from apps.actions.models import OPEN, Operation
from apps.actions.services import action_plan, operation_start, operation_step
from apps.audit.models import AuditEvent
from apps.batch.models import Job
from apps.batch.sync import JOB_DETAILS
from apps.cloud.gateway import throttle
from apps.cloud.scope import Scope
from apps.cloud.throttle import Bucket
from apps.emulator.batch.world import Job as EmulatedJob
from apps.emulator.server import Emulator
from apps.sync import coordination
from tests.reliability.workers import celery_worker
from tests.sync.drive import batch_world, drive
from tests.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORKER_ENV = {"CLOUD_RATE_SCALE": "100"}


def inject(emulator: Emulator, faults: dict[str, dict[str, float]]) -> None:
    """Set the emulator's faults over HTTP, as a test harness outside the process would."""
    url = f"http://127.0.0.1:{emulator.port}/_emulator/faults"
    requests.post(url, json=faults, timeout=5).raise_for_status()


def retry_jobs_stats(emulator: Emulator) -> dict[str, int]:
    """What /_emulator/stats counted for RetryJobs."""
    url = f"http://127.0.0.1:{emulator.port}/_emulator/stats"
    rows = requests.get(url, timeout=5).json()["calls"]
    counted = [r for r in rows if r["action"] == "RetryJobs"]
    return {k: sum(r[k] for r in counted) for k in ("answered", "ok", "rate_limited", "faults")}


def times_retried(job: EmulatedJob) -> int:
    """How often the emulated job left FAILED: each RetryJobs the cloud performed on it."""
    states = [state for _, state in job.history]
    return sum(1 for a, b in zip(states, states[1:], strict=False) if a == "FAILED" != b)


def reread(job: Job, before: Any) -> bool:
    """the job was read from the cloud again"""
    synced = Job.objects.get(pk=job.pk).synced_at
    return synced is not None and (before is None or synced > before)


def start_retry(user: Any, job: Job) -> Operation:
    return operation_start(user, action_plan(user, "retry-jobs", [job.job_id]))


def finished(operation: Operation) -> bool:
    """the operation finished"""
    return Operation.objects.filter(pk=operation.pk).exclude(status__in=OPEN).exists()


def limit_errors(job: Job) -> int:
    """The RequestLimitExceeded answers the limiter's RetryJobs bucket was slowed down for."""
    bucket = Bucket(str(job.account_id), job.region, "batch", "RetryJobs")
    return int(throttle().counters(bucket, 1.0)["limit_errors"])


def test_a_retry_refused_by_the_frequency_limit_is_requeued_and_done_once(
    emulator: Emulator, redis_url: str, failed_job: Job, admin_user: Any
) -> None:
    emulated = batch_world(emulator).jobs[failed_job.job_id]
    retried_before = times_retried(emulated)
    inject(emulator, {"RetryJobs": {"rate_limited": 1.0, "times": 2}})  # two refusals, then ok
    with celery_worker(redis_url, name="refused-then-done", env=WORKER_ENV):
        operation = start_retry(admin_user, failed_job)
        wait_for(lambda: finished(operation), 60)

    operation.refresh_from_db()
    assert operation.status == "succeeded"
    assert operation.results[failed_job.job_id]["ok"]
    assert operation.refused[failed_job.job_id]["tries"] == 2
    counted = retry_jobs_stats(emulator)
    assert (counted["rate_limited"], counted["ok"], counted["answered"]) == (2, 1, 3)
    assert times_retried(emulated) == retried_before + 1  # performed exactly once
    assert emulated.state != "FAILED"
    assert limit_errors(failed_job) == 2  # the limiter slowed down for each refusal

    # The audit keeps both: each refusal (nothing done) and the call that was done.
    events = AuditEvent.objects.filter(action="batch.RetryJobs").order_by("pk")
    outcomes = [(e.status, e.error_code) for e in events]
    assert outcomes == [
        ("failed", "RequestLimitExceeded"),
        ("failed", "RequestLimitExceeded"),
        ("succeeded", ""),
    ]
    assert "nothing was done" in events[0].error_message


def test_still_refused_after_the_last_requeue_fails_saying_nothing_was_done(
    emulator: Emulator, redis_url: str, failed_job: Job, admin_user: Any, admin_client: Any
) -> None:
    inject(emulator, {"RetryJobs": {"rate_limited": 1.0}})  # every call refused
    env = WORKER_ENV | {"ACTION_RATE_LIMITED_REQUEUES": "2"}
    with celery_worker(redis_url, name="refused-to-the-end", env=env):
        operation = start_retry(admin_user, failed_job)
        wait_for(lambda: finished(operation), 60)

    operation.refresh_from_db()
    outcome = operation.results[failed_job.job_id]
    assert operation.status == "failed"
    assert (outcome["ok"], outcome["code"], outcome["tries"]) == (False, "RequestLimitExceeded", 3)
    counted = retry_jobs_stats(emulator)
    assert (counted["rate_limited"], counted["ok"]) == (3, 0)  # sent three times, never more
    assert batch_world(emulator).jobs[failed_job.job_id].state == "FAILED"
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "still exceeded after 3 tries; nothing was done" in page


def test_an_internal_error_is_unknown_re_read_and_never_sent_again(
    emulator: Emulator, redis_url: str, failed_job: Job, admin_user: Any, admin_client: Any
) -> None:
    inject(emulator, {"RetryJobs": {"internal_error": 1.0}})
    scope = Scope.of(failed_job)
    coordination.remove(scope.queue(JOB_DETAILS), failed_job.job_id)
    with celery_worker(redis_url, name="internal-error", env=WORKER_ENV):
        operation = start_retry(admin_user, failed_job)
        wait_for(lambda: finished(operation), 60)
        inject(emulator, {})  # a second call would now go through: none may come

    operation.refresh_from_db()
    outcome = operation.results[failed_job.job_id]
    assert outcome["unknown"] and outcome["code"] == "InternalError"
    assert operation.status == "failed"  # not succeeded; the page says unknown
    assert retry_jobs_stats(emulator)["answered"] == 1  # never sent again
    event = AuditEvent.objects.get(action="batch.RetryJobs")
    assert (event.status, event.error_code) == ("unknown", "InternalError")
    # The re-read: the job is first in its details queue, and the page says so and links it.
    assert coordination.peek(scope.queue(JOB_DETAILS)) == failed_job.job_id
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "unknown: the cloud did not say whether it was done; re-reading the target" in page
    assert f'href="/jobs/{failed_job.job_id}/"' in page

    # Re-read: the cloud did not do it (the job is still FAILED), and the page says what it saw.
    failed_job.refresh_from_db()
    read_before = failed_job.synced_at
    drive(
        failed_job.account,
        streams=["batch.job_details"],
        until=lambda: reread(failed_job, read_before),
    )
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "did not say whether it was done; re-read at" in page and "it is FAILED" in page
    assert retry_jobs_stats(emulator)["answered"] == 1


@pytest.mark.django_db(transaction=False)
def test_an_unknown_outcome_is_confirmed_by_the_re_read(
    emulator: Emulator, failed_job: Job, admin_user: Any, admin_client: Any
) -> None:
    """The cloud did the retry but answered InternalError: the re-read shows the job moving."""
    inject(emulator, {"RetryJobs": {"internal_error": 1.0}})
    operation = start_retry(admin_user, failed_job)
    operation_step(operation)
    world = batch_world(emulator)
    with world.lock:  # what the cloud did before its InternalError
        world.retry_job(world.jobs[failed_job.job_id])
    read_before = failed_job.synced_at
    drive(
        failed_job.account,
        streams=["batch.job_details"],
        until=lambda: reread(failed_job, read_before),
    )
    failed_job.refresh_from_db()
    assert failed_job.state != "FAILED"
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "done, confirmed by the re-read at" in page and f"(now {failed_job.state})" in page
    assert retry_jobs_stats(emulator)["answered"] == 1  # the re-read resent nothing


@pytest.mark.django_db(transaction=False)
def test_the_page_says_a_refused_target_is_sent_again_later(
    emulator: Emulator, failed_job: Job, admin_user: Any, admin_client: Any
) -> None:
    """Between the refusal and the next try the operator reads why, and when it comes back."""
    inject(emulator, {"RetryJobs": {"rate_limited": 1.0, "times": 1}})
    operation = start_retry(admin_user, failed_job)
    delay = operation_step(operation)
    assert delay is not None and delay > 0
    operation.refresh_from_db()
    assert operation.status == "running" and not operation.results and operation.sending is None
    page = admin_client.get(f"/actions/{operation.pk}/").content.decode()
    assert "refused by the cloud's frequency limit (another client used the budget)" in page
    assert "nothing was done; sending again at" in page
    progress = "0 of 1 done, 1 refused by the cloud's frequency limit, to be sent again"
    assert progress in " ".join(page.split())
