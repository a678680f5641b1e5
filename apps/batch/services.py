"""Writes of the Batch cache: idempotent upserts keyed by cloud ids, with state history.

Each function takes records from `apps.batch.api` and returns what changed, so the streams
(`apps.batch.sync`) can spend detail calls only where something did. The columns written are
the record types' fields (`apps.sync.upsert.row_of`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from apps.batch import api
from apps.batch.logs import decode_log
from apps.batch.models import (
    ACTIVE_STATES,
    ENDED_STATES,
    Activity,
    ComputeEnv,
    ComputeNode,
    Job,
    MonitorSample,
    Task,
    TaskInstance,
    TaskLog,
)
from apps.cloud.scope import Scope
from apps.sync.models import Kind
from apps.sync.upsert import fields_of, row_of, upsert, upsert_with_history

CACHED = ("synced_at", "gone_at")  # what every listed row also gets: when, and "not gone"
JOB_FIELDS = fields_of(api.JobRecord, *CACHED, "final_synced", without=["job_id"])


def jobs_upsert(
    *, scope: Scope, records: list[api.JobRecord], now: datetime, listed: bool = True
) -> list[str]:
    """Store job summaries; return the ids whose state or task counts changed (their details
    are due). A job whose state moved is not "finally synced" any more. `listed`: the records
    come from a DescribeJobs answer (the sweep that finds ended jobs counts on `listed_at`)."""
    records = [r for r in records if r.job_id]
    known = {
        job_id: (state, metrics, final)
        for job_id, state, metrics, final in Job.objects.filter(
            **scope.lookup, job_id__in=[r.job_id for r in records]
        ).values_list("job_id", "state", "task_metrics", "final_synced")
    }
    listing = {"listed_at": now} if listed else {}
    rows, due = [], []
    for r in records:
        state, metrics, final = known.get(r.job_id, (None, None, False))
        changed = state is None or (state, metrics) != (r.state, r.task_metrics)
        if changed:
            due.append(r.job_id)
        bookkeeping = {"synced_at": now, "gone_at": None, "final_synced": final and not changed}
        rows.append(row_of(r, **scope.columns, **bookkeeping, **listing))
    update = [*JOB_FIELDS, *listing]
    upsert_with_history(Job, rows, key="job_id", update=update, kind=Kind.JOB, scope=scope, now=now)
    return due


def jobs_mark_gone(*, scope: Scope, job_ids: list[str], now: datetime) -> int:
    """Jobs the cloud no longer knows (deleted): marked, never silently removed."""
    found = Job.objects.filter(**scope.lookup, job_id__in=job_ids, gone_at=None)
    return found.update(gone_at=now)


def jobs_unlisted_since(*, scope: Scope, since: datetime) -> list[str]:
    """Jobs still active in the cache that the last full sweep of active jobs did not list:
    they ended (or were deleted) in between."""
    active = Job.objects.filter(**scope.lookup, state__in=ACTIVE_STATES, gone_at=None)
    unlisted = active.filter(Q(listed_at__lt=since) | Q(listed_at=None))
    return list(unlisted.values_list("job_id", flat=True))


def job_detail_apply(*, scope: Scope, detail: api.JobDetail, now: datetime) -> list[str]:
    """Store DescribeJob: the job, its tasks and their dependencies. Returns the names of the
    tasks whose instances are due (changed, or still moving)."""
    jobs_upsert(scope=scope, records=[detail.job], now=now, listed=False)
    ended = detail.job.state in ENDED_STATES
    found = Job.objects.filter(**scope.lookup, job_id=detail.job.job_id)
    found.update(
        state_reason=detail.state_reason,
        instance_metrics=detail.instance_metrics,
        dependences=detail.dependences,
        detail_synced_at=now,
        final_synced=ended,
    )
    job = found.get()
    upstream: dict[str, list[str]] = {}
    for dep in detail.dependences:
        upstream.setdefault(str(dep.get("EndTask", "")), []).append(str(dep.get("StartTask", "")))
    rows = [
        row_of(
            t,
            job_id=job.pk,
            upstream=upstream.get(t.name, []),
            raw={"TaskName": t.name, "TaskState": t.state},
            synced_at=now,
        )
        for t in detail.tasks
        if t.name
    ]
    changes = upsert_with_history(
        Task,
        rows,
        key="name",
        within={"job": job},
        update=fields_of(api.TaskRecord, "upstream", "raw", "synced_at", without=["name"]),
        kind=Kind.TASK,
        scope=scope,
        now=now,
        history_id=lambda row: f"{job.job_id}/{row['name']}",
    )
    changed = {cloud_id.split("/", 1)[1] for cloud_id, _, _ in changes}
    return [t.name for t in detail.tasks if t.name in changed or not t.is_ended or ended]


INSTANCE_FIELDS = fields_of(api.InstanceRecord, "synced_at", without=["index"])


def task_instances_apply(
    *, scope: Scope, job_id: str, task_name: str, detail: api.TaskDetail, now: datetime
) -> list[int]:
    """Store one DescribeTask page. Returns the indexes of the instances whose final logs are
    due: those that just ended, and those that ended without one being stored."""
    task = (
        Task.objects.select_related("job")
        .filter(job__account=scope.account, job__region=scope.region, job__job_id=job_id)
        .filter(name=task_name)
        .first()
    )
    if task is None:
        return []  # the job's details have not arrived yet; they will bring the task
    Task.objects.filter(pk=task.pk).update(
        state=detail.state or task.state,
        instance_metrics=detail.instance_metrics,
        instance_total=detail.total,
        instances_synced_at=now,
    )
    changes = upsert_with_history(
        TaskInstance,
        [row_of(i, task_id=task.pk, synced_at=now) for i in detail.instances],
        key="index",
        within={"task": task},
        update=INSTANCE_FIELDS,
        kind=Kind.INSTANCE,
        scope=scope,
        now=now,
        history_id=lambda row: f"{job_id}/{task_name}/{row['index']}",
    )
    just_ended = {
        int(cloud_id.rsplit("/", 1)[1]) for cloud_id, _, new in changes if new in ENDED_STATES
    }
    # Ended earlier without a final log (its sender died between the two writes): due again.
    ended = TaskInstance.objects.filter(task=task, state__in=ENDED_STATES)
    unlogged = ended.exclude(log__final=True).values_list("index", flat=True)
    return sorted(just_ended | set(unlogged))


def logs_apply(
    *, scope: Scope, job_id: str, task_name: str, records: list[api.LogRecord], now: datetime
) -> int:
    """Store decoded logs (and the raw values); a log fetched after its instance ended is final."""
    instances = {
        i.index: i
        for i in TaskInstance.objects.filter(
            task__job__account=scope.account,
            task__job__region=scope.region,
            task__job__job_id=job_id,
            task__name=task_name,
            index__in=[r.index for r in records],
        )
    }
    stored = 0
    for r in records:
        inst = instances.get(r.index)
        if inst is None:
            continue
        out, err = decode_log(r.stdout), decode_log(r.stderr)
        problems = "; ".join(
            f"{name}: {d.problem}" for name, d in (("stdout", out), ("stderr", err)) if d.problem
        )
        TaskLog.objects.update_or_create(
            instance=inst,
            defaults={
                "stdout": out.text,
                "stderr": err.text,
                "stdout_raw": r.stdout or "",
                "stderr_raw": r.stderr or "",
                "problems": problems,
                "redirect": r.redirect,
                "fetched_at": now,
                "final": inst.is_ended,
            },
        )
        stored += 1
    return stored


def samples_apply(
    *, instance: TaskInstance, metric: str, points: list[tuple[datetime, float | None]]
) -> None:
    rows = [
        {"instance_id": instance.pk, "metric": metric, "at": at, "value": v} for at, v in points
    ]
    upsert(MonitorSample, rows, unique=["instance", "metric", "at"], update=["value"])


# --- compute environments --------------------------------------------------------------------
ENV_FIELDS = fields_of(api.EnvRecord, *CACHED, without=["env_id"])
NODE_FIELDS = fields_of(api.NodeRecord, "env", *CACHED, without=["node_id"])
ACTIVITY_FIELDS = fields_of(api.ActivityRecord, "synced_at", without=["activity_id"])


def envs_upsert(*, scope: Scope, records: list[api.EnvRecord], now: datetime) -> list[str]:
    """Store environment summaries; return ids whose node counts or desired count changed."""
    known = {
        env_id: (metrics, desired)
        for env_id, metrics, desired in ComputeEnv.objects.filter(
            **scope.lookup, env_id__in=[r.env_id for r in records]
        ).values_list("env_id", "node_metrics", "desired_count")
    }
    due = [r.env_id for r in records if known.get(r.env_id) != (r.node_metrics, r.desired_count)]
    rows = [row_of(r, **scope.columns, synced_at=now, gone_at=None) for r in records]
    upsert_with_history(
        ComputeEnv, rows, key="env_id", update=ENV_FIELDS, kind=Kind.ENV, scope=scope, now=now
    )
    return due


def envs_mark_gone(*, scope: Scope, present: set[str], now: datetime) -> int:
    alive = ComputeEnv.objects.filter(**scope.lookup, gone_at=None)
    return alive.exclude(env_id__in=present).update(gone_at=now)


def env_detail_apply(
    *, scope: Scope, env: api.EnvRecord, nodes: list[api.NodeRecord], now: datetime
) -> None:
    """Store DescribeComputeEnv: the environment and every node; nodes not listed are gone."""
    envs_upsert(scope=scope, records=[env], now=now)
    env_row = ComputeEnv.objects.get(**scope.lookup, env_id=env.env_id)
    rows = [
        row_of(n, **scope.columns, env_id=env_row.pk, synced_at=now, gone_at=None)
        for n in nodes
        if n.node_id
    ]
    upsert_with_history(
        ComputeNode, rows, key="node_id", update=NODE_FIELDS, kind=Kind.NODE, scope=scope, now=now
    )
    listed = [row["node_id"] for row in rows]
    ComputeNode.objects.filter(env=env_row, gone_at=None).exclude(node_id__in=listed).update(
        gone_at=now
    )


def activities_apply(
    *, scope: Scope, env_id: str, records: list[api.ActivityRecord], now: datetime
) -> None:
    env_row = ComputeEnv.objects.filter(**scope.lookup, env_id=env_id).first()
    if env_row is None:
        return
    rows = [
        row_of(a, **scope.columns, env_id=env_row.pk, synced_at=now)
        for a in records
        if a.activity_id
    ]
    upsert(Activity, rows, unique=["account", "region", "activity_id"], update=ACTIVITY_FIELDS)
