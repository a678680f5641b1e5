"""The Batch streams: lists first, details only where something changed (DESIGN.md, "The one idea").

- batch.jobs: sweeps the active jobs (DescribeJobs with a job-state filter, 100 per call);
  jobs active in the cache that the sweep no longer lists have ended: one DescribeJobs by
  JobIds (100 per call) fetches their final states. Every tenth round also reads the newest
  page, which catches jobs that started and ended between two sweeps.
- batch.inventory: every job, newest first, one page every few seconds (a small share of the
  DescribeJobs budget); a complete pass marks jobs the cloud forgot as gone.
- batch.job_details: DescribeJob for jobs whose state or task counts changed; watched jobs
  first, then ended jobs (fetched once more for their final details), then the rest.
- batch.tasks: DescribeTask for tasks whose instances are due.
- batch.logs: DescribeTaskLogs for instances that just ended, and running ones being watched.
- batch.metrics: DescribeJobMonitorData (CPU, memory, network, disk) for watched jobs' instances.
- batch.envs / batch.env_details: DescribeComputeEnvs, then DescribeComputeEnv (nodes) and
  the first page of activities for environments whose node counts changed.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from apps.batch import api, services
from apps.batch.models import ACTIVE_STATES, ENDED_STATES, Job, TaskInstance
from apps.cloud.errors import NotFound
from apps.cloud.models import CloudAccount
from apps.sync import coordination
from apps.sync.coordination import CHANGED, FINAL, REFRESH, WATCHED
from apps.sync.streams import Cursor, Step, serve_queue, stream

PAGE = 100
NEWEST_EVERY = 10  # rounds
INVENTORY_PAGE_DELAY = 10.0  # seconds between inventory pages: ~10 % of DescribeJobs at 1/s
INVENTORY_PASS_DELAY = 600.0
ENVS_ROUND_DELAY = 5.0


def scope(account: CloudAccount, region: str) -> str:
    return f"{account.pk}:{region}"


def queue(name: str, account: CloudAccount, region: str) -> str:
    return f"{name}:{scope(account, region)}"


def _now() -> datetime:
    return timezone.now()


def _priority(kind: str, account: CloudAccount, region: str, cloud_id: str, ended: bool) -> int:
    if coordination.is_watched(kind, scope(account, region), cloud_id):
        return WATCHED
    return FINAL if ended else CHANGED


def _details_due(
    account: CloudAccount, region: str, job_ids: list[str], records: list[api.JobRecord]
) -> None:
    states = {r.job_id: r.state for r in records}
    for job_id in job_ids:
        prio = _priority("job", account, region, job_id, states.get(job_id) in ENDED_STATES)
        coordination.enqueue(queue("batch.job_details", account, region), job_id, prio)


# --- jobs ----------------------------------------------------------------------------------
@stream("batch.jobs", service="batch")
def jobs_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    phase = cursor.get("phase", "active")
    rounds = int(cursor.get("round", 0))
    started = cursor.get("started") or _now().isoformat()
    now = _now()
    if phase == "newest":
        page = api.describe_jobs(account, region, offset=0, limit=PAGE)
        _details_due(
            account,
            region,
            services.jobs_upsert(account=account, region=region, records=page.items, now=now),
            page.items,
        )
        return Step({"phase": "active", "offset": 0, "round": rounds, "started": now.isoformat()})
    if phase == "active":
        offset = int(cursor.get("offset", 0))
        page = api.describe_jobs(
            account, region, offset=offset, limit=PAGE, states=list(ACTIVE_STATES)
        )
        due = services.jobs_upsert(account=account, region=region, records=page.items, now=now)
        _details_due(account, region, due, page.items)
        if offset + PAGE < page.total:
            return Step({**cursor, "phase": "active", "offset": offset + PAGE, "started": started})
        _refresh_moving_jobs(account, region)
        return Step({"phase": "ended", "round": rounds, "started": started})
    # phase "ended": jobs the sweep did not list any more
    missing = services.active_job_ids_not_listed_since(
        account=account, region=region, since=datetime.fromisoformat(started)
    )
    if not missing:
        next_phase = "newest" if (rounds + 1) % NEWEST_EVERY == 0 else "active"
        return Step(
            {"phase": next_phase, "offset": 0, "round": rounds + 1, "started": _now().isoformat()},
            called=False,
        )
    batch = missing[:PAGE]
    page = api.describe_jobs(account, region, job_ids=batch, limit=PAGE)
    _details_due(
        account,
        region,
        services.jobs_upsert(account=account, region=region, records=page.items, now=now),
        page.items,
    )
    services.jobs_mark_gone(
        account=account,
        region=region,
        now=now,
        job_ids=sorted(set(batch) - {r.job_id for r in page.items}),
    )
    return Step(cursor)


def _refresh_moving_jobs(account: CloudAccount, region: str) -> None:
    """Every active job, at the lowest priority: an instance may end inside a task that stays
    RUNNING, which no summary shows. The queue keeps each job once, oldest first, so the
    budget left over after real changes cycles through the moving jobs."""
    active = Job.objects.filter(
        account=account, region=region, state__in=ACTIVE_STATES, gone_at=None
    )
    coordination.enqueue_many(
        queue("batch.job_details", account, region),
        list(active.values_list("job_id", flat=True)),
        REFRESH,
    )


@stream("batch.inventory", service="batch")
def inventory_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    offset = int(cursor.get("offset", 0))
    started = cursor.get("started") or _now().isoformat()
    now = _now()
    page = api.describe_jobs(account, region, offset=offset, limit=PAGE)
    _details_due(
        account,
        region,
        services.jobs_upsert(account=account, region=region, records=page.items, now=now),
        page.items,
    )
    if offset + PAGE < page.total:
        return Step({"offset": offset + PAGE, "started": started}, INVENTORY_PAGE_DELAY)
    # A whole pass: what it never listed is gone from the cloud.
    unseen = Job.objects.filter(account=account, region=region, gone_at=None, listed_at__lt=started)
    services.jobs_mark_gone(
        account=account,
        region=region,
        now=now,
        job_ids=list(unseen.values_list("job_id", flat=True)),
    )
    return Step({}, INVENTORY_PASS_DELAY)


@stream("batch.job_details", service="batch")
def job_details_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    def serve(job_id: str, _: Cursor) -> Step:
        now = _now()
        try:
            detail = api.describe_job(account, region, job_id)
        except NotFound:
            services.jobs_mark_gone(account=account, region=region, job_ids=[job_id], now=now)
            return Step({})
        tasks = services.job_detail_apply(account=account, region=region, detail=detail, now=now)
        ended = detail.job.state in ENDED_STATES
        priority = _priority("job", account, region, job_id, ended)
        coordination.enqueue_many(
            queue("batch.tasks", account, region),
            [f"{job_id}/{task_name}" for task_name in tasks],
            priority,
        )
        return Step({})

    return serve_queue(queue("batch.job_details", account, region), cursor, serve)


@stream("batch.tasks", service="batch")
def tasks_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    def serve(item: str, going_on: Cursor) -> Step:
        job_id, task_name = item.split("/", 1)
        offset = int(going_on.get("offset", 0))
        now = _now()
        try:
            detail = api.describe_task(account, region, job_id, task_name, offset=offset)
        except NotFound:
            return Step({})
        ended = services.task_instances_apply(
            account=account,
            region=region,
            job_id=job_id,
            task_name=task_name,
            detail=detail,
            now=now,
        )
        _instances_due(account, region, item, ended, detail)
        if offset + len(detail.instances) < detail.total and detail.instances:
            return Step({"item": item, "offset": offset + len(detail.instances)})
        return Step({})

    return serve_queue(queue("batch.tasks", account, region), cursor, serve)


def _instances_due(
    account: CloudAccount, region: str, item: str, ended: list[int], detail: api.TaskDetail
) -> None:
    """Logs of instances that just ended; for a watched job, also logs as they grow and
    resource metrics (DescribeJobMonitorData allows 1/s: watched jobs only)."""
    job_id = item.split("/", 1)[0]
    watched = coordination.is_watched("job", scope(account, region), job_id)
    logs = queue("batch.logs", account, region)
    coordination.enqueue_many(
        logs, [f"{item}/{index}" for index in ended], WATCHED if watched else FINAL
    )
    if watched:
        running = [inst.index for inst in detail.instances if inst.state == "RUNNING"]
        coordination.enqueue_many(logs, [f"{item}/{index}" for index in running], WATCHED)
        coordination.enqueue_many(
            queue("batch.metrics", account, region),
            [f"{item}/{index}" for index in sorted({*running, *ended})],
            WATCHED,
        )


@stream("batch.logs", service="batch")
def logs_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    name = queue("batch.logs", account, region)

    def serve(first: str, _: Cursor) -> Step:
        prefix = first.rsplit("/", 1)[0]
        # One call serves up to 10 instances of the same task.
        items = [i for i in coordination.peek_many(name, 50) if i.rsplit("/", 1)[0] == prefix][:10]
        items = items if first in items else [first]  # something more urgent came in between
        job_id, task_name = prefix.split("/", 1)
        indexes = [int(i.rsplit("/", 1)[1]) for i in items]
        try:
            records = api.describe_task_logs(account, region, job_id, task_name, indexes)
        except NotFound:
            records = []
        services.logs_apply(
            account=account,
            region=region,
            job_id=job_id,
            task_name=task_name,
            records=records,
            now=_now(),
        )
        for i in items:
            coordination.remove(name, i)
        return Step({})

    return serve_queue(name, cursor, serve)


@stream("batch.metrics", service="batch")
def metrics_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    """DescribeJobMonitorData, one metric per step, for instances of watched jobs."""

    def serve(item: str, going_on: Cursor) -> Step:
        metric_no = int(going_on.get("metric", 0))
        job_id, rest = item.split("/", 1)
        task_name, index = rest.rsplit("/", 1)
        instance = TaskInstance.objects.filter(
            task__job__account=account,
            task__job__region=region,
            task__job__job_id=job_id,
            task__name=task_name,
            index=int(index),
        ).first()
        if instance is None:
            return Step({}, called=False)
        metric = api.MONITOR_METRICS[metric_no]
        try:
            points = api.describe_job_monitor_data(
                account, region, job_id, task_name, int(index), metric
            )
        except NotFound:
            points = []
        services.samples_apply(instance=instance, metric=metric, points=points)
        if metric_no + 1 < len(api.MONITOR_METRICS):
            return Step({"item": item, "metric": metric_no + 1})
        return Step({})

    return serve_queue(queue("batch.metrics", account, region), cursor, serve)


# --- compute environments ------------------------------------------------------------------
@stream("batch.envs", service="batch")
def envs_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    offset = int(cursor.get("offset", 0))
    seen = set(cursor.get("seen", []))
    now = _now()
    page = api.describe_compute_envs(account, region, offset=offset, limit=PAGE)
    due = services.envs_upsert(account=account, region=region, records=page.items, now=now)
    seen |= {r.env_id for r in page.items}
    for env_id in due:
        watched = coordination.is_watched("env", scope(account, region), env_id)
        coordination.enqueue(
            queue("batch.env_details", account, region), env_id, WATCHED if watched else CHANGED
        )
    if offset + PAGE < page.total:
        return Step({"offset": offset + PAGE, "seen": sorted(seen)})
    services.envs_mark_gone(account=account, region=region, present=seen, now=now)
    return Step({}, ENVS_ROUND_DELAY)


@stream("batch.env_details", service="batch")
def env_details_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    """DescribeComputeEnv (its nodes), then the newest page of its activities: two steps."""

    def serve(env_id: str, going_on: Cursor) -> Step:
        now = _now()
        if going_on.get("phase") == "activities":
            try:
                page = api.describe_compute_env_activities(account, region, env_id)
            except NotFound:
                return Step({})
            services.activities_apply(
                account=account, region=region, env_id=env_id, records=page.items, now=now
            )
            return Step({})
        try:
            env, nodes = api.describe_compute_env(account, region, env_id)
        except NotFound:
            return Step({})
        services.env_detail_apply(account=account, region=region, env=env, nodes=nodes, now=now)
        return Step({"item": env_id, "phase": "activities"})

    return serve_queue(queue("batch.env_details", account, region), cursor, serve)
