"""Writes of the Omics cache: idempotent upserts keyed by cloud ids, with state history.

Each function takes records from `apps.omics.api` and returns what changed, so the streams
(`apps.omics.sync`) spend calls only where something did. Objects a complete listing no
longer shows are marked gone (`gone_at`), never deleted. The columns written are the record
types' fields (`apps.sync.upsert.row_of`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from apps.cloud.scope import Scope
from apps.omics import api
from apps.omics.models import (
    OmicsEnvironment,
    OmicsProject,
    Run,
    RunCall,
    RunGroup,
    Volume,
    run_ended,
)
from apps.sync.models import Kind
from apps.sync.upsert import Change, fields_of, row_of, upsert, upsert_with_history

CACHED = ("synced_at", "gone_at")  # what every listed row also gets: when, and "not gone"


# --- projects --------------------------------------------------------------------------------
PROJECT_FIELDS = fields_of(api.ProjectRecord, *CACHED, without=["project_id"])


def projects_upsert(*, scope: Scope, records: list[api.ProjectRecord], now: datetime) -> None:
    """Store one DescribeProjects page (projects have no history kind)."""
    rows = [
        row_of(r, **scope.columns, synced_at=now, gone_at=None) for r in records if r.project_id
    ]
    upsert(OmicsProject, rows, unique=["account", "region", "project_id"], update=PROJECT_FIELDS)


def projects_mark_gone(*, scope: Scope, since: datetime, now: datetime) -> int:
    """After a complete DescribeProjects started at `since`."""
    unseen = OmicsProject.objects.filter(**scope.lookup, gone_at=None, synced_at__lt=since)
    return unseen.update(gone_at=now)


def default_project_seen(*, scope: Scope, records: list[api.RunGroupRecord], now: datetime) -> None:
    """Groups listed without a ProjectId are the default project's, and they name it: kept as
    a project, so a key pair that may not list the projects still has its default one by id
    (its groups are then looked up there before being called gone)."""
    named = {r.project_id: r.project_name for r in records if r.project_id}
    seen = {"synced_at": now, "gone_at": None}
    rows = [
        {**scope.columns, "project_id": pid, "name": name, "is_default": True, **seen}
        for pid, name in named.items()
    ]
    update = ["name", "is_default", *seen]
    upsert(OmicsProject, rows, unique=["account", "region", "project_id"], update=update)


def configured_projects(scope: Scope) -> list[str]:
    """The projects the team admin named for this region (CloudAccount.omics_projects)."""
    named = (scope.account.omics_projects or {}).get(scope.region) or []
    return [p for p in named if isinstance(p, str) and p]


def watched_projects(scope: Scope) -> tuple[str, ...]:
    """Every project whose run groups the scope syncs: those DescribeProjects listed and those
    the admin named, the default first; ("",) — the region's default project, unnamed — while
    neither is known."""
    listed = OmicsProject.objects.filter(**scope.lookup, gone_at=None)
    ordered = list(
        listed.order_by("-is_default", "project_id").values_list("project_id", flat=True)
    )
    ordered += [p for p in sorted(configured_projects(scope)) if p not in ordered]
    return tuple(ordered) or ("",)


# --- environments and volumes ----------------------------------------------------------------
ENV_FIELDS = fields_of(api.EnvironmentRecord, *CACHED, without=["environment_id"])
VOLUME_FIELDS = fields_of(api.VolumeRecord, *CACHED, without=["volume_id"])


def environments_upsert(
    *, scope: Scope, records: list[api.EnvironmentRecord], now: datetime
) -> list[Change]:
    """Store DescribeEnvironments; return the status changes."""
    rows = [
        row_of(r, **scope.columns, synced_at=now, gone_at=None) for r in records if r.environment_id
    ]
    return upsert_with_history(
        OmicsEnvironment,
        rows,
        key="environment_id",
        update=ENV_FIELDS,
        kind=Kind.OMICS_ENV,
        scope=scope,
        now=now,
        state_field="status",
    )


def environments_mark_gone(*, scope: Scope, since: datetime, now: datetime) -> list[str]:
    """After a complete listing started at `since`: environments it did not show are gone,
    and their volumes with them. Returns the environments newly marked."""
    unseen = OmicsEnvironment.objects.filter(**scope.lookup, gone_at=None, synced_at__lt=since)
    gone = list(unseen.values_list("environment_id", flat=True))
    unseen.update(gone_at=now)
    volumes = Volume.objects.filter(**scope.lookup, environment_id__in=gone, gone_at=None)
    volumes.update(gone_at=now)
    return gone


def volumes_upsert(
    *, scope: Scope, environment_id: str, records: list[api.VolumeRecord], now: datetime
) -> None:
    """Store one DescribeVolumes page of `environment_id` (volumes have no history kind)."""
    rows = [
        row_of(
            v,
            **scope.columns,
            environment_id=v.environment_id or environment_id,
            synced_at=now,
            gone_at=None,
        )
        for v in records
        if v.volume_id
    ]
    upsert(Volume, rows, unique=["account", "region", "volume_id"], update=VOLUME_FIELDS)


def volumes_mark_gone(*, scope: Scope, environment_id: str, since: datetime, now: datetime) -> int:
    """After a complete listing of one environment's volumes started at `since`."""
    unseen = Volume.objects.filter(**scope.lookup, environment_id=environment_id)
    return unseen.filter(gone_at=None, synced_at__lt=since).update(gone_at=now)


