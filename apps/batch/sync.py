"""The Batch streams: lists first, details only where something changed (docs/architecture.md,
"The one idea").

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

A page showing a job or an environment records interest (`coordination.record_interest`)
under the kind "job" or "env": its details are then served first.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from apps.batch import api, services
from apps.batch.models import ACTIVE_STATES, ENDED_STATES, Job, JobState, Task, TaskInstance
from apps.cloud.errors import NotFound
from apps.cloud.scope import Scope
from apps.sync import coordination
from apps.sync.coordination import Priority, priority_of
from apps.sync.models import Kind
from apps.sync.streams import QueueCursor, Step, serve_queue, stream

PAGE = 100
NEWEST_EVERY = 10  # rounds
INVENTORY_PAGE_DELAY = 10.0  # seconds between inventory pages: ~10 % of DescribeJobs at 1/s
INVENTORY_PASS_DELAY = 600.0
ENVS_ROUND_DELAY = 5.0
REBUILD_LIMIT = 500  # objects per queue and rebuild: the next rebuild takes the rest

JOB_DETAILS, TASKS, LOGS, METRICS = (
    "batch.job_details",
    "batch.tasks",
    "batch.logs",
    "batch.metrics",
)
ENV_DETAILS = "batch.env_details"


def refresh_job(scope: Scope, job_id: str) -> None:
    """Fetch this job's details next (an operator just acted on it)."""
    coordination.record_interest(Kind.JOB, scope, job_id)
    coordination.enqueue(scope.queue(JOB_DETAILS), job_id, Priority.WATCHED)


def refresh_env(scope: Scope, env_id: str) -> None:
    """Fetch this environment's nodes next (an operator just terminated some)."""
    coordination.enqueue(scope.queue(ENV_DETAILS), env_id, Priority.WATCHED)


def _details_due(scope: Scope, job_ids: list[str], records: list[api.JobRecord]) -> None:
    ended = {r.job_id for r in records if r.is_ended}
    for job_id in job_ids:
        priority = priority_of(Kind.JOB, scope, job_id, ended=job_id in ended)
        coordination.enqueue(scope.queue(JOB_DETAILS), job_id, priority)


def _store_jobs(scope: Scope, page: api.Page, now: datetime) -> None:
    """Store a DescribeJobs page and queue the details of the jobs that changed."""
    _details_due(scope, services.jobs_upsert(scope=scope, records=page.items, now=now), page.items)


# --- jobs ------------------------------------------------------------------------------------
class JobsPhase(StrEnum):
    ACTIVE = "active"  # the sweep of the active states, page by page
    ENDED = "ended"  # the jobs the sweep did not list any more, by id
    NEWEST = "newest"  # the newest page, whatever the state


@dataclass(frozen=True)
class JobsCursor:
    phase: JobsPhase = JobsPhase.ACTIVE
    offset: int = 0
    round: int = 0
    started: datetime | None = None  # when this round's sweep began


@stream("batch.jobs", service="batch", cursor=JobsCursor, actions=("DescribeJobs",))
def jobs_step(scope: Scope, cursor: JobsCursor) -> Step[JobsCursor]:
    now = timezone.now()
    if cursor.started is None:
        cursor = dataclasses.replace(cursor, started=now)
    return JOBS_PHASES[cursor.phase](scope, cursor, now)


def _jobs_newest(scope: Scope, cursor: JobsCursor, now: datetime) -> Step[JobsCursor]:
    _store_jobs(scope, api.describe_jobs(scope, offset=0, limit=PAGE), now)
    return Step(JobsCursor(round=cursor.round, started=now))


def _jobs_active(scope: Scope, cursor: JobsCursor, now: datetime) -> Step[JobsCursor]:
    active = [str(state) for state in ACTIVE_STATES]
    page = api.describe_jobs(scope, offset=cursor.offset, limit=PAGE, states=active)
    _store_jobs(scope, page, now)
    if cursor.offset + PAGE < page.total:
        return Step(dataclasses.replace(cursor, offset=cursor.offset + PAGE))
    _refresh_moving_jobs(scope)
    if coordination.rebuild_due(scope, "batch"):
        rebuild_queues(scope)
    return Step(JobsCursor(JobsPhase.ENDED, round=cursor.round, started=cursor.started))


