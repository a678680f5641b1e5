"""Writes of the Batch cache: idempotent upserts keyed by cloud ids, with state history.

Each function takes records from `apps.batch.api` and returns what changed, so the streams
(`apps.batch.sync`) can spend detail calls only where something did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from apps.batch import api
from apps.batch.logs import decode_log
from apps.batch.models import (
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
from apps.cloud.models import CloudAccount
from apps.sync.models import Kind
from apps.sync.upsert import upsert, upsert_with_history

JOB_LIST_FIELDS = (
    "name",
    "state",
    "priority",
    "zone",
    "created_at",
    "ended_at",
    "tags",
    "task_metrics",
    "raw",
    "synced_at",
    "gone_at",
    "final_synced",
)


def _job_row(account: CloudAccount, region: str, r: api.JobRecord, now: datetime) -> dict[str, Any]:
    return {
        "account_id": account.pk,
        "region": region,
        "job_id": r.job_id,
        "name": r.name,
        "state": r.state,
        "priority": r.priority,
        "zone": r.zone,
        "created_at": r.created_at,
        "ended_at": r.ended_at,
        "tags": r.tags,
        "task_metrics": r.task_metrics,
        "raw": r.raw,
        "synced_at": now,
        "gone_at": None,
    }


def jobs_upsert(
    *,
    account: CloudAccount,
    region: str,
    records: list[api.JobRecord],
    now: datetime,
    listed: bool = True,
) -> list[str]:
    """Store job summaries; return the ids whose state or task counts changed (their details
    are due). A job whose state moved is not "finally synced" any more."""
    records = [r for r in records if r.job_id]
    known = {
        job_id: (state, metrics, final)
        for job_id, state, metrics, final in Job.objects.filter(
            account=account, region=region, job_id__in=[r.job_id for r in records]
        ).values_list("job_id", "state", "task_metrics", "final_synced")
    }
    rows, due = [], []
    for r in records:
        row = _job_row(account, region, r, now)
        state, metrics, final = known.get(r.job_id, (None, None, False))
        changed = state is None or (state, metrics) != (r.state, r.task_metrics)
        if changed:
            due.append(r.job_id)
        row["final_synced"] = False if changed else final
        if listed:
            row["listed_at"] = now
        rows.append(row)
    update = [*JOB_LIST_FIELDS, "listed_at"] if listed else list(JOB_LIST_FIELDS)
    upsert_with_history(
        Job,
        rows,
        key="job_id",
        scope={"account": account, "region": region},
        unique=["account", "region", "job_id"],
        update=update,
        kind=Kind.JOB,
        account=account,
        region=region,
        now=now,
    )
    return due


def jobs_mark_gone(*, account: CloudAccount, region: str, job_ids: list[str], now: datetime) -> int:
    """Jobs the cloud no longer knows (deleted): marked, never silently removed."""
    return Job.objects.filter(
        account=account, region=region, job_id__in=job_ids, gone_at=None
    ).update(gone_at=now)


def job_detail_apply(
    *, account: CloudAccount, region: str, detail: api.JobDetail, now: datetime
) -> list[str]:
    """Store DescribeJob: the job, its tasks and their dependencies. Returns the names of the
    tasks whose instances are due (changed, or still moving)."""
    jobs_upsert(account=account, region=region, records=[detail.job], now=now, listed=False)
    ended = detail.job.state in ENDED_STATES
    Job.objects.filter(account=account, region=region, job_id=detail.job.job_id).update(
        state_reason=detail.state_reason,
        instance_metrics=detail.instance_metrics,
        dependences=detail.dependences,
        detail_synced_at=now,
        final_synced=ended,
    )
    job = Job.objects.get(account=account, region=region, job_id=detail.job.job_id)
    upstream: dict[str, list[str]] = {}
    for dep in detail.dependences:
        upstream.setdefault(str(dep.get("EndTask", "")), []).append(str(dep.get("StartTask", "")))
    rows = [
        {
            "job_id": job.pk,
            "name": t.name,
            "state": t.state,
            "created_at": t.created_at,
            "ended_at": t.ended_at,
            "upstream": upstream.get(t.name, []),
            "raw": {"TaskName": t.name, "TaskState": t.state},
            "synced_at": now,
        }
        for t in detail.tasks
        if t.name
    ]
    changes = upsert_with_history(
        Task,
        rows,
        key="name",
        scope={"job": job},
        unique=["job", "name"],
        update=["state", "created_at", "ended_at", "upstream", "raw", "synced_at"],
        kind=Kind.TASK,
        account=account,
        region=region,
        now=now,
        history_id=lambda row: f"{job.job_id}/{row['name']}",
    )
    changed = {cloud_id.split("/", 1)[1] for cloud_id, _, _ in changes}
    return [
        t.name for t in detail.tasks if t.name in changed or t.state not in ENDED_STATES or ended
    ]


def task_instances_apply(
    *,
    account: CloudAccount,
    region: str,
    job_id: str,
    task_name: str,
    detail: api.TaskDetail,
    now: datetime,
) -> list[int]:
    """Store one DescribeTask page. Returns the indexes of instances that just ended (their
    final logs are due)."""
    task = (
        Task.objects.select_related("job")
        .filter(job__account=account, job__region=region, job__job_id=job_id, name=task_name)
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
    rows = [
        {
            "task_id": task.pk,
            "index": i.index,
            "state": i.state,
            "exit_code": i.exit_code,
            "reason": i.reason,
            "detailed_reason": i.detailed_reason,
            "node_instance_id": i.node_instance_id,
            "created_at": i.created_at,
            "launched_at": i.launched_at,
            "running_at": i.running_at,
            "ended_at": i.ended_at,
            "redirect": i.redirect,
            "raw": i.raw,
            "synced_at": now,
        }
        for i in detail.instances
    ]
    changes = upsert_with_history(
        TaskInstance,
        rows,
        key="index",
        scope={"task": task},
        unique=["task", "index"],
        update=[
            "state",
            "exit_code",
            "reason",
            "detailed_reason",
            "node_instance_id",
            "created_at",
            "launched_at",
            "running_at",
            "ended_at",
            "redirect",
            "raw",
            "synced_at",
        ],
        kind=Kind.INSTANCE,
        account=account,
        region=region,
        now=now,
        history_id=lambda row: f"{job_id}/{task_name}/{row['index']}",
    )
    return [int(cloud_id.rsplit("/", 1)[1]) for cloud_id, _, new in changes if new in ENDED_STATES]


def logs_apply(
    *,
    account: CloudAccount,
    region: str,
    job_id: str,
    task_name: str,
    records: list[api.LogRecord],
    now: datetime,
) -> int:
    """Store decoded logs (and the raw values); a log fetched after its instance ended is final."""
    instances = {
        i.index: i
        for i in TaskInstance.objects.filter(
            task__job__account=account,
            task__job__region=region,
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
                "final": inst.state in ENDED_STATES,
            },
        )
        stored += 1
    return stored


def samples_apply(
    *, instance: TaskInstance, metric: str, points: list[tuple[datetime, float | None]]
) -> None:
    upsert(
        MonitorSample,
        [{"instance_id": instance.pk, "metric": metric, "at": at, "value": v} for at, v in points],
        unique=["instance", "metric", "at"],
        update=["value"],
    )


# --- compute environments --------------------------------------------------------------------
ENV_FIELDS = (
    "name",
    "zone",
    "env_type",
    "resource_type",
    "desired_count",
    "attached_count",
    "next_action",
    "node_metrics",
    "tags",
    "created_at",
    "raw",
    "synced_at",
    "gone_at",
    "state",
)


def _env_row(account: CloudAccount, region: str, r: api.EnvRecord, now: datetime) -> dict[str, Any]:
    return {
        "account_id": account.pk,
        "region": region,
        "env_id": r.env_id,
        "name": r.name,
        "zone": r.zone,
        "env_type": r.env_type,
        "resource_type": r.resource_type,
        "desired_count": r.desired_count,
        "attached_count": r.attached_count,
        "next_action": r.next_action,
        "node_metrics": r.node_metrics,
        "tags": r.tags,
        "created_at": r.created_at,
        "raw": r.raw,
        "synced_at": now,
        "gone_at": None,
        "state": r.next_action or "ACTIVE",
    }


def envs_upsert(
    *, account: CloudAccount, region: str, records: list[api.EnvRecord], now: datetime
) -> list[str]:
    """Store environment summaries; return ids whose node counts or desired count changed."""
    known = {
        env_id: (metrics, desired)
        for env_id, metrics, desired in ComputeEnv.objects.filter(
            account=account, region=region, env_id__in=[r.env_id for r in records]
        ).values_list("env_id", "node_metrics", "desired_count")
    }
    due = [r.env_id for r in records if known.get(r.env_id) != (r.node_metrics, r.desired_count)]
    upsert_with_history(
        ComputeEnv,
        [_env_row(account, region, r, now) for r in records],
        key="env_id",
        scope={"account": account, "region": region},
        unique=["account", "region", "env_id"],
        update=ENV_FIELDS,
        kind=Kind.ENV,
        account=account,
        region=region,
        now=now,
    )
    return due


def envs_mark_gone(*, account: CloudAccount, region: str, present: set[str], now: datetime) -> int:
    return (
        ComputeEnv.objects.filter(account=account, region=region, gone_at=None)
        .exclude(env_id__in=present)
        .update(gone_at=now)
    )


def env_detail_apply(
    *,
    account: CloudAccount,
    region: str,
    env: api.EnvRecord,
    nodes: list[api.NodeRecord],
    now: datetime,
) -> None:
    """Store DescribeComputeEnv: the environment and every node; nodes not listed are gone."""
    envs_upsert(account=account, region=region, records=[env], now=now)
    env_row = ComputeEnv.objects.get(account=account, region=region, env_id=env.env_id)
    rows = [
        {
            "account_id": account.pk,
            "region": region,
            "env_id": env_row.pk,
            "node_id": n.node_id,
            "instance_id": n.instance_id,
            "state": n.state,
            "cpu": n.cpu,
            "mem": n.mem,
            "private_ips": n.private_ips,
            "public_ips": n.public_ips,
            "agent_version": n.agent_version,
            "origin": n.origin,
            "available_slots": n.available_slots,
            "resource_created_at": n.resource_created_at,
            "raw": n.raw,
            "synced_at": now,
            "gone_at": None,
        }
        for n in nodes
        if n.node_id
    ]
    upsert_with_history(
        ComputeNode,
        rows,
        key="node_id",
        scope={"account": account, "region": region},
        unique=["account", "region", "node_id"],
        update=[
            "env",
            "instance_id",
            "state",
            "cpu",
            "mem",
            "private_ips",
            "public_ips",
            "agent_version",
            "origin",
            "available_slots",
            "resource_created_at",
            "raw",
            "synced_at",
            "gone_at",
        ],
        kind=Kind.NODE,
        account=account,
        region=region,
        now=now,
    )
    ComputeNode.objects.filter(env=env_row, gone_at=None).exclude(
        node_id__in=[r["node_id"] for r in rows]
    ).update(gone_at=now)


def activities_apply(
    *,
    account: CloudAccount,
    region: str,
    env_id: str,
    records: list[api.ActivityRecord],
    now: datetime,
) -> None:
    env_row = ComputeEnv.objects.filter(account=account, region=region, env_id=env_id).first()
    if env_row is None:
        return
    upsert(
        Activity,
        [
            {
                "account_id": account.pk,
                "region": region,
                "env_id": env_row.pk,
                "activity_id": a.activity_id,
                "node_id": a.node_id,
                "instance_id": a.instance_id,
                "kind": a.kind,
                "state": a.state,
                "cause": a.cause,
                "reason": a.reason,
                "started_at": a.started_at,
                "ended_at": a.ended_at,
                "raw": a.raw,
                "synced_at": now,
            }
            for a in records
            if a.activity_id
        ],
        unique=["account", "region", "activity_id"],
        update=["state", "reason", "ended_at", "raw", "synced_at", "node_id", "instance_id"],
    )


def active_job_ids_not_listed_since(
    *, account: CloudAccount, region: str, since: datetime
) -> list[str]:
    """Jobs still active in the cache that the last full sweep of active jobs did not list:
    they ended (or were deleted) in between."""
    from apps.batch.models import ACTIVE_STATES

    return list(
        Job.objects.filter(account=account, region=region, state__in=ACTIVE_STATES, gone_at=None)
        .filter(Q(listed_at__lt=since) | Q(listed_at=None))
        .values_list("job_id", flat=True)
    )
