"""Writes of the Omics cache: idempotent upserts keyed by cloud ids, with state history.

Each function takes records from `apps.omics.api` and returns what changed, so the streams
(`apps.omics.sync`) spend calls only where something did. Objects a complete listing no
longer shows are marked gone (`gone_at`), never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.cloud.models import CloudAccount
from apps.omics import api
from apps.omics.models import OmicsEnvironment, Run, RunCall, RunGroup, Volume, run_ended
from apps.sync.models import Kind
from apps.sync.upsert import upsert, upsert_with_history

Change = tuple[str, str, str]  # (cloud id, from status, to status)


def _scope(account: CloudAccount, region: str) -> dict[str, Any]:
    return {"account": account, "region": region}


# --- environments and volumes ----------------------------------------------------------------
ENV_FIELDS = (
    "name",
    "status",
    "available",
    "type",
    "is_default",
    "is_managed",
    "message",
    "description",
    "created_at",
    "raw",
    "synced_at",
    "gone_at",
)


def environments_upsert(
    *, account: CloudAccount, region: str, records: list[api.EnvironmentRecord], now: datetime
) -> list[Change]:
    """Store DescribeEnvironments; return the status changes."""
    rows = [
        {
            "account_id": account.pk,
            "region": region,
            "environment_id": r.environment_id,
            "name": r.name,
            "status": r.status,
            "available": r.available,
            "type": r.type,
            "is_default": r.is_default,
            "is_managed": r.is_managed,
            "message": r.message,
            "description": r.description,
            "created_at": r.created_at,
            "raw": r.raw,
            "synced_at": now,
            "gone_at": None,
        }
        for r in records
        if r.environment_id
    ]
    return upsert_with_history(
        OmicsEnvironment,
        rows,
        key="environment_id",
        scope=_scope(account, region),
        unique=["account", "region", "environment_id"],
        update=ENV_FIELDS,
        kind=Kind.OMICS_ENV,
        account=account,
        region=region,
        now=now,
        state_field="status",
    )


def environments_mark_gone(
    *, account: CloudAccount, region: str, since: datetime, now: datetime
) -> list[str]:
    """After a complete listing started at `since`: environments it did not show are gone,
    and their volumes with them. Returns the environments newly marked."""
    unseen = OmicsEnvironment.objects.filter(
        **_scope(account, region), gone_at=None, synced_at__lt=since
    )
    gone = list(unseen.values_list("environment_id", flat=True))
    unseen.update(gone_at=now)
    Volume.objects.filter(**_scope(account, region), environment_id__in=gone, gone_at=None).update(
        gone_at=now
    )
    return gone


VOLUME_FIELDS = (
    "environment_id",
    "name",
    "status",
    "spec",
    "type",
    "capacity",
    "usage",
    "is_default",
    "default_mount_path",
    "raw",
    "synced_at",
    "gone_at",
)


def volumes_upsert(
    *,
    account: CloudAccount,
    region: str,
    environment_id: str,
    records: list[api.VolumeRecord],
    now: datetime,
) -> None:
    """Store one DescribeVolumes page of `environment_id` (volumes have no history kind)."""
    upsert(
        Volume,
        [
            {
                "account_id": account.pk,
                "region": region,
                "volume_id": v.volume_id,
                "environment_id": v.environment_id or environment_id,
                "name": v.name,
                "status": v.status,
                "spec": v.spec,
                "type": v.type,
                "capacity": v.capacity,
                "usage": v.usage,
                "is_default": v.is_default,
                "default_mount_path": v.default_mount_path,
                "raw": v.raw,
                "synced_at": now,
                "gone_at": None,
            }
            for v in records
            if v.volume_id
        ],
        unique=["account", "region", "volume_id"],
        update=VOLUME_FIELDS,
    )


def volumes_mark_gone(
    *, account: CloudAccount, region: str, environment_id: str, since: datetime, now: datetime
) -> int:
    """After a complete listing of one environment's volumes started at `since`."""
    return Volume.objects.filter(
        **_scope(account, region), environment_id=environment_id, gone_at=None, synced_at__lt=since
    ).update(gone_at=now)