def _jobs_ended(scope: Scope, cursor: JobsCursor, now: datetime) -> Step[JobsCursor]:
    assert cursor.started is not None  # jobs_step sets it
    missing = services.jobs_unlisted_since(scope=scope, since=cursor.started)
    if not missing:
        rounds = cursor.round + 1
        phase = JobsPhase.NEWEST if rounds % NEWEST_EVERY == 0 else JobsPhase.ACTIVE
        return Step(JobsCursor(phase, round=rounds, started=now), called=False)
    batch = missing[:PAGE]
    page = api.describe_jobs(scope, job_ids=batch, limit=PAGE)
    _store_jobs(scope, page, now)
    gone = sorted(set(batch) - {r.job_id for r in page.items})
    services.jobs_mark_gone(scope=scope, job_ids=gone, now=now)
    return Step(cursor)


JOBS_PHASES = {
    JobsPhase.ACTIVE: _jobs_active,
    JobsPhase.ENDED: _jobs_ended,
    JobsPhase.NEWEST: _jobs_newest,
}


def _refresh_moving_jobs(scope: Scope) -> None:
    """Every active job, at the lowest priority: an instance may end inside a task that stays
    RUNNING, which no summary shows. The queue keeps each job once, oldest first, so the
    budget left over after real changes cycles through the moving jobs."""
    active = Job.objects.filter(**scope.lookup, state__in=ACTIVE_STATES, gone_at=None)
    job_ids = list(active.values_list("job_id", flat=True))
    coordination.enqueue_many(scope.queue(JOB_DETAILS), job_ids, Priority.REFRESH)


def rebuild_queues(scope: Scope) -> None:
    """Queue again, at FINAL, every ended object whose final details the database does not
    hold: Redis is a cache of work, not its record, so queues lost with it (a flush, a
    restart, a deleted key) are rebuilt from here. Each kind is the next step's input:

    - ended jobs whose final DescribeJob never came (their tasks may still say RUNNING);
    - tasks of finally read jobs whose instances were never read, are not all stored, or
      include one not ended;
    - ended instances that ran but have no final log.

    The queues keep each object once, so a rebuild over queues that were not lost adds
    nothing; REBUILD_LIMIT bounds one rebuild (the next takes the rest)."""
    jobs = Job.objects.filter(**scope.lookup, gone_at=None, final_synced=False)
    ended_jobs = jobs.filter(state__in=ENDED_STATES).order_by("pk")[:REBUILD_LIMIT]
    coordination.enqueue_many(
        scope.queue(JOB_DETAILS), list(ended_jobs.values_list("job_id", flat=True)), Priority.FINAL
    )
    unended = TaskInstance.objects.filter(task=OuterRef("pk")).exclude(state__in=ENDED_STATES)
    tasks = (
        Task.objects.filter(job__account=scope.account, job__region=scope.region)
        .filter(job__gone_at=None, job__final_synced=True)
        .annotate(stored=Count("instances"), moving=Exists(unended))
        .filter(Q(instances_synced_at=None) | Q(moving=True) | Q(stored__lt=F("instance_total")))
        .order_by("pk")[:REBUILD_LIMIT]
    )
    items = [f"{job_id}/{name}" for job_id, name in tasks.values_list("job__job_id", "name")]
    coordination.enqueue_many(scope.queue(TASKS), items, Priority.FINAL)
    unlogged = (
        TaskInstance.objects.filter(task__job__account=scope.account)
        .filter(task__job__region=scope.region, task__job__gone_at=None)
        .filter(state__in=ENDED_STATES, running_at__isnull=False)
        .exclude(log__final=True)
        .order_by("pk")[:REBUILD_LIMIT]
    )
    keys = unlogged.values_list("task__job__job_id", "task__name", "index")
    items = [f"{job_id}/{name}/{index}" for job_id, name, index in keys]
    coordination.enqueue_many(scope.queue(LOGS), items, Priority.FINAL)


@dataclass(frozen=True)
class InventoryCursor:
    offset: int = 0
    started: datetime | None = None  # when this pass began


