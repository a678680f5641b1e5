"""The Omics streams: lists first, details only where something changed (docs/architecture.md,
"The one idea"), on the pattern of `apps.batch.sync`.

- omics.run_groups: the region's projects (DescribeProjects, once a minute; when the key pair
  may not list them, the projects the team admin named), then every run group of each
  project, newest first, 100 per DescribeRunGroups (no Status
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

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from apps.cloud.errors import AuthError, InvalidRequest, NotFound, Refused
from apps.cloud.scope import Scope
from apps.omics import api, services
from apps.omics.models import OmicsEnvironment, Run, RunGroup, group_ended
from apps.sync import coordination
from apps.sync.coordination import Priority
from apps.sync.health import health_failure
from apps.sync.models import Kind
from apps.sync.streams import QueueCursor, Step, serve_queue, stream

log = logging.getLogger(__name__)

PAGE = api.MAX_LIMIT
GROUPS_ROUND_DELAY = 2.0  # between passes: a one-page pass then spends 0.5 of the 20 req/s
PROJECTS_EVERY = 60.0  # seconds between DescribeProjects: projects are created by hand, rarely
ENVS_ROUND_DELAY = 5.0  # environments and volumes barely move

RUNS, CALLS = "omics.runs", "omics.calls"


def refresh_run_group(scope: Scope, group_id: str) -> None:
    """List this group's runs next (an operator just acted on it or its runs)."""
    coordination.record_interest(Kind.RUN_GROUP, scope, group_id)
    coordination.enqueue(scope.queue(RUNS), group_id, Priority.WATCHED)


def _enqueue(queue: str, by_priority: dict[str, Priority]) -> None:
    """Queue items at their priorities, one Redis call per priority."""
    groups: dict[Priority, list[str]] = {}
    for item, priority in by_priority.items():
        groups.setdefault(priority, []).append(item)
    for priority, items in groups.items():
        coordination.enqueue_many(queue, items, priority)


# --- run groups ------------------------------------------------------------------------------
def _runs_due(scope: Scope, group_ids: list[str], records: list[api.RunGroupRecord]) -> None:
    ended = {r.run_group_id for r in records if group_ended(r.status, r.ended_at)}
    due = {
        group_id: coordination.priority_of(Kind.RUN_GROUP, scope, group_id, ended=group_id in ended)
        for group_id in group_ids
    }
    _enqueue(scope.queue(RUNS), due)


def _store_groups(scope: Scope, page: api.Page, now: datetime, project_id: str) -> None:
    """Store a DescribeRunGroups page of a project and queue the runs of the groups that
    changed."""
    changed = services.run_groups_upsert(
        scope=scope, records=page.items, now=now, project_id=project_id
    )
    if not project_id:
        services.default_project_seen(scope=scope, records=page.items, now=now)
    _runs_due(scope, changed, page.items)


class GroupsPhase(StrEnum):
    PROJECTS = "projects"  # the region's projects, when they were not listed lately
    LIST = "list"  # every group of each project, newest first, page by page
    UNLISTED = "unlisted"  # the groups the pass did not show, by id


@dataclass(frozen=True)
class GroupsCursor:
    phase: GroupsPhase = GroupsPhase.PROJECTS
    offset: int = 0
    started: datetime | None = None  # when this pass began
    projects: tuple[str, ...] = ()  # the projects of this pass ("": the default, unnamed)
    project: int = 0  # the one being listed
    projects_at: datetime | None = None  # when DescribeProjects was last tried


@stream(
    "omics.run_groups",
    service="omics",
    cursor=GroupsCursor,
    actions=("DescribeProjects", "DescribeRunGroups"),
)
def run_groups_step(scope: Scope, cursor: GroupsCursor) -> Step[GroupsCursor]:
    now = timezone.now()
    if cursor.started is None:
        cursor = dataclasses.replace(cursor, started=now)
    if cursor.phase == GroupsPhase.PROJECTS:
        return _projects(scope, cursor, now)
    if cursor.phase == GroupsPhase.LIST:
        return _groups_list(scope, cursor, now)
    return _groups_unlisted(scope, cursor, now)


