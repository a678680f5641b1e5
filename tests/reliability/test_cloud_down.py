"""The cloud down or slow: 502s, InternalError, dropped connections, answers slower than the
read timeout, an endpoint that never answers, one that trickles its answer, one that refuses
connections. For each: every stream step returns within the client's timeouts (no worker
hangs), the streams show the error on the pages, nothing cached changes or is marked gone,
queued details stay queued; when the cloud is back the cache converges and the errors clear.
An action whose answer is lost is recorded as unknown, and never sent twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pytest_django import Settings

from apps.actions.services import action_plan, operation_start, operation_step
from apps.audit.models import AuditEvent
from apps.batch.models import ComputeEnv, Job, TaskInstance
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope
from apps.emulator.faults import Fault
from apps.emulator.server import Emulator
from apps.omics.models import Run
from apps.sync import coordination
from apps.sync.models import SyncHealth
from apps.sync.streams import registered
from apps.sync.tasks import step_once
from tests.reliability.bad_cloud import bad_endpoint
from tests.sync import drive as batch_drive
from tests.sync import omics_drive

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CONNECT_S, READ_S = 0.5, 1.0
# What a step may take at most: one call within the timeouts, plus its database work.
STEP_BOUND_S = CONNECT_S + READ_S + 2.0
REGION = batch_drive.REGION

EMULATOR_FAULTS = {
    "http_502": (Fault(http_502=1.0), "HTTP502"),
    "internal_error": (Fault(internal_error=1.0), "InternalError"),
    "dropped": (Fault(drop=1.0), "ConnectionError"),
    "slow": (Fault(latency=5.0), "Timeout"),  # five times the read timeout
}
ENDPOINTS = {"silent": "Timeout", "trickle": "Timeout", "refused": "ConnectionError"}


@pytest.fixture
def account(emulator: Emulator, emulator_account: CloudAccount, settings: Settings) -> CloudAccount:
    """The emulator's account with short client timeouts, its cache converged."""
    settings.CLOUD_CONNECT_TIMEOUT, settings.CLOUD_READ_TIMEOUT = CONNECT_S, READ_S
    converge(emulator, emulator_account)
    return emulator_account


def converge(emulator: Emulator, account: CloudAccount) -> None:
    batch_drive.drive(
        account,
        streams=list(registered()),
        until=lambda: (
            batch_drive.converged(emulator, account)
            and omics_drive.omics_converged(emulator, account)
        ),
    )


def snapshot(account: CloudAccount) -> tuple[object, ...]:
    return (
        batch_drive.cached_states(account),
        omics_drive.cached_states(account),
        Job.objects.exclude(gone_at=None).count(),
        Run.objects.exclude(gone_at=None).count(),
    )


def queue_details(account: CloudAccount) -> dict[str, str]:
    """Something due in every detail stream, so that each one calls the cloud."""
    instance = (
        TaskInstance.objects.filter(task__job__account=account)
        .select_related("task__job")
        .order_by("task__job__job_id", "task__name", "index")[0]
    )
    task, job = instance.task, instance.task.job
    run = Run.objects.filter(account=account).select_related("group").order_by("run_uuid")[0]
    env = ComputeEnv.objects.filter(account=account).order_by("env_id")[0]
    scope = Scope(account, REGION)
    due = {
        "batch.job_details": job.job_id,
        "batch.tasks": f"{job.job_id}/{task.name}",
        "batch.logs": f"{job.job_id}/{task.name}/{instance.index}",
        "batch.metrics": f"{job.job_id}/{task.name}/{instance.index}",
        "batch.env_details": env.env_id,
        "omics.runs": run.group.run_group_id,
        "omics.calls": run.run_uuid,
    }
    for stream, item in due.items():
        coordination.enqueue(scope.queue(stream), item, coordination.Priority.WATCHED)
    return due


@contextmanager
def outage(emulator: Emulator, account: CloudAccount, kind: str) -> Iterator[str]:
    """The cloud misbehaving as `kind`; yields the error code the streams should show."""
    if kind in EMULATOR_FAULTS:
        fault, code = EMULATOR_FAULTS[kind]
        emulator.faults.set("*", fault)
        try:
            yield code
        finally:
            emulator.faults.clear()
        return
    good = account.endpoint
    with bad_endpoint(kind) as url:
        CloudAccount.objects.filter(pk=account.pk).update(endpoint=url)
        try:
            yield ENDPOINTS[kind]
        finally:
            CloudAccount.objects.filter(pk=account.pk).update(endpoint=good)


@pytest.mark.parametrize("kind", [*EMULATOR_FAULTS, *ENDPOINTS])
def test_an_outage_is_bounded_shown_and_harmless_and_the_sync_recovers(
    kind, emulator, account, admin_client
):
    before = snapshot(account)
    due = queue_details(account)
    with outage(emulator, account, kind) as code:
        account.refresh_from_db()
        slowest = 0.0
        for name in registered():
            time.sleep(0.05)  # batch.jobs and batch.inventory share DescribeJobs' budget
            started = time.monotonic()
            step = step_once(name, Scope(account, REGION), {})
            slowest = max(slowest, time.monotonic() - started)
            assert step.delay > 0, f"{name} retries at once after an error"
        assert slowest < STEP_BOUND_S, f"a step took {slowest:.1f} s"

        failing = SyncHealth.objects.filter(account=account, consecutive_failures__gt=0)
        assert set(failing.values_list("stream", flat=True)) == set(registered())
        assert set(failing.values_list("last_error_code", flat=True)) == {code}
        assert snapshot(account) == before  # nothing changed, nothing marked gone
        scope = Scope(account, REGION)
        for stream, item in due.items():  # what was due is still due
            assert item in coordination.peek_many(scope.queue(stream), 100), stream

        page = admin_client.get("/jobs/").content.decode()
        assert "is failing" in page and code in page
        assert Job.objects.order_by("-created_at")[0].job_id in page  # the cache is still shown

    account.refresh_from_db()
    converge(emulator, account)
    assert not SyncHealth.objects.filter(
        account=account, stream__in=["batch.jobs", "omics.run_groups"], consecutive_failures__gt=0
    ).exists()


def test_an_action_whose_answer_is_lost_is_unknown_and_not_sent_again(
    emulator, account, admin_user
):
    job = Job.objects.filter(account=account, state="FAILED").order_by("job_id")[0]
    operation = operation_start(admin_user, action_plan(admin_user, "retry-jobs", [job.job_id]))
    with outage(emulator, account, "slow"):
        operation.refresh_from_db()
        operation_step(operation)  # the answer comes after the read timeout: lost
    operation.refresh_from_db()
    assert operation.results[job.job_id]["unknown"]
    assert operation.results[job.job_id]["code"] == "Timeout"
    assert operation_step(operation) is None and operation.status == "failed"  # nothing resent
    event = AuditEvent.objects.get(action="batch.RetryJobs")
    assert event.status == "unknown" and event.error_code == "Timeout"
    time.sleep(5.0)  # the emulator answers the lost call late: it did go through, once
    calls = emulator.stats.snapshot()["calls"]
    assert sum(r["answered"] for r in calls if r["action"] == "RetryJobs") == 1
    # The re-read shows the operator what happened.
    batch_drive.drive(account, streams=["batch.job_details"], until=lambda: True)
    job.refresh_from_db()
    assert job.state != "FAILED"
