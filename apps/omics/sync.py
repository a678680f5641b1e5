"""The Omics streams: lists first, details only where something changed (DESIGN.md, "The one
idea"), on the pattern of `apps.batch.sync`.

- omics.run_groups: every run group, newest first, 100 per DescribeRunGroups (no Status
  filter: the doc enumerates no run group status, so a filter could miss one). Groups whose
  Status, UpdateTime or run status counts changed get their runs queued; groups the pass did
  not list are looked up by id (100 per call) before being marked gone. At the end of a pass
  every group still moving is queued at REFRESH, and anything ended but not finally synced
  (a lost queue, a worker that died) is queued again.
- omics.runs: DescribeRuns filtered by RunGroupId for the queued groups. Runs whose status
  changed, or which are still moving (their calls move under a steady status), get their
  calls queued; ended runs at FINAL, once.
- omics.calls: GetRunCalls with Path "/" for a queued run, then "/<RunId>" under each
  Workflow or Scatter call, one call per step. GetRunStatus is not used: DescribeRuns already
  gives the run's status.
- omics.environments: DescribeEnvironments, then DescribeVolumes per environment, one call
  per step, a few seconds between rounds.

Every Omics action is limited to 20 requests/s, so the budget is wide, but the same rules
hold: one call per step, ended objects fetched once more and then left alone. A page showing
a run group or a run records interest (`coordination.record_interest`) under the kind
"run_group" (its id) or "run" (its uuid): its runs and calls are then served first.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from apps.cloud.errors import InvalidRequest, NotFound
from apps.cloud.models import CloudAccount
from apps.omics import api, services
from apps.omics.models import OmicsEnvironment, Run, RunGroup, group_ended, run_ended
from apps.sync import coordination
from apps.sync.coordination import CHANGED, FINAL, REFRESH, WATCHED
from apps.sync.health import health_failure
from apps.sync.streams import Cursor, Step, serve_queue, stream

log = logging.getLogger(__name__)

PAGE = api.MAX_LIMIT
GROUPS_ROUND_DELAY = 2.0  # between passes: a one-page pass then spends 0.5 of the 20 req/s
ENVS_ROUND_DELAY = 5.0  # environments and volumes barely move


def scope(account: CloudAccount, region: str) -> str:
    return f"{account.pk}:{region}"


def queue(name: str, account: CloudAccount, region: str) -> str:
    return f"{name}:{scope(account, region)}"


def _now() -> datetime:
    return timezone.now()


def _enqueue(name: str, account: CloudAccount, region: str, by_priority: dict[str, int]) -> None:
    """Queue items at their priorities, one Redis call per priority."""
    groups: dict[int, list[str]] = {}
    for item, priority in by_priority.items():
        groups.setdefault(priority, []).append(item)
    for priority, items in groups.items():
        coordination.enqueue_many(queue(name, account, region), items, priority)


# --- run groups ------------------------------------------------------------------------------
def _runs_due(
    account: CloudAccount, region: str, group_ids: list[str], records: list[api.RunGroupRecord]
) -> None:
    ended = {r.run_group_id for r in records if group_ended(r.status, r.ended_at)}
    where = scope(account, region)
    _enqueue(
        "omics.runs",
        account,
        region,
        {
            group_id: WATCHED
            if coordination.is_watched("run_group", where, group_id)
            else FINAL
            if group_id in ended
            else CHANGED
            for group_id in group_ids
        },
    )


@stream("omics.run_groups", service="omics")
def run_groups_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    now = _now()
    started = cursor.get("started") or now.isoformat()
    if cursor.get("phase", "list") == "list":
        offset = int(cursor.get("offset", 0))
        page = api.describe_run_groups(account, region, offset=offset, limit=PAGE)
        due = services.run_groups_upsert(
            account=account, region=region, records=page.items, now=now
        )
        _runs_due(account, region, due, page.items)
        if offset + PAGE < page.total and page.items:
            return Step({"phase": "list", "offset": offset + PAGE, "started": started})
        return Step({"phase": "unlisted", "started": started})
    # phase "unlisted": groups the pass did not show. Paging newest first can skip one when
    # the list shifts between pages, so each is looked up by id before being called gone.
    missing = services.run_groups_unlisted(
        account=account, region=region, since=datetime.fromisoformat(started)
    )
    if not missing:
        _refresh(account, region)
        return Step({}, GROUPS_ROUND_DELAY, called=False)
    batch = missing[:PAGE]
    page = api.describe_run_groups(account, region, limit=PAGE, filters={"RunGroupId": batch})
    due = services.run_groups_upsert(account=account, region=region, records=page.items, now=now)
    _runs_due(account, region, due, page.items)
    services.run_groups_mark_gone(
        account=account,
        region=region,
        now=now,
        group_ids=sorted(set(batch) - {r.run_group_id for r in page.items}),
    )
    return Step(cursor)


def _refresh(account: CloudAccount, region: str) -> None:
    """End of a pass. Moving groups at REFRESH: a run's calls move while neither its status
    nor its group's summary does. Ended groups and runs whose final read never completed
    (a queue lost with Redis, a worker killed mid-walk) at FINAL, so nothing stays half
    synced. Both sets are small: most objects have ended and been finally synced."""
    alive = {"account": account, "region": region, "gone_at": None}
    # A group not ended is never finally synced (runs_listing_done), so this is every one.
    groups = RunGroup.objects.filter(**alive, final_synced=False)
    due = {
        group_id: FINAL if group_ended(status, ended_at) else REFRESH
        for group_id, status, ended_at in groups.values_list("run_group_id", "status", "ended_at")
    }
    _enqueue("omics.runs", account, region, due)
    runs = Run.objects.filter(**alive, final_synced=False).values_list(
        "run_uuid", "status", "ended_at"
    )
    coordination.enqueue_many(
        queue("omics.calls", account, region),
        [uuid for uuid, status, ended_at in runs if run_ended(status, ended_at)],
        FINAL,
    )


# --- runs ------------------------------------------------------------------------------------
def _calls_due(account: CloudAccount, region: str, group_id: str, due: services.CallsDue) -> None:
    where = scope(account, region)
    group_watched = coordination.is_watched("run_group", where, group_id)
    by_priority: dict[str, int] = {}
    for run_uuid in due.moving:
        by_priority[run_uuid] = REFRESH
    for run_uuid in due.changed:
        by_priority[run_uuid] = CHANGED
    for run_uuid in due.final:
        by_priority[run_uuid] = FINAL
    for run_uuid in by_priority:
        if group_watched or coordination.is_watched("run", where, run_uuid):
            by_priority[run_uuid] = WATCHED
    _enqueue("omics.calls", account, region, by_priority)


@stream("omics.runs", service="omics")
def runs_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    def serve(group_id: str, going_on: Cursor) -> Step:
        group = RunGroup.objects.filter(
            account=account, region=region, run_group_id=group_id, gone_at=None
        ).first()
        if group is None:  # gone since it was queued
            return Step({}, called=False)
        now = _now()
        offset = int(going_on.get("offset", 0))
        started = going_on.get("started") or now.isoformat()
        # Whether the group had ended when the listing began: only then is the listing final.
        was_ended = (
            bool(going_on.get("was_ended"))
            if going_on
            else group_ended(group.status, group.ended_at)
        )
        try:
            page = api.describe_runs(
                account, region, run_group_id=group_id, offset=offset, limit=PAGE
            )
        except NotFound:
            return Step({})
        due = services.runs_upsert(
            account=account, region=region, group=group, records=page.items, now=now
        )
        _calls_due(account, region, group_id, due)
        if offset + PAGE < page.total and page.items:
            return Step(
                {
                    "item": group_id,
                    "offset": offset + PAGE,
                    "started": started,
                    "was_ended": was_ended,
                }
            )
        services.runs_listing_done(
            account=account,
            region=region,
            group=group,
            now=now,
            group_was_ended=was_ended,
            since=datetime.fromisoformat(started),
        )
        return Step({})

    return serve_queue(queue("omics.runs", account, region), cursor, serve)


# --- calls -----------------------------------------------------------------------------------
@stream("omics.calls", service="omics")
def calls_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    def serve(run_uuid: str, going_on: Cursor) -> Step:
        run = services.run_for_calls(account=account, region=region, run_uuid=run_uuid)
        if run is None:  # gone, or never listed: nothing to attach calls to
            return Step({}, called=False)
        paths: list[str] = list(going_on.get("paths", ["/"]))
        walked: list[str] = list(going_on.get("walked", []))
        started = str(going_on.get("started") or _now().isoformat())
        clean = bool(going_on.get("clean", True))  # every level read: what is missing is gone
        # Whether the run had ended when the walk began: only then are the calls read final.
        was_ended = (
            bool(going_on.get("was_ended")) if going_on else run_ended(run.status, run.ended_at)
        )
        path = paths.pop(0)
        now = _now()
        try:
            calls = api.get_run_calls(account, region, run_uuid, path)
        except NotFound:
            return Step({})
        except InvalidRequest as err:
            # Not transient (the doc does not even say how levels below the first are
            # addressed, omics-api.md §4.3): shown in the stream's health and skipped, not
            # retried at the head of the queue for ever. The run stays not finally synced,
            # so a later pass tries again.
            log.warning("omics.calls %s %s: %s", run_uuid, path, err)
            health_failure(account, region, "omics.calls", err)
            if path == "/":
                return Step({}, called=False)
            calls, was_ended, clean = [], False, False
        children = services.calls_upsert(
            account=account, region=region, run=run, records=calls, now=now
        )
        walked.append(path)
        paths += [p for p in (f"/{c}" for c in children) if p not in walked and p not in paths]
        if paths:
            return Step(
                {
                    "item": run_uuid,
                    "paths": paths,
                    "walked": walked,
                    "was_ended": was_ended,
                    "started": started,
                    "clean": clean,
                }
            )
        services.calls_walk_done(
            account=account,
            region=region,
            run_uuid=run_uuid,
            run_was_ended=was_ended,
            now=now,
            since=datetime.fromisoformat(started) if clean else None,
        )
        return Step({})

    return serve_queue(queue("omics.calls", account, region), cursor, serve)


# --- environments and volumes ----------------------------------------------------------------
@stream("omics.environments", service="omics")
def environments_step(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    now = _now()
    started = cursor.get("started") or now.isoformat()
    if cursor.get("phase", "environments") == "environments":
        offset = int(cursor.get("offset", 0))
        page = api.describe_environments(account, region, offset=offset, limit=PAGE)
        services.environments_upsert(account=account, region=region, records=page.items, now=now)
        if offset + PAGE < page.total and page.items:
            return Step({"phase": "environments", "offset": offset + PAGE, "started": started})
        services.environments_mark_gone(
            account=account, region=region, now=now, since=datetime.fromisoformat(started)
        )
        envs = list(
            OmicsEnvironment.objects.filter(account=account, region=region, gone_at=None)
            .order_by("environment_id")
            .values_list("environment_id", flat=True)
        )
        if not envs:
            return Step({}, ENVS_ROUND_DELAY)
        return Step({"phase": "volumes", "envs": envs, "offset": 0, "started": _now().isoformat()})
    # phase "volumes": one environment's volumes per step ("started" is when its listing began)
    envs: list[str] = list(cursor.get("envs", []))
    if not envs:
        return Step({}, ENVS_ROUND_DELAY, called=False)
    env_id, offset = envs[0], int(cursor.get("offset", 0))
    try:
        page = api.describe_volumes(account, region, env_id, offset=offset, limit=PAGE)
    except NotFound:  # the environment went away: so did its volumes
        page = api.Page([], 0)
    services.volumes_upsert(
        account=account, region=region, environment_id=env_id, records=page.items, now=now
    )
    if offset + PAGE < page.total and page.items:
        return Step({**cursor, "offset": offset + PAGE})
    services.volumes_mark_gone(
        account=account,
        region=region,
        environment_id=env_id,
        now=now,
        since=datetime.fromisoformat(started),
    )
    if envs[1:]:
        return Step(
            {"phase": "volumes", "envs": envs[1:], "offset": 0, "started": _now().isoformat()}
        )
    return Step({}, ENVS_ROUND_DELAY)
