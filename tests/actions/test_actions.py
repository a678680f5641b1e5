"""Each operator action against the emulator: allowed -> the cloud changed and the audit event
succeeded with a RequestId; refused -> a plain message and no cloud call; a cloud error -> the
event failed with the code; a double submit -> one call; cancel stops what is not sent.

Every test owns its world: a fresh demo emulator (seed 1), an account of it and an operator.
It picks its targets from the emulator's world by state (the ground truth) and syncs only
what it needs into the cache, so no test depends on another's calls or on the order of rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.test import override_settings
from django.utils import timezone
from pytest_django import Settings

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.actions.models import Operation
from apps.actions.services import (
    NothingToDo,
    NotPermitted,
    action_plan,
    operation_cancel,
    operation_start,
    operation_step,
)
from apps.audit.models import AuditEvent
from apps.batch.models import ComputeNode, Job, TaskInstance
from apps.cloud.gateway import Throttled
from apps.cloud.models import CloudAccount
from apps.emulator.batch.world import BatchWorld
from apps.emulator.clock import ManualClock
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.server import Emulator
from apps.omics.models import GROUP_ENDED, Run, RunGroup
from tests.sync.drive import batch_world, drive
from tests.sync.omics_drive import omics_world

pytestmark = pytest.mark.django_db

ACTIVE = ("RUNNING", "RUNNABLE", "PENDING")  # jobs TerminateJob accepts


@pytest.fixture
def cloud_rate_scale() -> float:
    """Actions go out at the documented rates; `World.sync` speeds up the syncs."""
    return 1.0


@dataclass
class World:
    """One test's own cloud (a fresh demo emulator), its account and the operator who acts."""

    emulator: Emulator
    clock: ManualClock
    account: CloudAccount
    operator: User

    @property
    def batch(self) -> BatchWorld:
        world: BatchWorld = batch_world(self.emulator)
        return world

    @property
    def omics(self) -> OmicsWorld:
        world: OmicsWorld = omics_world(self.emulator)
        return world

    def sync(self, streams: list[str], until: Callable[[], bool]) -> None:
        """Step `streams` until `until()` (the emulator's limits are off: no need to wait)."""
        with override_settings(CLOUD_RATE_SCALE=100):
            drive(self.account, streams=streams, until=until)

    def calls(self, action: str) -> int:
        """How many `action` calls the emulator answered."""
        rows = self.emulator.stats.snapshot()["calls"]
        return sum(r["answered"] for r in rows if r["action"] == action)


@pytest.fixture
def world(emulator: Emulator, clock: ManualClock, emulator_account: CloudAccount) -> World:
    team = Team.objects.create(name="ops")
    emulator_account.team = team
    emulator_account.save()
    operator = User.objects.create_user("op", password="op-password-1")
    membership_set(team=team, user=operator, role=Role.OPERATOR)
    return World(emulator, clock, emulator_account, operator)


def jobs_in(world: World, states: tuple[str, ...], count: int) -> list[str]:
    """`count` jobs in `states` in this test's cloud, synced until the cache has them so."""
    ids = [j.id for j in world.batch.jobs.values() if j.state in states][:count]
    assert len(ids) == count, f"the demo world has fewer than {count} jobs in {states}"
    cached = Job.objects.filter(account=world.account, job_id__in=ids, state__in=states)
    world.sync(["batch.jobs"], until=lambda: cached.count() == count)
    return ids


def failed_jobs(world: World, count: int = 1) -> list[str]:
    return jobs_in(world, ("FAILED",), count)


def run(operation: Operation) -> Operation:
    """Send every call of the operation, waiting for the limiter as the Celery task would."""
    for _ in range(200):
        operation.refresh_from_db()
        try:
            if operation_step(operation) is None:
                break
        except Throttled as busy:
            time.sleep(busy.wait)
    operation.refresh_from_db()
    return operation


def test_retry_a_failed_job(world: World) -> None:
    [job_id] = failed_jobs(world)
    op = run(operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id])))
    assert op.status == "succeeded"
    assert world.batch.jobs[job_id].state != "FAILED"
    event = AuditEvent.objects.get(action="batch.RetryJobs", targets=[job_id])
    assert event.status == "succeeded" and event.request_id and event.username == "op"


def test_many_failed_jobs_are_retried_in_one_call(world: World) -> None:
    jobs = failed_jobs(world, 2)
    op = run(operation_start(world.operator, action_plan(world.operator, "retry-jobs", jobs)))
    assert op.status == "succeeded" and len(op.results) == len(jobs)
    assert world.calls("RetryJobs") == 1
    assert all(world.batch.jobs[job_id].state != "FAILED" for job_id in jobs)


