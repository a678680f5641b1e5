"""Reads of the Batch cache for the pages (never a cloud call): filtered job lists, a job with
its tasks and instances, environments with their nodes, the overview's numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.batch.models import (
    ACTIVE_STATES,
    ENDED_STATES,
    ComputeEnv,
    ComputeNode,
    Job,
    JobState,
    Task,
    TaskInstance,
)
from apps.cloud.models import CloudAccount
from apps.ui.params import Params

SORTS = {
    "newest": "-created_at",
    "oldest": "created_at",
    "name": "name",
    "state": "state",
    "priority": "-priority",
    "ended": "-ended_at",
}


# --- jobs ------------------------------------------------------------------------------------
@dataclass
class JobQuery:
    """The job list's filters, all in the URL (links are stable, the back button works). A
    parameter that cannot be used is ignored, and `problems` says so on the page."""

    states: list[str] = field(default_factory=list)
    env: str = ""
    zone: str = ""
    tag: str = ""  # "key" or "key=value"
    text: str = ""  # name or id
    since: datetime | None = None
    until: datetime | None = None
    ended_since: datetime | None = None
    sort: str = "newest"

    problems: list[str] = field(default_factory=list)  # parameters that could not be used

    @classmethod
    def from_params(cls, data: QueryDict) -> JobQuery:
        params = Params(data)
        sort = params.text("sort", _("Sort"))
        return cls(
            states=params.texts("state", _("State")),
            env=params.text("env", _("Environment")),
            zone=params.text("zone", _("Zone")),
            tag=params.text("tag", _("Tag")),
            text=params.text("q", _("Search")),
            since=params.when("since", _("Created from")),
            until=params.when("until", _("Created to")),
            ended_since=params.when("ended_since", _("Ended since")),
            sort=sort if sort in SORTS else "newest",
            problems=params.problems,
        )

    def to_params(self, **changes: Any) -> str:
        data = {
            "state": self.states,
            "env": self.env,
            "zone": self.zone,
            "tag": self.tag,
            "q": self.text,
            "since": self.since.strftime("%Y-%m-%dT%H:%M") if self.since else "",
            "until": self.until.strftime("%Y-%m-%dT%H:%M") if self.until else "",
            "ended_since": self.ended_since.isoformat(timespec="minutes")
            if self.ended_since
            else "",
            "sort": self.sort if self.sort != "newest" else "",
        }
        data.update(changes)
        return urlencode(
            [(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs]) if v]
        )


def jobs(accounts: QuerySet[CloudAccount], query: JobQuery) -> QuerySet[Job]:
    found = Job.objects.filter(account__in=accounts, gone_at=None)
    if query.states:
        found = found.filter(state__in=query.states)
    if query.zone:
        found = found.filter(zone=query.zone)
    if query.env:  # where its instances ran: the environment's nodes
        nodes = ComputeNode.objects.filter(env__env_id=query.env).values("instance_id")
        found = found.filter(tasks__instances__node_instance_id__in=nodes).distinct()
    if query.tag:
        found = found.filter(_tag_filter(query.tag))
    if query.text:
        found = found.filter(Q(job_id__istartswith=query.text) | Q(name__icontains=query.text))
    if query.since:
        found = found.filter(created_at__gte=query.since)
    if query.until:
        found = found.filter(created_at__lte=query.until)
    if query.ended_since:
        found = found.filter(ended_at__gte=query.ended_since)
    return found.select_related("account").defer("raw").order_by(SORTS[query.sort], "-pk")


def _tag_filter(tag: str) -> Q:
    """`key` or `key=value` among the job's tags."""
    from django.db import connection

    key, _, value = tag.partition("=")
    wanted = {"Key": key, "Value": value} if value else {"Key": key}
    if connection.features.supports_json_field_contains:
        return Q(tags__contains=[wanted])
    # SQLite has no JSON containment: match the stored text of a tag ({"Key": .., "Value": ..}).
    text = json.dumps(wanted)[:-1] + ("}" if value else "")
    return Q(tags__icontains=text)


def job_for(accounts: QuerySet[CloudAccount], job_id: str) -> Job | None:
    return Job.objects.filter(account__in=accounts, job_id=job_id).select_related("account").first()


def tasks_of(job: Job) -> list[Task]:
    return list(job.tasks.order_by("created_at", "name"))