@stream("batch.inventory", service="batch", cursor=InventoryCursor, actions=("DescribeJobs",))
def inventory_step(scope: Scope, cursor: InventoryCursor) -> Step[InventoryCursor]:
    now = timezone.now()
    started = cursor.started or now
    page = api.describe_jobs(scope, offset=cursor.offset, limit=PAGE)
    _store_jobs(scope, page, now)
    if cursor.offset + PAGE < page.total:
        return Step(InventoryCursor(cursor.offset + PAGE, started), INVENTORY_PAGE_DELAY)
    # A whole pass: what it never listed is gone from the cloud.
    unseen = Job.objects.filter(**scope.lookup, gone_at=None, listed_at__lt=started)
    gone = list(unseen.values_list("job_id", flat=True))
    services.jobs_mark_gone(scope=scope, job_ids=gone, now=now)
    return Step(InventoryCursor(), INVENTORY_PASS_DELAY)


# --- details ---------------------------------------------------------------------------------
@stream(JOB_DETAILS, service="batch", cursor=QueueCursor, actions=("DescribeJob",))
def job_details_step(scope: Scope, cursor: QueueCursor) -> Step[QueueCursor]:
    def serve(job_id: str, _: QueueCursor) -> Step[QueueCursor]:
        now = timezone.now()
        try:
            detail = api.describe_job(scope, job_id)
        except NotFound:
            services.jobs_mark_gone(scope=scope, job_ids=[job_id], now=now)
            return Step(QueueCursor())
        tasks = services.job_detail_apply(scope=scope, detail=detail, now=now)
        priority = priority_of(Kind.JOB, scope, job_id, ended=detail.job.is_ended)
        items = [f"{job_id}/{task_name}" for task_name in tasks]
        coordination.enqueue_many(scope.queue(TASKS), items, priority)
        return Step(QueueCursor())

    return serve_queue(scope.queue(JOB_DETAILS), cursor, serve)


@dataclass(frozen=True)
class TasksCursor(QueueCursor):
    offset: int = 0  # the task's next page of instances


@stream(TASKS, service="batch", cursor=TasksCursor, actions=("DescribeTask",))
def tasks_step(scope: Scope, cursor: TasksCursor) -> Step[TasksCursor]:
    def serve(item: str, going_on: TasksCursor) -> Step[TasksCursor]:
        job_id, task_name = item.split("/", 1)
        offset = going_on.offset
        try:
            detail = api.describe_task(scope, job_id, task_name, offset=offset)
        except NotFound:
            return Step(TasksCursor())
        ended = services.task_instances_apply(
            scope=scope, job_id=job_id, task_name=task_name, detail=detail, now=timezone.now()
        )
        _instances_due(scope, item, ended, detail)
        if offset + len(detail.instances) < detail.total and detail.instances:
            return Step(TasksCursor(item, offset + len(detail.instances)))
        return Step(TasksCursor())

    return serve_queue(scope.queue(TASKS), cursor, serve)


def _instances_due(scope: Scope, item: str, ended: list[int], detail: api.TaskDetail) -> None:
    """Logs of instances that just ended; for a watched job, also logs as they grow and
    resource metrics: watched jobs only, as DescribeJobMonitorData (20/s,
    https://www.tencentcloud.com/document/api/599/79985) takes one call per metric, five an
    instance, so four instances a second at the whole budget."""
    job_id = item.split("/", 1)[0]
    watched = coordination.is_watched(Kind.JOB, scope, job_id)
    logs = scope.queue(LOGS)
    ended_items = [f"{item}/{index}" for index in ended]
    coordination.enqueue_many(logs, ended_items, Priority.WATCHED if watched else Priority.FINAL)
    if watched:
        running = [inst.index for inst in detail.instances if inst.state == JobState.RUNNING]
        coordination.enqueue_many(logs, [f"{item}/{index}" for index in running], Priority.WATCHED)
        measured = [f"{item}/{index}" for index in sorted({*running, *ended})]
        coordination.enqueue_many(scope.queue(METRICS), measured, Priority.WATCHED)


@stream(LOGS, service="batch", cursor=QueueCursor, actions=("DescribeTaskLogs",))
def logs_step(scope: Scope, cursor: QueueCursor) -> Step[QueueCursor]:
    name = scope.queue(LOGS)

    def serve(first: str, _: QueueCursor) -> Step[QueueCursor]:
        prefix = first.rsplit("/", 1)[0]
        # One call serves up to 10 instances of the same task.
        items = [i for i in coordination.peek_many(name, 50) if i.rsplit("/", 1)[0] == prefix][:10]
        items = items if first in items else [first]  # something more urgent came in between
        job_id, task_name = prefix.split("/", 1)
        indexes = [int(i.rsplit("/", 1)[1]) for i in items]
        try:
            records = api.describe_task_logs(scope, job_id, task_name, indexes)
        except NotFound:
            records = []
        services.logs_apply(
            scope=scope, job_id=job_id, task_name=task_name, records=records, now=timezone.now()
        )
        for i in items:
            coordination.remove(name, i)
        return Step(QueueCursor())

    return serve_queue(name, cursor, serve)