def _projects(scope: Scope, cursor: GroupsCursor, now: datetime) -> Step[GroupsCursor]:
    """List the projects at most every PROJECTS_EVERY seconds, then start the pass over the
    projects watched. A key pair that may not list them (a CAM policy without
    DescribeProjects) or a cloud that does not answer the action is no error: the projects
    the admin named, and those listed before, are watched."""
    due = cursor.projects_at is None or (now - cursor.projects_at).total_seconds() >= PROJECTS_EVERY
    called = False
    if due:
        called = True
        try:
            page = api.describe_projects(scope, offset=cursor.offset, limit=PAGE)
        except (AuthError, Refused, InvalidRequest) as err:
            log.info("omics.run_groups %s: projects not listed (%s)", scope, err.code)
        else:
            services.projects_upsert(scope=scope, records=page.items, now=now)
            if cursor.offset + PAGE < page.total and page.items:
                return Step(dataclasses.replace(cursor, offset=cursor.offset + PAGE))
            assert cursor.started is not None  # run_groups_step sets it
            services.projects_mark_gone(scope=scope, since=cursor.started, now=now)
    listing = GroupsCursor(
        GroupsPhase.LIST,
        started=cursor.started,
        projects=services.watched_projects(scope),
        projects_at=now if due else cursor.projects_at,
    )
    return Step(listing, called=called)


def _groups_list(scope: Scope, cursor: GroupsCursor, now: datetime) -> Step[GroupsCursor]:
    projects = cursor.projects or ("",)
    project_id = projects[min(cursor.project, len(projects) - 1)]
    page = api.describe_run_groups(scope, project_id=project_id, offset=cursor.offset, limit=PAGE)
    _store_groups(scope, page, now, project_id)
    if cursor.offset + PAGE < page.total and page.items:
        return Step(dataclasses.replace(cursor, offset=cursor.offset + PAGE))
    if cursor.project + 1 < len(projects):
        return Step(dataclasses.replace(cursor, project=cursor.project + 1, offset=0))
    return Step(dataclasses.replace(cursor, phase=GroupsPhase.UNLISTED, offset=0, project=0))


def _groups_unlisted(scope: Scope, cursor: GroupsCursor, now: datetime) -> Step[GroupsCursor]:
    """Paging newest first can skip a group when the list shifts between pages, so each the
    pass did not show is looked up by id, in its project, before being called gone. Groups
    of a project no longer watched are left as they were last seen."""
    assert cursor.started is not None  # run_groups_step sets it
    watched = {"", *cursor.projects, *services.watched_projects(scope)}
    missing = {
        project_id: group_ids
        for project_id, group_ids in services.run_groups_unlisted(
            scope=scope, since=cursor.started
        ).items()
        if project_id in watched
    }
    if not missing:
        _refresh(scope)
        return Step(GroupsCursor(projects_at=cursor.projects_at), GROUPS_ROUND_DELAY, called=False)
    project_id, group_ids = next(iter(missing.items()))
    batch = group_ids[:PAGE]
    page = api.describe_run_groups(
        scope, project_id=project_id, limit=PAGE, filters={"RunGroupId": batch}
    )
    _store_groups(scope, page, now, project_id)
    gone = sorted(set(batch) - {r.run_group_id for r in page.items})
    services.run_groups_mark_gone(scope=scope, now=now, group_ids=gone)
    return Step(cursor)