# --- run groups ------------------------------------------------------------------------------
GROUP_FIELDS = (
    "name",
    "description",
    "status",
    "type",
    "application_id",
    "application_name",
    "environment_id",
    "total_run",
    "status_counts",
    "table_id",
    "error_message",
    "created_at",
    "started_at",
    "ended_at",
    "updated_at",
    "raw",
    "synced_at",
    "gone_at",
    "final_synced",
)


def run_groups_upsert(
    *, account: CloudAccount, region: str, records: list[api.RunGroupRecord], now: datetime
) -> list[str]:
    """Store run group summaries; return the ids whose Status, UpdateTime or run status
    counts changed (their runs are due). A group that moved is not "finally synced" any more."""
    records = [r for r in records if r.run_group_id]
    known = {
        group_id: ((status, updated, counts), final)
        for group_id, status, updated, counts, final in RunGroup.objects.filter(
            **_scope(account, region), run_group_id__in=[r.run_group_id for r in records]
        ).values_list("run_group_id", "status", "updated_at", "status_counts", "final_synced")
    }
    rows, due = [], []
    for r in records:
        old = known.get(r.run_group_id)
        changed = old is None or old[0] != (r.status, r.updated_at, r.status_counts)
        if changed:
            due.append(r.run_group_id)
        rows.append(
            {
                "account_id": account.pk,
                "region": region,
                "run_group_id": r.run_group_id,
                "name": r.name,
                "description": r.description,
                "status": r.status,
                "type": r.type,
                "application_id": r.application_id,
                "application_name": r.application_name,
                "environment_id": r.environment_id,
                "total_run": r.total_run,
                "status_counts": r.status_counts,
                "table_id": r.table_id,
                "error_message": r.error_message,
                "created_at": r.created_at,
                "started_at": r.started_at,
                "ended_at": r.ended_at,
                "updated_at": r.updated_at,
                "raw": r.raw,
                "synced_at": now,
                "gone_at": None,
                "final_synced": False if changed or old is None else old[1],
            }
        )
    upsert_with_history(
        RunGroup,
        rows,
        key="run_group_id",
        scope=_scope(account, region),
        unique=["account", "region", "run_group_id"],
        update=GROUP_FIELDS,
        kind=Kind.RUN_GROUP,
        account=account,
        region=region,
        now=now,
        state_field="status",
    )
    return due


def run_groups_unlisted(*, account: CloudAccount, region: str, since: datetime) -> list[str]:
    """Groups the listing that started at `since` did not show (deleted, or skipped because
    the list shifted under the pages): to be looked up by id before being called gone."""
    return list(
        RunGroup.objects.filter(**_scope(account, region), gone_at=None, synced_at__lt=since)
        .order_by("run_group_id")
        .values_list("run_group_id", flat=True)
    )


def run_groups_mark_gone(
    *, account: CloudAccount, region: str, group_ids: list[str], now: datetime
) -> int:
    """Groups the cloud no longer knows: marked, with their runs, never removed."""
    Run.objects.filter(
        **_scope(account, region), group__run_group_id__in=group_ids, gone_at=None
    ).update(gone_at=now)
    return RunGroup.objects.filter(
        **_scope(account, region), run_group_id__in=group_ids, gone_at=None
    ).update(gone_at=now)


# --- runs ------------------------------------------------------------------------------------
RUN_FIELDS = (
    "group",
    "status",
    "user_defined_id",
    "table_row_uuid",
    "error_message",
    "input",
    "created_at",
    "started_at",
    "ended_at",
    "updated_at",
    "raw",
    "synced_at",
    "gone_at",
    "final_synced",
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
    *,
    account: CloudAccount,
    region: str,
    group: RunGroup,
    records: list[api.RunRecord],
    now: datetime,
) -> CallsDue:
    """Store one DescribeRuns page of `group`; return whose calls are due."""
    records = [r for r in records if r.run_uuid]
    known = {
        run_uuid: (status, final)
        for run_uuid, status, final in Run.objects.filter(
            **_scope(account, region), run_uuid__in=[r.run_uuid for r in records]
        ).values_list("run_uuid", "status", "final_synced")
    }
    due, rows = CallsDue(), []
    for r in records:
        old = known.get(r.run_uuid)
        changed = old is None or old[0] != r.status
        final = False if changed or old is None else old[1]
        if changed:
            due.changed.append(r.run_uuid)
        if not run_ended(r.status, r.ended_at):
            due.moving.append(r.run_uuid)
        elif not final:
            due.final.append(r.run_uuid)
        rows.append(
            {
                "account_id": account.pk,
                "region": region,
                "group_id": group.pk,
                "run_uuid": r.run_uuid,
                "status": r.status,
                "user_defined_id": r.user_defined_id,
                "table_row_uuid": r.table_row_uuid,
                "error_message": r.error_message,
                "input": r.input,
                "created_at": r.created_at,
                "started_at": r.started_at,
                "ended_at": r.ended_at,
                "updated_at": r.updated_at,
                "raw": r.raw,
                "synced_at": now,
                "gone_at": None,
                "final_synced": final,
            }
        )
    upsert_with_history(
        Run,
        rows,
        key="run_uuid",
        scope=_scope(account, region),
        unique=["account", "region", "run_uuid"],
        update=RUN_FIELDS,
        kind=Kind.RUN,
        account=account,
        region=region,
        now=now,
        state_field="status",
    )
    return due


