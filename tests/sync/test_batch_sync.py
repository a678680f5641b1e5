"""The Batch cache converges on the emulator's world, reflects operator actions, survives faults."""

from __future__ import annotations

import pytest

from apps.emulator.faults import Fault
from apps.sync.models import StateTransition, SyncHealth
from tests.sync.drive import (
    REGION,
    batch_world,
    cached_states,
    cloud_states,
    converged,
    drive,
    missing_final_logs,
)

pytestmark = pytest.mark.django_db


def test_the_demo_world_is_cached_with_the_same_states(emulator, emulator_account):
    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    cloud, cache = cloud_states(emulator), cached_states(emulator_account)
    assert len(cache["jobs"]) == len(cloud["jobs"]) >= 60
    assert len(cache["instances"]) == len(cloud["instances"])
    assert len(cache["nodes"]) == len(cloud["nodes"]) > 0
    assert missing_final_logs(emulator, emulator_account) == []
    assert StateTransition.objects.filter(kind="job").count() >= len(cloud["jobs"])


def test_movement_retry_and_terminate_are_reflected(emulator, emulator_account, clock):
    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    world = batch_world(emulator)
    failed = next(j for j in world.jobs.values() if j.state == "FAILED")
    running = next(j for j in world.jobs.values() if j.state == "RUNNING")
    with world.lock:
        world.retry_job(failed)
        world.terminate_job(running)
    clock.advance(30)
    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    from apps.batch.models import Job

    assert Job.objects.get(job_id=running.id).state == "FAILED"
    retried = Job.objects.get(job_id=failed.id)
    assert retried.state == world.jobs[failed.id].state != "FAILED"
    # the history shows the job leaving FAILED after the retry
    history = list(
        StateTransition.objects.filter(kind="job", cloud_id=failed.id)
        .order_by("observed_at", "pk")
        .values_list("from_state", "to_state")
    )
    assert ("FAILED", history[-1][1]) in history, history


def test_with_faults_the_cache_still_converges_and_health_shows_them(emulator, emulator_account):
    emulator.faults.set("*", Fault(internal_error=0.10, malformed=0.05))
    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    codes = set(
        SyncHealth.objects.exclude(last_error_code="").values_list("last_error_code", flat=True)
    )
    assert codes & {"InternalError", "MalformedResponse"}
    assert SyncHealth.objects.filter(errors__gt=0).exists()


def test_running_the_sync_twice_changes_nothing(emulator, emulator_account):
    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    before = (StateTransition.objects.count(), cached_states(emulator_account))
    drive(emulator_account, until=lambda: True, max_rounds=5)
    assert (StateTransition.objects.count(), cached_states(emulator_account)) == before


def test_a_watched_job_gets_live_logs_and_metrics_first(emulator, emulator_account, clock):
    from apps.batch.models import MonitorSample, TaskLog
    from apps.cloud.scope import Scope
    from apps.sync.coordination import record_interest
    from apps.sync.models import Kind

    drive(emulator_account, until=lambda: converged(emulator, emulator_account))
    world = batch_world(emulator)
    running = next(j for j in world.jobs.values() if j.state == "RUNNING")
    record_interest(Kind.JOB, Scope(emulator_account, REGION), running.id)
    clock.advance(5)

    def live() -> bool:
        """The watched job's running instances have a (non-final) log and CPU samples."""
        logs = TaskLog.objects.filter(instance__task__job__job_id=running.id, final=False)
        return (
            logs.exists()
            and MonitorSample.objects.filter(
                instance__task__job__job_id=running.id, metric="CpuUsage"
            ).exists()
        )

    drive(emulator_account, until=live, max_rounds=100)
    log = TaskLog.objects.filter(instance__task__job__job_id=running.id).order_by("pk")[0]
    assert "processed chunk" in log.stdout  # decoded text, as the instance printed it