def _refresh(scope: Scope) -> None:
    """End of a pass. Moving groups at REFRESH: a run's calls move while neither its status
    nor its group's summary does. Ended groups and runs whose final read never completed
    (a queue lost with Redis, a worker killed mid-walk) at FINAL, so nothing stays half
    synced. Both sets are small: most objects have ended and been finally synced."""
    # A group not ended is never finally synced (runs_listing_done), so this is every one.
    groups = RunGroup.objects.filter(**scope.lookup, gone_at=None, final_synced=False)
    _enqueue(
        scope.queue(RUNS),
        {g.run_group_id: Priority.FINAL if g.is_ended else Priority.REFRESH for g in groups},
    )
    runs = Run.objects.filter(**scope.lookup, gone_at=None, final_synced=False)
    ended = [run.run_uuid for run in runs.only("run_uuid", "status", "ended_at") if run.is_ended]
    coordination.enqueue_many(scope.queue(CALLS), ended, Priority.FINAL)


# --- runs ------------------------------------------------------------------------------------
def _calls_due(scope: Scope, group_id: str, due: services.CallsDue) -> None:
    group_watched = coordination.is_watched(Kind.RUN_GROUP, scope, group_id)
    by_priority: dict[str, Priority] = {}
    for run_uuid in due.moving:
        by_priority[run_uuid] = Priority.REFRESH
    for run_uuid in due.changed:
        by_priority[run_uuid] = Priority.CHANGED
    for run_uuid in due.final:
        by_priority[run_uuid] = Priority.FINAL
    for run_uuid in by_priority:
        if group_watched or coordination.is_watched(Kind.RUN, scope, run_uuid):
            by_priority[run_uuid] = Priority.WATCHED
    _enqueue(scope.queue(CALLS), by_priority)


@dataclass(frozen=True)
class RunsCursor(QueueCursor):
    offset: int = 0
    started: datetime | None = None  # when the group's listing began
    # Whether the group had ended when the listing began (None: it has not begun): only then
    # is the listing final.
    was_ended: bool | None = None


@stream(RUNS, service="omics", cursor=RunsCursor, actions=("DescribeRuns",))
def runs_step(scope: Scope, cursor: RunsCursor) -> Step[RunsCursor]:
    def serve(group_id: str, going_on: RunsCursor) -> Step[RunsCursor]:
        group = RunGroup.objects.filter(**scope.lookup, run_group_id=group_id, gone_at=None).first()
        if group is None:  # gone since it was queued
            return Step(RunsCursor(), called=False)
        now = timezone.now()
        started = going_on.started or now
        was_ended = group.is_ended if going_on.was_ended is None else going_on.was_ended
        try:
            page = api.describe_runs(
                scope,
                project_id=group.project_id,
                run_group_id=group_id,
                offset=going_on.offset,
                limit=PAGE,
            )
        except NotFound:
            return Step(RunsCursor())
        due = services.runs_upsert(scope=scope, group=group, records=page.items, now=now)
        _calls_due(scope, group_id, due)
        if going_on.offset + PAGE < page.total and page.items:
            return Step(RunsCursor(group_id, going_on.offset + PAGE, started, was_ended))
        services.runs_listing_done(group=group, now=now, group_was_ended=was_ended, since=started)
        return Step(RunsCursor())

    return serve_queue(scope.queue(RUNS), cursor, serve)


# --- calls -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CallsCursor(QueueCursor):
    paths: tuple[str, ...] = ("/",)  # the levels of the call tree still to read
    walked: tuple[str, ...] = ()
    started: datetime | None = None  # when the walk began
    # Whether the run had ended when the walk began (None: it has not begun): only then are
    # the calls read final.
    was_ended: bool | None = None
    clean: bool = True  # every level read so far: what the walk does not find is gone