def runs_listing_done(
    *,
    account: CloudAccount,
    region: str,
    group: RunGroup,
    since: datetime,
    group_was_ended: bool,
    now: datetime,
) -> None:
    """A complete DescribeRuns of `group` started at `since`: runs it did not show are gone;
    the group is finally synced if it had ended before the listing began (a group that ended
    during it is listed again)."""
    Run.objects.filter(group=group, gone_at=None, synced_at__lt=since).update(gone_at=now)
    RunGroup.objects.filter(pk=group.pk).update(runs_synced_at=now, final_synced=group_was_ended)


# --- calls -----------------------------------------------------------------------------------
CALL_FIELDS = (
    "parent_id",
    "name",
    "run_type",
    "status",
    "job_id",
    "scatter_index",
    "submitted_at",
    "started_at",
    "ended_at",
    "error_message",
    "stdout_path",
    "stderr_path",
    "workdir",
    "raw",
    "synced_at",
    "gone_at",
)


def calls_upsert(
    *, account: CloudAccount, region: str, run: Run, records: list[api.CallRecord], now: datetime
) -> list[str]:
    """Store one level of `run`'s call tree; return the ids of its Workflow and Scatter calls
    (the next levels to read)."""
    records = [c for c in records if c.call_id]
    rows = [
        {
            "run_id": run.pk,
            "call_id": c.call_id,
            "parent_id": c.parent_id,
            "name": c.name,
            "run_type": c.run_type,
            "status": c.status,
            "job_id": c.job_id,
            "scatter_index": c.scatter_index,
            "submitted_at": c.submitted_at,
            "started_at": c.started_at,
            "ended_at": c.ended_at,
            "error_message": c.error_message,
            "stdout_path": c.stdout_path,
            "stderr_path": c.stderr_path,
            "workdir": c.workdir,
            "raw": c.raw,
            "synced_at": now,
            "gone_at": None,
        }
        for c in records
    ]
    # StateTransition.cloud_id holds 255 characters; scatter call ids can be long.
    upsert_with_history(
        RunCall,
        rows,
        key="call_id",
        scope={"run": run},
        unique=["run", "call_id"],
        update=CALL_FIELDS,
        kind=Kind.CALL,
        account=account,
        region=region,
        now=now,
        history_id=lambda row: f"{run.run_uuid}/{row['call_id']}"[:255],
        state_field="status",
    )
    return [c.call_id for c in records if c.has_children]


def run_for_calls(*, account: CloudAccount, region: str, run_uuid: str) -> Run | None:
    return Run.objects.filter(**_scope(account, region), run_uuid=run_uuid, gone_at=None).first()


def calls_walk_done(
    *,
    account: CloudAccount,
    region: str,
    run_uuid: str,
    run_was_ended: bool,
    now: datetime,
    since: datetime | None = None,
) -> None:
    """The whole call tree was read; final if the run had ended before the walk began. With
    `since` (the walk began then and read every level), calls it did not find are gone."""
    Run.objects.filter(**_scope(account, region), run_uuid=run_uuid).update(
        calls_synced_at=now, final_synced=run_was_ended
    )
    if since is not None:
        RunCall.objects.filter(
            run__account=account,
            run__region=region,
            run__run_uuid=run_uuid,
            gone_at=None,
            synced_at__lt=since,
        ).update(gone_at=now)