def test_refused_targets_are_skipped_with_the_reason_and_never_sent(world: World) -> None:
    [running] = jobs_in(world, ("RUNNING",), 1)
    plan = action_plan(world.operator, "retry-jobs", [running, "job-zzzzzzzz"])
    assert plan.allowed == []
    reasons = [why for _, why in plan.skipped]
    assert "only a FAILED job can be retried (it is RUNNING)" in reasons
    assert "not found (or not yours to see)" in reasons
    with pytest.raises(NothingToDo, match="Nothing to do"):
        operation_start(world.operator, plan)
    assert world.calls("RetryJobs") == 0


def test_terminate_a_running_job_and_an_instance(world: World) -> None:
    running = [j for j in world.batch.jobs.values() if j.state == "RUNNING"]
    job = running[0]
    live = [i for i in job.instances() if i.state not in ("SUCCEED", "FAILED")]
    instance = next(i for j in running[1:] for i in j.instances() if i.state == "RUNNING")
    task, job_of_instance = instance.task, instance.task.job
    cached_job = Job.objects.filter(account=world.account, job_id=job.id, state="RUNNING")
    cached_instance = TaskInstance.objects.filter(
        task__job__account=world.account,
        task__job__job_id=job_of_instance.id,
        task__name=task.name,
        index=instance.index,
        state="RUNNING",
    )
    world.sync(
        ["batch.jobs", "batch.job_details", "batch.tasks"],
        until=lambda: cached_job.exists() and cached_instance.exists(),
    )

    op = run(
        operation_start(world.operator, action_plan(world.operator, "terminate-job", [job.id]))
    )
    assert op.status == "succeeded"
    assert live and all(i.generation for i in live)  # every instance still running is stopped

    key = f"{job_of_instance.id}/{task.name}/{instance.index}"
    plan = action_plan(world.operator, "terminate-instance", [key])
    assert run(operation_start(world.operator, plan)).status == "succeeded"
    assert (
        world.batch.jobs[job_of_instance.id].tasks[task.name].instances[instance.index].generation
    )


def test_terminate_nodes_in_one_call_per_environment(world: World) -> None:
    env = next(e for e in world.batch.fleet.envs.values() if e.name == "render-farm")
    node_ids = [n.id for n in env.nodes.values() if n.state == "RUNNING"][:2]
    assert len(node_ids) == 2
    cached = ComputeNode.objects.filter(
        account=world.account, node_id__in=node_ids, state="RUNNING"
    )
    world.sync(["batch.envs", "batch.env_details"], until=lambda: cached.count() == 2)

    op = run(
        operation_start(world.operator, action_plan(world.operator, "terminate-nodes", node_ids))
    )
    assert op.status == "succeeded"
    assert world.calls("TerminateComputeNodes") == 1
    assert {env.nodes[node_id].state for node_id in node_ids} == {"DELETING"}


def unfinished_group(world: World) -> str:
    """Move this test's clock on until the demo submits a run group; its id."""
    for _ in range(60):
        with world.omics.lock:
            world.omics.advance(world.clock.now())
            found = [g.id for g in world.omics.groups.values() if g.status not in GROUP_ENDED]
        if found:
            return found[0]
        world.clock.advance(20)
    raise AssertionError("no run group was submitted within 20 minutes")


def test_omics_terminate_a_group_and_retry_runs(world: World) -> None:
    group_id = unfinished_group(world)
    failed = next(r.uuid for r in world.omics.runs.values() if r.status == "EXECUTOR_ERROR")
    cached_group = RunGroup.objects.filter(account=world.account, run_group_id=group_id).exclude(
        status__in=GROUP_ENDED
    )
    cached_run = Run.objects.filter(account=world.account, run_uuid=failed, status="EXECUTOR_ERROR")
    world.sync(
        ["omics.run_groups", "omics.runs"],
        until=lambda: cached_group.exists() and cached_run.exists(),
    )

    plan = action_plan(world.operator, "terminate-run-group", [group_id])
    assert run(operation_start(world.operator, plan)).status == "succeeded"
    assert world.omics.groups[group_id].status == "COMPLETE_ERROR"

    groups_before = len(world.omics.groups)
    op = run(operation_start(world.operator, action_plan(world.operator, "retry-runs", [failed])))
    assert op.status == "succeeded" and op.results[failed]["request_id"]
    assert len(world.omics.groups) == groups_before + 1  # RetryRuns makes a new run group


def test_a_cloud_refusal_fails_the_event_with_its_code(world: World) -> None:
    """The cloud refuses what the cache allowed (someone retried the job meanwhile)."""
    [job_id] = failed_jobs(world)
    with world.batch.lock:
        world.batch.retry_job(world.batch.jobs[job_id])  # behind the cache's back
    op = run(operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id])))
    assert op.status == "failed" and op.results[job_id]["code"] == "UnsupportedOperation"
    assert not op.results[job_id].get("unknown")
    event = AuditEvent.objects.get(action="batch.RetryJobs", targets=[job_id])
    assert (event.status, event.error_code) == ("failed", "UnsupportedOperation")
    assert world.calls("RetryJobs") == 1