@stream(CALLS, service="omics", cursor=CallsCursor, actions=("GetRunCalls",))
def calls_step(scope: Scope, cursor: CallsCursor) -> Step[CallsCursor]:
    def serve(run_uuid: str, going_on: CallsCursor) -> Step[CallsCursor]:
        run = services.run_for_calls(scope=scope, run_uuid=run_uuid)
        if run is None:  # gone, or never listed: nothing to attach calls to
            return Step(CallsCursor(), called=False)
        now = timezone.now()
        started = going_on.started or now
        was_ended = run.is_ended if going_on.was_ended is None else going_on.was_ended
        clean = going_on.clean
        path, *paths = going_on.paths or ("/",)
        try:
            calls = api.get_run_calls(scope, run_uuid, path, project_id=run.project_id)
        except NotFound:
            return Step(CallsCursor())
        except InvalidRequest as err:
            # Not transient (the doc does not even say how levels below the first are
            # addressed: https://cloud.tencent.com/document/api/1643/89097): shown in the
            # stream's health and skipped, not retried at the head of the queue for ever. The
            # run stays not finally synced, so a later pass tries again.
            log.warning("omics.calls %s %s: %s", run_uuid, path, err)
            health_failure(scope, "omics.calls", err)
            if path == "/":
                return Step(CallsCursor(), called=False)
            calls, was_ended, clean = [], False, False
        children = services.calls_upsert(scope=scope, run=run, records=calls, now=now)
        walked = (*going_on.walked, path)
        paths += [p for p in (f"/{c}" for c in children) if p not in walked and p not in paths]
        if paths:
            return Step(CallsCursor(run_uuid, tuple(paths), walked, started, was_ended, clean))
        services.calls_walk_done(
            scope=scope,
            run_uuid=run_uuid,
            run_was_ended=was_ended,
            now=now,
            since=started if clean else None,
        )
        return Step(CallsCursor())

    return serve_queue(scope.queue(CALLS), cursor, serve)


# --- environments and volumes ----------------------------------------------------------------
@dataclass(frozen=True)
class EnvironmentsCursor:
    # Empty: list the environments. Else the environments whose volumes are still to list,
    # the first one's next page at `offset`.
    envs: tuple[str, ...] = ()
    offset: int = 0
    started: datetime | None = None  # when the current listing began


@stream(
    "omics.environments",
    service="omics",
    cursor=EnvironmentsCursor,
    actions=("DescribeEnvironments", "DescribeVolumes"),
)
def environments_step(scope: Scope, cursor: EnvironmentsCursor) -> Step[EnvironmentsCursor]:
    if cursor.envs:
        return _volumes(scope, cursor)
    return _environments(scope, cursor)


def _environments(scope: Scope, cursor: EnvironmentsCursor) -> Step[EnvironmentsCursor]:
    now = timezone.now()
    started = cursor.started or now
    page = api.describe_environments(scope, offset=cursor.offset, limit=PAGE)
    services.environments_upsert(scope=scope, records=page.items, now=now)
    if cursor.offset + PAGE < page.total and page.items:
        return Step(EnvironmentsCursor(offset=cursor.offset + PAGE, started=started))
    services.environments_mark_gone(scope=scope, now=now, since=started)
    alive = OmicsEnvironment.objects.filter(**scope.lookup, gone_at=None)
    envs = tuple(alive.order_by("environment_id").values_list("environment_id", flat=True))
    if not envs:
        return Step(EnvironmentsCursor(), ENVS_ROUND_DELAY)
    return Step(EnvironmentsCursor(envs, 0, timezone.now()))


def _volumes(scope: Scope, cursor: EnvironmentsCursor) -> Step[EnvironmentsCursor]:
    """One environment's volumes per step (`started` is when its listing began)."""
    now = timezone.now()
    started = cursor.started or now
    env_id, *rest = cursor.envs
    try:
        page = api.describe_volumes(scope, env_id, offset=cursor.offset, limit=PAGE)
    except NotFound:  # the environment went away: so did its volumes
        page = api.Page([], 0)
    services.volumes_upsert(scope=scope, environment_id=env_id, records=page.items, now=now)
    if cursor.offset + PAGE < page.total and page.items:
        return Step(dataclasses.replace(cursor, offset=cursor.offset + PAGE, started=started))
    services.volumes_mark_gone(scope=scope, environment_id=env_id, now=now, since=started)
    if rest:
        return Step(EnvironmentsCursor(tuple(rest), 0, timezone.now()))
    return Step(EnvironmentsCursor(), ENVS_ROUND_DELAY)
