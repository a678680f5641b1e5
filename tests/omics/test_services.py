"""The Omics cache's writes (apps/omics/services.py) on the answers the API docs print
(tests/fixtures/doc_examples/omics.json), read by apps/omics/api.py: no emulator, no network.

A test changes the example answer where it needs another status, as the cloud would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from apps.cloud.scope import Scope
from apps.omics import api, services
from apps.omics.models import OmicsEnvironment, Run, RunCall, RunGroup, Volume
from tests import factories
from tests.doc_cloud import DocCloud, columns, transitions, utc

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
LATEST = NOW + timedelta(minutes=2)
ENV = "env-lljckw12"
VOLUME_ENV = "menv-ry46eloh"  # the environment DescribeVolumes' example lists
GROUP, OTHER_GROUP = "run-ashamed-turquoise-rooster-131773", "run-hilarious-aqua-herring-857343"
RUN = "5a66a302-193b-4977-8a43-b4e2e5abd74c"  # of GROUP
CALLS_RUN = "84232c68-a016-4668-b2e3-168a175d6f29"  # the run of GetRunCalls' examples
SUB_WORKFLOW, BASE64 = (
    "ed4199e3-3513-444e-9090-3413fd6d3e44",
    "87ab7713-6f0f-4452-8da9-fbaa40f7e567",
)


def calls_by_path(action: str, params: dict[str, Any]) -> str:
    """GetRunCalls answers by the level asked for."""
    return f"GetRunCalls {params['Path']}" if action == "GetRunCalls" else action


def same_columns(row: Any, record: Any, held: tuple[str, ...] = ()) -> bool:
    """The row holds every field of the record (less `held`) as the record has it."""
    got, want = columns(row, record, held)
    return got == want


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> DocCloud:
    doc = DocCloud("omics", key=calls_by_path)
    monkeypatch.setattr(api, "cloud_call", doc)
    return doc


@pytest.fixture
def scope() -> Scope:
    return Scope(factories.account(), factories.REGION)


# --- environments and volumes ----------------------------------------------------------------
def environments(scope: Scope, now: datetime) -> list[tuple[str, str, str]]:
    records = api.describe_environments(scope).items
    return services.environments_upsert(scope=scope, records=records, now=now)


def volumes(scope: Scope, now: datetime, environment_id: str = VOLUME_ENV) -> None:
    records = api.describe_volumes(scope, environment_id).items
    services.volumes_upsert(scope=scope, environment_id=environment_id, records=records, now=now)


def test_the_doc_environment_is_stored_with_its_values(cloud, scope):
    assert environments(scope, NOW) == [(ENV, "", "RUNNING")]
    env = OmicsEnvironment.objects.get()
    assert (env.environment_id, env.name, env.status, env.available) == (
        ENV,
        "test name",
        "RUNNING",
        True,
    )
    assert (env.type, env.is_default, env.is_managed) == ("KUBERNETES", False, False)
    assert env.description == "test description"
    assert env.created_at == utc(2022, 12, 14, 8, 14, 49)  # CreationTime, Beijing time
    assert env.raw["ResourceIds"]["CVMId"] == "ins-jcbptifa"  # kept, though no column reads it
    assert (env.synced_at, env.gone_at) == (NOW, None)
    assert same_columns(env, api.describe_environments(scope).items[0])
    assert transitions("omics_env") == [(ENV, "", "RUNNING", NOW)]


def test_the_same_environments_twice_write_nothing_new(cloud, scope):
    environments(scope, NOW)
    assert environments(scope, LATER) == []
    assert OmicsEnvironment.objects.count() == 1 and len(transitions("omics_env")) == 1
    assert OmicsEnvironment.objects.get().state_changed_at == NOW


def test_a_status_change_is_one_transition(cloud, scope):
    environments(scope, NOW)
    env = cloud.answers["DescribeEnvironments"]["Environments"][0]
    env["Status"], env["Available"] = "DELETING", False
    assert environments(scope, LATER) == [(ENV, "RUNNING", "DELETING")]
    assert transitions("omics_env")[1:] == [(ENV, "RUNNING", "DELETING", LATER)]
    assert OmicsEnvironment.objects.get().available is False


def test_an_environment_a_complete_listing_missed_is_gone_with_its_volumes(cloud, scope):
    environments(scope, NOW)
    cloud.answers["DescribeVolumes"]["Volumes"][0]["EnvironmentId"] = ENV
    volumes(scope, NOW, ENV)
    # A listing that started later showed it: nothing is gone.
    assert services.environments_mark_gone(scope=scope, since=NOW, now=LATER) == []
    # One that started after it was last seen did not: it went, and its volumes with it.
    assert services.environments_mark_gone(scope=scope, since=LATER, now=LATER) == [ENV]
    assert OmicsEnvironment.objects.get().gone_at == LATER
    assert Volume.objects.get().gone_at == LATER  # kept, marked
    assert services.environments_mark_gone(scope=scope, since=LATEST, now=LATEST) == []
    environments(scope, LATEST)
    assert OmicsEnvironment.objects.get().gone_at is None  # listed again


def test_the_doc_volume_is_stored_with_its_values(cloud, scope):
    volumes(scope, NOW)
    volume = Volume.objects.get()
    assert (volume.volume_id, volume.environment_id, volume.status) == (
        "vol-8w7rfq4b",
        VOLUME_ENV,
        "AVAILABLE",
    )
    assert (volume.spec, volume.type, volume.capacity, volume.usage) == (
        "HP",
        "SHARED",
        32768,
        973150879744,
    )
    assert (volume.is_default, volume.default_mount_path) == (True, "/vol-8w7rfq4b")
    assert volume.name == "默认缓存卷（menv-ry46eloh）"
    assert same_columns(volume, api.describe_volumes(scope, VOLUME_ENV).items[0])
    volumes(scope, LATER)
    assert Volume.objects.count() == 1 and Volume.objects.get().synced_at == LATER


def test_a_volume_without_its_environment_id_belongs_to_the_one_listed(cloud, scope):
    del cloud.answers["DescribeVolumes"]["Volumes"][0]["EnvironmentId"]
    volumes(scope, NOW, "menv-other")
    assert Volume.objects.get().environment_id == "menv-other"


def test_a_volume_a_complete_listing_missed_is_gone_and_kept(cloud, scope):
    volumes(scope, NOW)
    mark = services.volumes_mark_gone
    assert mark(scope=scope, environment_id=VOLUME_ENV, since=NOW, now=LATER) == 0
    assert mark(scope=scope, environment_id="menv-other", since=LATER, now=LATER) == 0
    assert mark(scope=scope, environment_id=VOLUME_ENV, since=LATER, now=LATER) == 1
    assert mark(scope=scope, environment_id=VOLUME_ENV, since=LATEST, now=LATEST) == 0
    assert Volume.objects.get().gone_at == LATER


# --- run groups ------------------------------------------------------------------------------
def groups(scope: Scope, now: datetime) -> list[str]:
    records = api.describe_run_groups(scope).items
    return services.run_groups_upsert(scope=scope, records=records, now=now)


def test_the_doc_run_groups_are_stored_with_their_values(cloud, scope):
    assert groups(scope, NOW) == [GROUP, OTHER_GROUP]  # new: their runs are due
    group = RunGroup.objects.get(run_group_id=GROUP)
    assert (group.name, group.status, group.type, group.total_run) == (
        "cloudapi-test",
        "COMPLETE",
        "WDL",  # from ApplicationType: the answer predates Type
        1,
    )
    assert group.status_counts == {"SUCCESS": 1}
    assert (group.application_id, group.application_name, group.environment_id) == (
        "app-sweet-cerulean-frog-569111",
        "base64",
        "env-05d0g0w2",
    )
    assert group.created_at == utc(2023, 3, 15, 12, 52, 56)
    assert (group.started_at, group.ended_at) == (
        utc(2023, 3, 15, 12, 53, 13),
        utc(2023, 3, 15, 12, 53, 23),
    )
    assert group.updated_at == utc(2023, 3, 15, 12, 53, 51)
    assert (group.synced_at, group.gone_at, group.final_synced) == (NOW, None, False)
    for record in api.describe_run_groups(scope).items:
        assert same_columns(RunGroup.objects.get(run_group_id=record.run_group_id), record)
    assert transitions("run_group") == [
        (GROUP, "", "COMPLETE", NOW),
        (OTHER_GROUP, "", "COMPLETE", NOW),
    ]


def test_the_same_run_groups_twice_write_nothing_new(cloud, scope):
    groups(scope, NOW)
    assert groups(scope, LATER) == []
    assert RunGroup.objects.count() == 2 and len(transitions("run_group")) == 2


def test_a_group_updated_under_a_steady_status_has_its_runs_due_without_a_transition(cloud, scope):
    groups(scope, NOW)
    cloud.answers["DescribeRunGroups"]["RunGroups"][0]["UpdateTime"] = "2023-03-15T21:00:00+08:00"
    assert groups(scope, LATER) == [GROUP]
    assert len(transitions("run_group")) == 2


def test_a_group_status_change_is_one_transition(cloud, scope):
    answer = cloud.answers["DescribeRunGroups"]["RunGroups"][0]
    answer["Status"], answer["RunStatusCounts"] = "RUNNING", [{"Status": "RUNNING", "Count": 1}]
    groups(scope, NOW)
    answer["Status"], answer["RunStatusCounts"] = "COMPLETE", [{"Status": "SUCCESS", "Count": 1}]
    assert groups(scope, LATER) == [GROUP]
    assert transitions("run_group")[2:] == [(GROUP, "RUNNING", "COMPLETE", LATER)]
    assert RunGroup.objects.get(run_group_id=GROUP).status_counts == {"SUCCESS": 1}


def test_a_group_listed_after_it_ended_is_final_until_it_moves(cloud, scope):
    groups(scope, NOW)
    group = RunGroup.objects.get(run_group_id=GROUP)
    services.runs_listing_done(group=group, since=NOW, group_was_ended=True, now=LATER)
    group.refresh_from_db()
    assert (group.final_synced, group.runs_synced_at) == (True, LATER)
    groups(scope, LATER)
    assert RunGroup.objects.get(run_group_id=GROUP).final_synced  # nothing moved
    cloud.answers["DescribeRunGroups"]["RunGroups"][0]["Status"] = "RUNNING"
    assert groups(scope, LATEST) == [GROUP]
    assert not RunGroup.objects.get(run_group_id=GROUP).final_synced


def test_groups_a_listing_missed_are_asked_for_then_marked_gone_with_their_runs(cloud, scope):
    groups(scope, NOW)
    runs(scope, NOW)
    cloud.answers["DescribeRunGroups"]["RunGroups"].pop(0)  # GROUP was deleted
    groups(scope, LATER)
    assert services.run_groups_unlisted(scope=scope, since=NOW) == {}
    # The doc's example groups are in its project: looked up there, not in the default one.
    assert services.run_groups_unlisted(scope=scope, since=LATER) == {
        "prj-peaceful-pink-bird-631828": [GROUP]
    }
    assert services.run_groups_mark_gone(scope=scope, group_ids=[GROUP], now=LATER) == 1
    assert services.run_groups_mark_gone(scope=scope, group_ids=[GROUP], now=LATEST) == 0
    assert dict(RunGroup.objects.values_list("run_group_id", "gone_at")) == {
        GROUP: LATER,
        OTHER_GROUP: None,
    }
    assert Run.objects.get(run_uuid=RUN).gone_at == LATER  # kept, marked with its group
    assert services.run_groups_unlisted(scope=scope, since=LATER) == {}


# --- runs ------------------------------------------------------------------------------------
def runs(scope: Scope, now: datetime, group_id: str = GROUP) -> services.CallsDue:
    group = RunGroup.objects.get(**scope.lookup, run_group_id=group_id)
    records = [r for r in api.describe_runs(scope).items if r.run_group_id == group_id]
    return services.runs_upsert(scope=scope, group=group, records=records, now=now)


def test_the_doc_run_is_stored_under_its_group(cloud, scope):
    groups(scope, NOW)
    due = runs(scope, NOW)
    assert (due.changed, due.moving, due.final) == ([RUN], [], [RUN])  # ended: final calls due
    run = Run.objects.get()
    assert (run.run_uuid, run.group.run_group_id, run.status) == (RUN, GROUP, "SUCCESS")
    assert run.input.endswith(f"/run/{RUN}/input.json")
    assert (run.user_defined_id, run.table_row_uuid, run.error_message) == ("", "", "")
    assert (run.started_at, run.ended_at) == (
        utc(2023, 3, 15, 12, 53, 13),
        utc(2023, 3, 15, 12, 53, 23),
    )
    assert (run.synced_at, run.gone_at, run.final_synced) == (NOW, None, False)
    record = next(r for r in api.describe_runs(scope).items if r.run_uuid == RUN)
    assert same_columns(run, record, held=("run_group_id",))
    assert transitions("run") == [(RUN, "", "SUCCESS", NOW)]


def test_the_same_runs_twice_write_nothing_new_until_their_final_calls_are_in(cloud, scope):
    groups(scope, NOW)
    runs(scope, NOW)
    due = runs(scope, LATER)
    assert (due.changed, due.moving, due.final) == ([], [], [RUN])  # final calls still due
    assert Run.objects.count() == 1 and len(transitions("run")) == 1
    services.calls_walk_done(scope=scope, run_uuid=RUN, run_was_ended=True, now=LATER)
    assert not runs(scope, LATEST)  # nothing left to read
    assert Run.objects.get().final_synced


def test_a_running_run_has_its_calls_followed_and_its_end_is_one_transition(cloud, scope):
    groups(scope, NOW)
    answer = next(r for r in cloud.answers["DescribeRuns"]["Runs"] if r["RunUuid"] == RUN)
    answer["Status"], answer["ExecutionTime"]["EndTime"] = "RUNNING", ""
    assert runs(scope, NOW).moving == [RUN]
    assert Run.objects.get().ended_at is None  # "" is not reached yet
    due = runs(scope, LATER)
    assert (due.changed, due.moving) == ([], [RUN])  # calls move under a steady status
    answer["Status"], answer["ExecutionTime"]["EndTime"] = "EXECUTOR_ERROR", "2023-03-15T21:00:00"
    due = runs(scope, LATEST)
    assert (due.changed, due.moving, due.final) == ([RUN], [], [RUN])
    assert transitions("run")[1:] == [(RUN, "RUNNING", "EXECUTOR_ERROR", LATEST)]
    assert Run.objects.get().ended_at == utc(2023, 3, 15, 13, 0, 0)  # Beijing time


def test_runs_a_complete_listing_missed_are_gone_and_kept(cloud, scope):
    groups(scope, NOW)
    runs(scope, NOW)
    group = RunGroup.objects.get(run_group_id=GROUP)
    services.runs_listing_done(group=group, since=NOW, group_was_ended=False, now=LATER)
    assert Run.objects.get().gone_at is None
    services.runs_listing_done(group=group, since=LATER, group_was_ended=False, now=LATER)
    run = Run.objects.get()
    assert run.gone_at == LATER
    assert services.run_for_calls(scope=scope, run_uuid=RUN) is None  # no calls of a gone run
    group.refresh_from_db()
    assert (group.runs_synced_at, group.final_synced) == (LATER, False)


# --- calls -----------------------------------------------------------------------------------
@pytest.fixture
def calls_run(cloud: DocCloud, scope: Scope) -> Run:
    """The run GetRunCalls' examples are of, cached (DescribeRuns' first run, renamed)."""
    runs_answer = cloud.answers["DescribeRuns"]["Runs"]
    runs_answer[0]["RunUuid"] = CALLS_RUN
    groups(scope, NOW)
    runs(scope, NOW)
    run = services.run_for_calls(scope=scope, run_uuid=CALLS_RUN)
    assert run is not None
    return run


def calls(scope: Scope, run: Run, now: datetime, path: str = "/") -> list[str]:
    records = api.get_run_calls(scope, run.run_uuid, path)
    return services.calls_upsert(scope=scope, run=run, records=records, now=now)


def test_the_doc_call_tree_is_stored_level_by_level(cloud, scope, calls_run):
    assert calls(scope, calls_run, NOW) == [SUB_WORKFLOW]  # a Workflow: the next level to read
    assert calls(scope, calls_run, NOW, f"/{SUB_WORKFLOW}") == [BASE64]
    top = RunCall.objects.get(call_id=SUB_WORKFLOW)
    assert (top.name, top.run_type, top.status, top.parent_id) == (
        "sub_workflow",
        "Workflow",
        "COMPLETE",
        CALLS_RUN,
    )
    assert (top.started_at, top.ended_at) == (
        utc(2022, 10, 31, 6, 10, 15),
        utc(2022, 10, 31, 6, 11, 18),
    )
    assert top.submitted_at == utc(2020, 9, 22, 0, 0, 0)
    assert top.error_message == '{"key": "value"}'
    nested = RunCall.objects.get(call_id=BASE64)
    assert (nested.name, nested.parent_id, nested.run) == ("base64", SUB_WORKFLOW, calls_run)
    for path in ("/", f"/{SUB_WORKFLOW}"):
        for record in api.get_run_calls(scope, CALLS_RUN, path):
            assert same_columns(RunCall.objects.get(call_id=record.call_id), record)
    assert transitions("call") == [
        (f"{CALLS_RUN}/{SUB_WORKFLOW}", "", "COMPLETE", NOW),
        (f"{CALLS_RUN}/{BASE64}", "", "COMPLETE", NOW),
    ]


def test_the_same_calls_twice_write_nothing_new(cloud, scope, calls_run):
    calls(scope, calls_run, NOW)
    calls(scope, calls_run, LATER)
    assert RunCall.objects.count() == 1 and len(transitions("call")) == 1
    assert RunCall.objects.get().synced_at == LATER


def test_a_call_status_change_is_one_transition(cloud, scope, calls_run):
    call = cloud.answers["GetRunCalls /"]["Calls"][0]
    call["Status"], call["EndTime"] = "RUNNING", ""
    calls(scope, calls_run, NOW)
    call["Status"], call["EndTime"] = "FAILED", "2022-10-31T14:11:18+08:00"
    calls(scope, calls_run, LATER)
    assert transitions("call")[1:] == [(f"{CALLS_RUN}/{SUB_WORKFLOW}", "RUNNING", "FAILED", LATER)]


def test_a_long_call_id_is_cut_to_fit_the_history(cloud, scope, calls_run):
    long_id = "scatter-" + "x" * 240
    cloud.answers["GetRunCalls /"]["Calls"][0]["RunId"] = long_id
    calls(scope, calls_run, NOW)
    assert RunCall.objects.get().call_id == long_id
    [(cloud_id, _, _, _)] = transitions("call")
    assert cloud_id == f"{CALLS_RUN}/{long_id}"[:255] and len(cloud_id) == 255


def test_a_walk_of_the_whole_tree_marks_the_calls_it_did_not_find(cloud, scope, calls_run):
    calls(scope, calls_run, NOW)
    calls(scope, calls_run, NOW, f"/{SUB_WORKFLOW}")
    # A walk without `since` (it did not read every level) marks nothing.
    services.calls_walk_done(scope=scope, run_uuid=CALLS_RUN, run_was_ended=False, now=LATER)
    assert not RunCall.objects.exclude(gone_at=None).exists()
    # A complete walk that began at LATER found the top call again, not the nested one.
    calls(scope, calls_run, LATER)
    services.calls_walk_done(
        scope=scope, run_uuid=CALLS_RUN, run_was_ended=True, now=LATEST, since=LATER
    )
    assert dict(RunCall.objects.values_list("call_id", "gone_at")) == {
        SUB_WORKFLOW: None,
        BASE64: LATEST,  # kept, marked
    }
    run = Run.objects.get()
    assert (run.calls_synced_at, run.final_synced) == (LATEST, True)
