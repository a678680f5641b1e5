"""Each operator action against the emulator: allowed -> the cloud changed and the audit event
succeeded with a RequestId; refused -> a plain message and no cloud call; a cloud error -> the
event failed with the code; a double submit -> one call; cancel stops what is not sent."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.conf import settings
from django.utils import timezone

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
from apps.batch.models import ComputeNode, Job
from apps.cloud.gateway import Throttled
from apps.cloud.models import CloudAccount
from apps.emulator.faults import Fault
from apps.omics.models import Run, RunGroup
from tests.sync.drive import batch_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(synced):
    team = Team.objects.create(name="ops")
    CloudAccount.objects.filter(name="demo").update(team=team)
    user = User.objects.create_user("op", password="op-password-1")
    membership_set(team=team, user=user, role=Role.OPERATOR)
    return user


def failed_jobs(start: int, count: int = 1) -> list[str]:
    """FAILED jobs by position: each test takes its own, as the emulator is shared by the
    module (a job retried by one test is no longer FAILED in the cloud)."""
    ids = list(
        Job.objects.filter(state="FAILED").order_by("job_id").values_list("job_id", flat=True)
    )
    assert len(ids) >= start + count, "the demo has fewer FAILED jobs than the tests need"
    return ids[start : start + count]


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


def calls(emulator, action: str) -> int:
    return sum(r["answered"] for r in emulator.stats.snapshot()["calls"] if r["action"] == action)


def test_retry_a_failed_job(synced, operator):
    [job_id] = failed_jobs(0)
    op = run(operation_start(operator, action_plan(operator, "retry-jobs", [job_id])))
    assert op.status == "succeeded"
    assert batch_world(synced).jobs[job_id].state != "FAILED"
    event = AuditEvent.objects.get(action="batch.RetryJobs", targets=[job_id])
    assert event.status == "succeeded" and event.request_id and event.username == "op"


def test_many_failed_jobs_are_retried_in_one_call(synced, operator):
    jobs = failed_jobs(1, 2)
    before = calls(synced, "RetryJobs")
    op = run(operation_start(operator, action_plan(operator, "retry-jobs", jobs)))
    assert op.status == "succeeded" and len(op.results) == len(jobs)
    assert calls(synced, "RetryJobs") == before + 1


def test_refused_targets_are_skipped_with_the_reason_and_never_sent(synced, operator):
    running = Job.objects.filter(state="RUNNING").first()
    plan = action_plan(operator, "retry-jobs", [running.job_id, "job-zzzzzzzz"])
    assert plan.allowed == []
    reasons = [why for _, why in plan.skipped]
    assert "only a FAILED job can be retried (it is RUNNING)" in reasons
    assert "not found (or not yours to see)" in reasons
    before = calls(synced, "RetryJobs")
    with pytest.raises(NothingToDo, match="Nothing to do"):
        operation_start(operator, plan)
    assert calls(synced, "RetryJobs") == before


def test_terminate_a_running_job_and_an_instance(synced, operator):
    from apps.batch.models import TaskInstance

    job = Job.objects.filter(state="RUNNING").order_by("job_id").first()
    op = run(operation_start(operator, action_plan(operator, "terminate-job", [job.job_id])))
    assert op.status == "succeeded"
    world = batch_world(synced)
    assert all(i.generation for i in world.jobs[job.job_id].instances())
    instance = (
        TaskInstance.objects.filter(task__job__state="RUNNING", state="RUNNING")
        .exclude(task__job=job)
        .select_related("task__job")
        .order_by("pk")
        .first()
    )
    key = f"{instance.task.job.job_id}/{instance.task.name}/{instance.index}"
    assert (
        run(operation_start(operator, action_plan(operator, "terminate-instance", [key]))).status
        == "succeeded"
    )
    assert (
        world.jobs[instance.task.job.job_id]
        .tasks[instance.task.name]
        .instances[instance.index]
        .generation
    )


def test_terminate_nodes_in_one_call_per_environment(synced, operator):
    nodes = list(ComputeNode.objects.filter(state="RUNNING", env__name="render-farm")[:2])
    op = run(
        operation_start(
            operator, action_plan(operator, "terminate-nodes", [n.node_id for n in nodes])
        )
    )
    assert op.status == "succeeded"
    env = batch_world(synced).fleet.envs[nodes[0].env.env_id]
    assert {env.nodes[n.node_id].state for n in nodes} == {"DELETING"}


def test_omics_terminate_a_group_and_retry_runs(synced, operator):
    group = RunGroup.objects.exclude(status__in=["COMPLETE", "COMPLETE_ERROR"]).first()
    if group is not None:
        assert (
            run(
                operation_start(
                    operator, action_plan(operator, "terminate-run-group", [group.run_group_id])
                )
            ).status
            == "succeeded"
        )
    failed = Run.objects.filter(status="EXECUTOR_ERROR").first()
    op = run(operation_start(operator, action_plan(operator, "retry-runs", [failed.run_uuid])))
    assert op.status == "succeeded" and op.results[failed.run_uuid]["request_id"]


def test_a_cloud_error_fails_the_event_with_its_code(synced, operator):
    synced.faults.set("RetryJobs", Fault(internal_error=1.0))
    try:
        [job_id] = failed_jobs(4)
        op = run(operation_start(operator, action_plan(operator, "retry-jobs", [job_id])))
    finally:
        synced.faults.clear()
    assert op.status == "failed" and op.results[job_id]["code"] == "InternalError"
    event = AuditEvent.objects.get(action="batch.RetryJobs", targets=[job_id])
    assert (event.status, event.error_code) == ("failed", "InternalError")


def test_a_double_submit_makes_one_operation_and_one_call(synced, operator):
    [job_id] = failed_jobs(3)
    first = operation_start(operator, action_plan(operator, "retry-jobs", [job_id]))
    second = operation_start(operator, action_plan(operator, "retry-jobs", [job_id]))
    assert first.pk == second.pk
    before = calls(synced, "RetryJobs")
    run(first)
    run(second)
    assert calls(synced, "RetryJobs") == before + 1


def test_cancel_stops_what_is_not_sent(synced, operator):
    jobs = [j.job_id for j in Job.objects.filter(state__in=["RUNNING", "RUNNABLE", "PENDING"])][:4]
    op = operation_start(operator, action_plan(operator, "terminate-job", jobs))
    operation_step(op)  # the first call goes out
    assert operation_cancel(operator, op)
    op = run(op)
    assert op.status == "cancelled"
    assert len(op.results) == 1  # the three not sent yet stay unsent


def test_a_viewer_may_not_act(synced, operator):
    viewer = User.objects.create_user("v", password="v-password-1")
    membership_set(team=Team.objects.get(name="ops"), user=viewer, role=Role.VIEWER)
    with pytest.raises(NotPermitted, match="operator or an admin"):
        action_plan(viewer, "retry-jobs", failed_jobs(0))


def test_audit_events_are_append_only(synced, operator):
    from apps.audit.models import AppendOnly
    from apps.audit.services import audit_record

    event = audit_record(user=operator, action="test.nothing", targets=["x"])
    event.status = "succeeded"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()


def test_a_step_never_sends_a_chunk_another_step_is_sending(synced, operator):
    """Two steps of one operation at once (a redelivered message beside a live one): the second
    finds the chunk marked as sending, waits for the lease, and sends nothing."""
    [job_id] = failed_jobs(0)  # nothing is sent: any FAILED job will do
    op = operation_start(operator, action_plan(operator, "retry-jobs", [job_id]))
    Operation.objects.filter(pk=op.pk).update(
        sending={"targets": [job_id], "event": None}, sending_since=timezone.now()
    )
    op.refresh_from_db()
    before = calls(synced, "RetryJobs")
    delay = operation_step(op)
    assert 0 < delay <= settings.ACTION_SEND_LEASE_S
    assert calls(synced, "RetryJobs") == before and not Operation.objects.get(pk=op.pk).results


def test_resume_takes_over_an_overdue_operation_and_stops_the_old_chain(synced, operator):
    from apps.actions.tasks import resume_operations, run_operation

    [job_id] = failed_jobs(0)  # nothing is sent
    op = operation_start(operator, action_plan(operator, "retry-jobs", [job_id]))
    Operation.objects.filter(pk=op.pk).update(next_step_at=timezone.now() - timedelta(minutes=5))
    with patch.object(run_operation, "apply_async") as queued:
        assert resume_operations() == 1
        assert resume_operations() == 0  # taken over once
    ((operation_id, chain),), _ = queued.call_args
    assert operation_id == op.pk and chain
    before = calls(synced, "RetryJobs")
    run_operation(op.pk, "")  # the old chain's step arrives late: it does nothing
    assert calls(synced, "RetryJobs") == before


def test_a_busy_budget_leaves_no_trace_and_the_step_comes_back(synced, operator):
    jobs = [j.job_id for j in Job.objects.filter(state__in=["RUNNING", "RUNNABLE", "PENDING"])][4:6]
    op = operation_start(operator, action_plan(operator, "terminate-job", jobs))
    operation_step(op)  # TerminateJob: one call a second, and it just made one
    op.refresh_from_db()
    with pytest.raises(Throttled):
        operation_step(op)
    op.refresh_from_db()
    assert op.sending is None and len(op.results) == 1  # nothing marked, nothing lost
    assert AuditEvent.objects.filter(action="batch.TerminateJob").count() == 1  # the call made