# --- run groups ------------------------------------------------------------------------------
GROUP_FIELDS = fields_of(api.RunGroupRecord, *CACHED, "final_synced", without=["run_group_id"])


def run_groups_upsert(
    *, scope: Scope, records: list[api.RunGroupRecord], now: datetime, project_id: str = ""
) -> list[str]:
    """Store run group summaries (listed in `project_id`: the project of a record that does
    not say); return the ids whose Status, UpdateTime or run status counts changed (their
    runs are due). A group that moved is not "finally synced" any more."""
    records = [r for r in records if r.run_group_id]
    known = {
        group_id: ((status, updated, counts), final)
        for group_id, status, updated, counts, final in RunGroup.objects.filter(
            **scope.lookup, run_group_id__in=[r.run_group_id for r in records]
        ).values_list("run_group_id", "status", "updated_at", "status_counts", "final_synced")
    }
    rows, due = [], []
    for r in records:
        old = known.get(r.run_group_id)
        changed = old is None or old[0] != (r.status, r.updated_at, r.status_counts)
        if changed:
            due.append(r.run_group_id)
        final = old is not None and not changed and old[1]
        project = r.project_id or project_id
        bookkeeping = {"synced_at": now, "gone_at": None, "final_synced": final}
        rows.append(row_of(r, **scope.columns, project_id=project, **bookkeeping))
    upsert_with_history(
        RunGroup,
        rows,
        key="run_group_id",
        update=GROUP_FIELDS,
        kind=Kind.RUN_GROUP,
        scope=scope,
        now=now,
        state_field="status",
    )
    return due


def run_groups_unlisted(*, scope: Scope, since: datetime) -> dict[str, list[str]]:
    """Groups the listing that started at `since` did not show (deleted, skipped because the
    list shifted under the pages, or in a project no longer watched), by project: to be
    looked up by id, each in its project, before being called gone."""
    unseen = RunGroup.objects.filter(**scope.lookup, gone_at=None, synced_at__lt=since)
    by_project: dict[str, list[str]] = {}
    rows = unseen.order_by("project_id", "run_group_id").values_list("project_id", "run_group_id")
    for project_id, group_id in rows:
        by_project.setdefault(project_id, []).append(group_id)
    return by_project


def run_groups_mark_gone(*, scope: Scope, group_ids: list[str], now: datetime) -> int:
    """Groups the cloud no longer knows: marked, with their runs, never removed."""
    runs = Run.objects.filter(**scope.lookup, group__run_group_id__in=group_ids, gone_at=None)
    runs.update(gone_at=now)
    groups = RunGroup.objects.filter(**scope.lookup, run_group_id__in=group_ids, gone_at=None)
    return groups.update(gone_at=now)


# --- runs ------------------------------------------------------------------------------------
# A run belongs to its group by foreign key, not by the record's RunGroupId.
RUN_FIELDS = fields_of(
    api.RunRecord, "group", *CACHED, "final_synced", without=["run_uuid", "run_group_id"]
)