def test_a_double_submit_makes_one_operation_and_one_call(world: World) -> None:
    [job_id] = failed_jobs(world)
    first = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    second = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    assert first.pk == second.pk
    run(first)
    run(second)
    assert world.calls("RetryJobs") == 1


def test_cancel_stops_what_is_not_sent(world: World) -> None:
    jobs = jobs_in(world, ACTIVE, 4)
    op = operation_start(world.operator, action_plan(world.operator, "terminate-job", jobs))
    operation_step(op)  # the first call goes out
    assert operation_cancel(world.operator, op)
    op = run(op)
    assert op.status == "cancelled"
    assert len(op.results) == 1  # the three not sent yet stay unsent
    assert world.calls("TerminateJob") == 1


def test_a_viewer_may_not_act(world: World) -> None:
    viewer = User.objects.create_user("v", password="v-password-1")
    membership_set(team=Team.objects.get(name="ops"), user=viewer, role=Role.VIEWER)
    with pytest.raises(NotPermitted, match="operator or an admin"):
        action_plan(viewer, "retry-jobs", failed_jobs(world))


def test_audit_events_are_append_only(world: World) -> None:
    from apps.audit.models import AppendOnly
    from apps.audit.services import audit_record

    event = audit_record(user=world.operator, action="test.nothing", targets=["x"])
    event.status = "succeeded"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()


def test_a_step_never_sends_a_chunk_another_step_is_sending(
    world: World, settings: Settings
) -> None:
    """Two steps of one operation at once (a redelivered message beside a live one): the second
    finds the chunk marked as sending, waits for the lease, and sends nothing."""
    [job_id] = failed_jobs(world)
    op = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    Operation.objects.filter(pk=op.pk).update(
        sending={"targets": [job_id], "event": None}, sending_since=timezone.now()
    )
    op.refresh_from_db()
    delay = operation_step(op)
    assert delay is not None and 0 < delay <= settings.ACTION_SEND_LEASE_S
    assert world.calls("RetryJobs") == 0 and not Operation.objects.get(pk=op.pk).results


def test_resume_takes_over_an_overdue_operation_and_stops_the_old_chain(world: World) -> None:
    from apps.actions.tasks import resume_operations, run_operation

    [job_id] = failed_jobs(world)
    op = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    Operation.objects.filter(pk=op.pk).update(next_step_at=timezone.now() - timedelta(minutes=5))
    with patch.object(run_operation, "apply_async") as queued:
        assert resume_operations() == 1
        assert resume_operations() == 0  # taken over once
    ((operation_id, chain),), _ = queued.call_args
    assert operation_id == op.pk and chain
    run_operation(op.pk, "")  # the old chain's step arrives late: it does nothing
    assert world.calls("RetryJobs") == 0


def test_a_busy_budget_leaves_no_trace_and_the_step_comes_back(
    world: World, settings: Settings
) -> None:
    jobs = jobs_in(world, ACTIVE, 2)
    settings.CLOUD_RATE_SCALE = 0.01  # one TerminateJob in 50 s: the second step finds it busy
    op = operation_start(world.operator, action_plan(world.operator, "terminate-job", jobs))
    operation_step(op)
    op.refresh_from_db()
    with pytest.raises(Throttled):
        operation_step(op)
    op.refresh_from_db()
    assert op.sending is None and len(op.results) == 1  # nothing marked, nothing lost
    assert AuditEvent.objects.filter(action="batch.TerminateJob").count() == 1  # the call made
    assert world.calls("TerminateJob") == 1


def test_an_action_in_a_region_that_does_not_serve_it_fails_unsent(world: World) -> None:
    """A run group cached in ap-nanjing (Omics environments only: no platform actions there),
    say from before the account's streams knew it: terminating it is refused before anything
    is spent or sent."""
    world.account.regions = [*world.account.regions, "ap-nanjing"]
    world.account.save()
    RunGroup.objects.create(
        account=world.account,
        region="ap-nanjing",
        run_group_id="run-stale-nanjing",
        status="RUNNING",
    )
    plan = action_plan(world.operator, "terminate-run-group", ["run-stale-nanjing"])
    op = run(operation_start(world.operator, plan))
    assert op.status == "failed"
    assert op.results["run-stale-nanjing"]["code"] == "UnsupportedRegion"
    assert world.calls("TerminateRunGroup") == 0
    assert not AuditEvent.objects.filter(action="omics.TerminateRunGroup").exists()