@dataclass(frozen=True)
class MetricsCursor(QueueCursor):
    metric: int = 0  # the next of api.MONITOR_METRICS for this instance


@stream(METRICS, service="batch", cursor=MetricsCursor, actions=("DescribeJobMonitorData",))
def metrics_step(scope: Scope, cursor: MetricsCursor) -> Step[MetricsCursor]:
    """DescribeJobMonitorData, one metric per step, for instances of watched jobs."""

    def serve(item: str, going_on: MetricsCursor) -> Step[MetricsCursor]:
        job_id, rest = item.split("/", 1)
        task_name, index = rest.rsplit("/", 1)
        instance = (
            TaskInstance.objects.filter(task__job__account=scope.account)
            .filter(task__job__region=scope.region, task__job__job_id=job_id)
            .filter(task__name=task_name, index=int(index))
            .first()
        )
        if instance is None:
            return Step(MetricsCursor(), called=False)
        metric = api.MONITOR_METRICS[going_on.metric]
        try:
            points = api.describe_job_monitor_data(scope, job_id, task_name, int(index), metric)
        except NotFound:
            points = []
        services.samples_apply(instance=instance, metric=metric, points=points)
        if going_on.metric + 1 < len(api.MONITOR_METRICS):
            return Step(MetricsCursor(item, going_on.metric + 1))
        return Step(MetricsCursor())

    return serve_queue(scope.queue(METRICS), cursor, serve)


# --- compute environments ------------------------------------------------------------------
@dataclass(frozen=True)
class EnvsCursor:
    offset: int = 0
    seen: tuple[str, ...] = ()  # environments this pass listed so far


@stream("batch.envs", service="batch", cursor=EnvsCursor, actions=("DescribeComputeEnvs",))
def envs_step(scope: Scope, cursor: EnvsCursor) -> Step[EnvsCursor]:
    now = timezone.now()
    page = api.describe_compute_envs(scope, offset=cursor.offset, limit=PAGE)
    due = services.envs_upsert(scope=scope, records=page.items, now=now)
    seen = {*cursor.seen, *(r.env_id for r in page.items)}
    for env_id in due:
        priority = priority_of(Kind.ENV, scope, env_id, ended=False)
        coordination.enqueue(scope.queue(ENV_DETAILS), env_id, priority)
    if cursor.offset + PAGE < page.total:
        return Step(EnvsCursor(cursor.offset + PAGE, tuple(sorted(seen))))
    services.envs_mark_gone(scope=scope, present=seen, now=now)
    return Step(EnvsCursor(), ENVS_ROUND_DELAY)


@dataclass(frozen=True)
class EnvDetailsCursor(QueueCursor):
    activities: bool = False  # its nodes are stored: the activities are next


@stream(
    ENV_DETAILS,
    service="batch",
    cursor=EnvDetailsCursor,
    actions=("DescribeComputeEnv", "DescribeComputeEnvActivities"),
)
def env_details_step(scope: Scope, cursor: EnvDetailsCursor) -> Step[EnvDetailsCursor]:
    """DescribeComputeEnv (its nodes), then the newest page of its activities: two steps."""

    def serve(env_id: str, going_on: EnvDetailsCursor) -> Step[EnvDetailsCursor]:
        now = timezone.now()
        if going_on.activities:
            try:
                page = api.describe_compute_env_activities(scope, env_id)
            except NotFound:
                return Step(EnvDetailsCursor())
            services.activities_apply(scope=scope, env_id=env_id, records=page.items, now=now)
            return Step(EnvDetailsCursor())
        try:
            env, nodes = api.describe_compute_env(scope, env_id)
        except NotFound:
            return Step(EnvDetailsCursor())
        services.env_detail_apply(scope=scope, env=env, nodes=nodes, now=now)
        return Step(EnvDetailsCursor(env_id, activities=True))

    return serve_queue(scope.queue(ENV_DETAILS), cursor, serve)