def instances_of(job: Job, *, task: str = "", state: str = "") -> QuerySet[TaskInstance]:
    found = TaskInstance.objects.filter(task__job=job).select_related("task")
    if task:
        found = found.filter(task__name=task)
    if state:
        found = found.filter(state=state)
    return found.order_by("task__name", "index")


def instance_for(job: Job, task: str, index: int) -> TaskInstance | None:
    return (
        TaskInstance.objects.filter(task__job=job, task__name=task, index=index)
        .select_related("task", "task__job", "log")
        .first()
    )


def instance_counts_over_time(job: Job) -> list[tuple[datetime, dict[str, int]]]:
    """How many of the job's instances were in each state over time, from the instances' own
    times (created, launched, running, ended), so the chart covers what happened before the
    cache existed too."""
    events: list[tuple[datetime, int, str]] = []
    for n, (created, launched, running, ended, state) in enumerate(
        TaskInstance.objects.filter(task__job=job).values_list(
            "created_at", "launched_at", "running_at", "ended_at", "state"
        )
    ):
        steps = [(created, "PENDING"), (launched, "STARTING"), (running, "RUNNING")]
        steps.append((ended, state) if ended and state in ENDED_STATES else (None, state))
        last = "PENDING"
        for at, name in steps:
            if at is not None:
                events.append((at, n, name))
                last = name
        if state != last and not ended:  # what it is now, when no time says since when
            events.append((timezone.now(), n, state))
    current: dict[int, str] = {}
    points: list[tuple[datetime, dict[str, int]]] = []
    for at, n, name in sorted(events):
        current[n] = name
        counts: dict[str, int] = {}
        for state in current.values():
            counts[state] = counts.get(state, 0) + 1
        points.append((at, counts))
    return points


def has_moving(job_rows: list[Job]) -> bool:
    return any(not job.is_ended for job in job_rows)


# --- environments ----------------------------------------------------------------------------
def envs(accounts: QuerySet[CloudAccount]) -> QuerySet[ComputeEnv]:
    return (
        ComputeEnv.objects.filter(account__in=accounts, gone_at=None)
        .select_related("account")
        .order_by("account__name", "region", "name")
    )


def env_for(accounts: QuerySet[CloudAccount], env_id: str) -> ComputeEnv | None:
    return (
        ComputeEnv.objects.filter(account__in=accounts, env_id=env_id)
        .select_related("account")
        .first()
    )


def env_for_node(accounts: QuerySet[CloudAccount], node_id: str) -> ComputeEnv | None:
    node = (
        ComputeNode.objects.filter(account__in=accounts, node_id=node_id)
        .select_related("env")
        .first()
    )
    return node.env if node else None


# --- overview --------------------------------------------------------------------------------
def failures_since() -> datetime:
    """The start of the overview's "failed in the last 24 h" window (minute precision, so the
    number and the list it links to agree)."""
    return (timezone.now() - timedelta(hours=24)).replace(second=0, microsecond=0)


def overview(accounts: QuerySet[CloudAccount]) -> list[dict[str, Any]]:
    """Per account and region: jobs by state, failures in the last 24 h, nodes by state."""
    since = failures_since()
    by_scope: dict[tuple[int, str], dict[str, Any]] = {}
    names = {a.pk: a.name for a in accounts}

    def scope(account_id: int, region: str) -> dict[str, Any]:
        return by_scope.setdefault(
            (account_id, region),
            {
                "account": names.get(account_id, str(account_id)),
                "region": region,
                "jobs": {},
                "nodes": {},
                "failed_24h": 0,
                "active": 0,
            },
        )

    for row in (
        Job.objects.filter(account__in=accounts, gone_at=None)
        .values("account", "region", "state")
        .annotate(n=Count("pk"))
    ):
        entry = scope(row["account"], row["region"])
        entry["jobs"][row["state"]] = row["n"]
        if row["state"] in ACTIVE_STATES:
            entry["active"] += row["n"]
    for row in (
        Job.objects.filter(
            account__in=accounts, gone_at=None, state=JobState.FAILED, ended_at__gte=since
        )
        .values("account", "region")
        .annotate(n=Count("pk"))
    ):
        scope(row["account"], row["region"])["failed_24h"] = row["n"]
    for row in (
        ComputeNode.objects.filter(account__in=accounts, gone_at=None)
        .values("account", "region", "state")
        .annotate(n=Count("pk"))
    ):
        scope(row["account"], row["region"])["nodes"][row["state"]] = row["n"]
    return [by_scope[k] for k in sorted(by_scope, key=lambda k: (names.get(k[0], ""), k[1]))]
