"""The bulk writes every cache table goes through: rows and update lists derived from the
record types, and upserts that record each change of state once (apps/sync/upsert.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import models

from apps.batch import api as batch_api
from apps.batch.models import Activity, ComputeEnv, ComputeNode, Job, Task, TaskInstance
from apps.cloud.scope import Scope
from apps.omics import api as omics_api
from apps.omics.models import OmicsEnvironment, Run, RunCall, RunGroup, Volume
from apps.sync.models import StateTransition
from apps.sync.upsert import fields_of, row_of, upsert_with_history
from tests import factories

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


@dataclass(frozen=True)
class Thing:
    thing_id: str
    name: str
    state: str


@pytest.fixture
def scope(db: None) -> Scope:
    return Scope(factories.account(), factories.REGION)


# --- fields_of and row_of --------------------------------------------------------------------
def test_fields_of_lists_the_record_fields_in_order_plus_bookkeeping_less_the_key():
    assert fields_of(Thing) == ["thing_id", "name", "state"]
    assert fields_of(Thing, "synced_at", "gone_at", without=["thing_id"]) == [
        "name",
        "state",
        "synced_at",
        "gone_at",
    ]


def test_row_of_is_one_column_per_field_and_the_extra_columns_win():
    thing = Thing("t-1", "first", "RUNNING")
    assert row_of(thing) == {"thing_id": "t-1", "name": "first", "state": "RUNNING"}
    assert row_of(thing, ["name"], state="FAILED", synced_at=NOW) == {
        "thing_id": "t-1",
        "state": "FAILED",
        "synced_at": NOW,
    }


# Every record type against the model it fills; `held` are fields the row keeps another way
# (a run's RunGroupId is its foreign key to the group).
RECORD_MODELS: list[tuple[type, type[models.Model], tuple[str, ...]]] = [
    (batch_api.JobRecord, Job, ()),
    (batch_api.TaskRecord, Task, ()),
    (batch_api.InstanceRecord, TaskInstance, ()),
    (batch_api.EnvRecord, ComputeEnv, ()),
    (batch_api.NodeRecord, ComputeNode, ()),
    (batch_api.ActivityRecord, Activity, ()),
    (omics_api.EnvironmentRecord, OmicsEnvironment, ()),
    (omics_api.VolumeRecord, Volume, ()),
    (omics_api.RunGroupRecord, RunGroup, ()),
    (omics_api.RunRecord, Run, ("run_group_id",)),
    (omics_api.CallRecord, RunCall, ()),
]


@pytest.mark.parametrize(
    ("record", "model", "held"), RECORD_MODELS, ids=[r.__name__ for r, _, _ in RECORD_MODELS]
)
def test_every_record_field_is_a_column_of_its_model(record, model, held):
    """A field added to a record type is written by row_of: its model must have the column."""
    columns = {f.name for f in model._meta.concrete_fields}
    assert set(fields_of(record, without=held)) <= columns


# --- upsert_with_history ---------------------------------------------------------------------
def job_rows(scope: Scope, *states: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        row_of(Thing(job_id, f"job {job_id}", state), ["thing_id"], job_id=job_id, **scope.columns)
        for job_id, state in states
    ]


def history() -> list[tuple[str, str, str, str, datetime]]:
    return list(
        StateTransition.objects.order_by("pk").values_list(
            "kind", "cloud_id", "from_state", "to_state", "observed_at"
        )
    )


def write(scope: Scope, rows: list[dict[str, Any]], now: datetime) -> list[tuple[str, str, str]]:
    return upsert_with_history(
        Job, rows, key="job_id", update=["name", "state"], kind="job", scope=scope, now=now
    )


def test_new_rows_are_inserted_and_each_first_state_is_recorded(scope):
    changes = write(scope, job_rows(scope, ("job-1", "RUNNING"), ("job-2", "FAILED")), NOW)
    assert changes == [("job-1", "", "RUNNING"), ("job-2", "", "FAILED")]
    assert list(Job.objects.order_by("job_id").values_list("job_id", "name", "state")) == [
        ("job-1", "job job-1", "RUNNING"),
        ("job-2", "job job-2", "FAILED"),
    ]
    assert set(Job.objects.values_list("state_changed_at", flat=True)) == {NOW}
    assert history() == [
        ("job", "job-1", "", "RUNNING", NOW),
        ("job", "job-2", "", "FAILED", NOW),
    ]


def test_the_same_rows_again_change_nothing_and_record_nothing(scope):
    write(scope, job_rows(scope, ("job-1", "RUNNING")), NOW)
    assert write(scope, job_rows(scope, ("job-1", "RUNNING")), LATER) == []
    assert Job.objects.get().state_changed_at == NOW  # the state has not moved since
    assert len(history()) == 1


def test_a_change_of_state_is_recorded_once_and_moves_state_changed_at(scope):
    write(scope, job_rows(scope, ("job-1", "RUNNING"), ("job-2", "RUNNING")), NOW)
    changes = write(scope, job_rows(scope, ("job-1", "SUCCEED"), ("job-2", "RUNNING")), LATER)
    assert changes == [("job-1", "RUNNING", "SUCCEED")]
    assert history()[-1] == ("job", "job-1", "RUNNING", "SUCCEED", LATER)
    assert len(history()) == 3
    assert dict(Job.objects.values_list("job_id", "state_changed_at")) == {
        "job-1": LATER,
        "job-2": NOW,
    }


def test_other_columns_are_updated_without_a_transition(scope):
    write(scope, job_rows(scope, ("job-1", "RUNNING")), NOW)
    rows = job_rows(scope, ("job-1", "RUNNING"))
    rows[0]["name"] = "renamed"
    assert write(scope, rows, LATER) == []
    assert Job.objects.get().name == "renamed"
    assert len(history()) == 1


def test_rows_are_found_within_their_scope_only(scope):
    elsewhere = Scope(scope.account, "ap-shanghai")
    write(scope, job_rows(scope, ("job-1", "RUNNING")), NOW)
    assert write(elsewhere, job_rows(elsewhere, ("job-1", "FAILED")), LATER) == [
        ("job-1", "", "FAILED")
    ]
    assert dict(Job.objects.values_list("region", "state")) == {
        "ap-guangzhou": "RUNNING",
        "ap-shanghai": "FAILED",
    }
    assert sorted(StateTransition.objects.values_list("region", "to_state")) == [
        ("ap-guangzhou", "RUNNING"),
        ("ap-shanghai", "FAILED"),
    ]


def test_rows_within_a_parent_have_their_history_named_by_history_id(scope):
    write(scope, job_rows(scope, ("job-1", "RUNNING"), ("job-2", "RUNNING")), NOW)
    first, second = Job.objects.order_by("job_id")

    def tasks(job: Job, state: str, now: datetime) -> list[tuple[str, str, str]]:
        return upsert_with_history(
            Task,
            [{"job_id": job.pk, "name": "A", "state": state}],
            key="name",
            within={"job": job},
            update=["state"],
            kind="task",
            scope=scope,
            now=now,
            history_id=lambda row: f"{job.job_id}/{row['name']}",
        )

    assert tasks(first, "RUNNING", NOW) == [("job-1/A", "", "RUNNING")]
    assert tasks(second, "SUCCEED", NOW) == [("job-2/A", "", "SUCCEED")]  # another job's A
    assert tasks(first, "FAILED", LATER) == [("job-1/A", "RUNNING", "FAILED")]
    assert sorted(Task.objects.values_list("job__job_id", "name", "state")) == [
        ("job-1", "A", "FAILED"),
        ("job-2", "A", "SUCCEED"),
    ]
    assert history()[-1] == ("task", "job-1/A", "RUNNING", "FAILED", LATER)


def test_the_state_may_live_in_another_field(scope):
    def environments(status: str, now: datetime) -> list[tuple[str, str, str]]:
        row = {**scope.columns, "environment_id": "env-1", "status": status}
        return upsert_with_history(
            OmicsEnvironment,
            [row],
            key="environment_id",
            update=["status"],
            kind="omics_env",
            scope=scope,
            now=now,
            state_field="status",
        )

    assert environments("INITIALIZING", NOW) == [("env-1", "", "INITIALIZING")]
    assert environments("INITIALIZING", LATER) == []
    assert environments("RUNNING", LATER) == [("env-1", "INITIALIZING", "RUNNING")]
    assert OmicsEnvironment.objects.get().status == "RUNNING"
    assert [h[2:4] for h in history()] == [("", "INITIALIZING"), ("INITIALIZING", "RUNNING")]


def test_no_rows_write_nothing(scope):
    assert write(scope, [], NOW) == []
    assert not Job.objects.exists() and not StateTransition.objects.exists()
