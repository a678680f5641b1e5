"""Reads of the Omics cache for the pages (never a cloud call)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from apps.cloud.models import CloudAccount
from apps.omics.models import OmicsEnvironment, OmicsProject, Run, RunCall, RunGroup, Volume


def run_group_counts(accounts: QuerySet[CloudAccount]) -> list[dict[str, Any]]:
    """Per account and region: run groups by status (the overview)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    rows = (
        RunGroup.objects.filter(account__in=accounts, gone_at=None)
        .values("account__name", "region", "status")
        .annotate(n=Count("pk"))
        .order_by("account__name", "region", "status")
    )
    for row in rows:
        entry = found.setdefault(
            (row["account__name"], row["region"]),
            {"account": row["account__name"], "region": row["region"], "statuses": {}},
        )
        entry["statuses"][row["status"]] = row["n"]
    return list(found.values())


def environments(accounts: QuerySet[CloudAccount]) -> QuerySet[OmicsEnvironment]:
    return (
        OmicsEnvironment.objects.filter(account__in=accounts, gone_at=None)
        .select_related("account")
        .order_by("name")
    )


def volumes(accounts: QuerySet[CloudAccount]) -> QuerySet[Volume]:
    return Volume.objects.filter(account__in=accounts, gone_at=None).order_by(
        "environment_id", "name"
    )


def projects(accounts: QuerySet[CloudAccount]) -> list[tuple[str, str]]:
    """(project id, name) of every project with run groups in the cache or listed by the
    cloud, for the project filter: named as the cloud names them, else by id."""
    names: dict[str, str] = {}
    listed = OmicsProject.objects.filter(account__in=accounts, gone_at=None)
    for project_id, name in listed.values_list("project_id", "name"):
        names[project_id] = name or names.get(project_id, "")
    grouped = RunGroup.objects.filter(account__in=accounts, gone_at=None).exclude(project_id="")
    for project_id, name in grouped.values_list("project_id", "project_name").distinct():
        names[project_id] = names.get(project_id) or name
    return sorted(((pid, name or pid) for pid, name in names.items()), key=lambda p: p[1])


def run_groups(
    accounts: QuerySet[CloudAccount], *, status: str = "", text: str = "", project: str = ""
) -> QuerySet[RunGroup]:
    found = RunGroup.objects.filter(account__in=accounts, gone_at=None).select_related("account")
    if status:
        found = found.filter(status=status)
    if project:
        found = found.filter(project_id=project)
    if text:
        found = found.filter(name__icontains=text) | found.filter(run_group_id__istartswith=text)
    return found.order_by("-created_at", "-pk")


def run_group_for(accounts: QuerySet[CloudAccount], run_group_id: str) -> RunGroup | None:
    return (
        RunGroup.objects.filter(account__in=accounts, run_group_id=run_group_id)
        .select_related("account")
        .first()
    )


def runs_of(group: RunGroup) -> QuerySet[Run]:
    return group.runs.order_by("created_at", "run_uuid")


def run_for(accounts: QuerySet[CloudAccount], run_uuid: str) -> Run | None:
    return (
        Run.objects.filter(account__in=accounts, run_uuid=run_uuid)
        .select_related("group", "account")
        .first()
    )


def calls_of(run: Run) -> list[RunCall]:
    """Every call of the run once, parents before their children, in start order.

    The tree is the cloud's answer, so it may be as deep or as tangled as a hostile or broken
    answer makes it (a call that is its own ancestor, a call whose id is the run's): the walk
    uses a stack, not recursion, and visits each call once, so it ends after len(calls) steps.
    """
    calls = list(run.calls.filter(gone_at=None).order_by("submitted_at", "call_id"))
    children: dict[str, list[RunCall]] = {}
    for call in calls:
        children.setdefault(call.parent_id, []).append(call)
    ordered: list[RunCall] = []
    seen: set[str] = set()
    stack = [(call, 0) for call in reversed(children.get(run.run_uuid, []))]
    while stack:
        call, depth = stack.pop()
        if call.call_id in seen:
            continue
        seen.add(call.call_id)
        call.depth = depth  # type: ignore[attr-defined]
        ordered.append(call)
        stack += [(child, depth + 1) for child in reversed(children.get(call.call_id, []))]
    ordered += [c for c in calls if c.call_id not in seen]  # orphans (parent not synced yet)
    return ordered