@dataclass
class CallsDue:
    """Runs whose calls should be walked, by why (a run may be in several lists)."""

    changed: list[str] = field(default_factory=list)  # status changed (or first seen)
    moving: list[str] = field(default_factory=list)  # not ended: calls move under a steady status
    final: list[str] = field(default_factory=list)  # ended, final calls not fetched yet

    def __bool__(self) -> bool:
        return bool(self.changed or self.moving or self.final)


def runs_upsert(
    *, scope: Scope, group: RunGroup, records: list[api.RunRecord], now: datetime
) -> CallsDue:
    """Store one DescribeRuns page of `group`; return whose calls are due."""
    records = [r for r in records if r.run_uuid]
    known = {
        run_uuid: (status, final)
        for run_uuid, status, final in Run.objects.filter(
            **scope.lookup, run_uuid__in=[r.run_uuid for r in records]
        ).values_list("run_uuid", "status", "final_synced")
    }
    due, rows = CallsDue(), []
    for r in records:
        old = known.get(r.run_uuid)
        changed = old is None or old[0] != r.status
        final = old is not None and not changed and old[1]
        if changed:
            due.changed.append(r.run_uuid)
        if not run_ended(r.status, r.ended_at):
            due.moving.append(r.run_uuid)
        elif not final:
            due.final.append(r.run_uuid)
        bookkeeping = {"synced_at": now, "gone_at": None, "final_synced": final}
        project = r.project_id or group.project_id
        row = row_of(
            r,
            ["run_group_id"],
            **scope.columns,
            group_id=group.pk,
            project_id=project,
            **bookkeeping,
        )
        rows.append(row)
    upsert_with_history(
        Run,
        rows,
        key="run_uuid",
        update=RUN_FIELDS,
        kind=Kind.RUN,
        scope=scope,
        now=now,
        state_field="status",
    )
    return due


def runs_listing_done(
    *, group: RunGroup, since: datetime, group_was_ended: bool, now: datetime
) -> None:
    """A complete DescribeRuns of `group` started at `since`: runs it did not show are gone;
    the group is finally synced if it had ended before the listing began (a group that ended
    during it is listed again)."""
    Run.objects.filter(group=group, gone_at=None, synced_at__lt=since).update(gone_at=now)
    RunGroup.objects.filter(pk=group.pk).update(runs_synced_at=now, final_synced=group_was_ended)


# --- calls -----------------------------------------------------------------------------------
CALL_FIELDS = fields_of(api.CallRecord, *CACHED, without=["call_id"])


def calls_upsert(
    *, scope: Scope, run: Run, records: list[api.CallRecord], now: datetime
) -> list[str]:
    """Store one level of `run`'s call tree; return the ids of its Workflow and Scatter calls
    (the next levels to read)."""
    records = [c for c in records if c.call_id]
    rows = [row_of(c, run_id=run.pk, synced_at=now, gone_at=None) for c in records]
    upsert_with_history(
        RunCall,
        rows,
        key="call_id",
        within={"run": run},
        update=CALL_FIELDS,
        kind=Kind.CALL,
        scope=scope,
        now=now,
        # StateTransition.cloud_id holds 255 characters; scatter call ids can be long.
        history_id=lambda row: f"{run.run_uuid}/{row['call_id']}"[:255],
        state_field="status",
    )
    return [c.call_id for c in records if c.has_children]


def run_for_calls(*, scope: Scope, run_uuid: str) -> Run | None:
    return Run.objects.filter(**scope.lookup, run_uuid=run_uuid, gone_at=None).first()


def calls_walk_done(
    *,
    scope: Scope,
    run_uuid: str,
    run_was_ended: bool,
    now: datetime,
    since: datetime | None = None,
) -> None:
    """The whole call tree was read; final if the run had ended before the walk began. With
    `since` (the walk began then and read every level), calls it did not find are gone."""
    Run.objects.filter(**scope.lookup, run_uuid=run_uuid).update(
        calls_synced_at=now, final_synced=run_was_ended
    )
    if since is not None:
        calls = RunCall.objects.filter(
            run__account=scope.account, run__region=scope.region, run__run_uuid=run_uuid
        )
        calls.filter(gone_at=None, synced_at__lt=since).update(gone_at=now)
