"""The Batch cache's writes (apps/batch/services.py) on the answers the API docs print
(tests/fixtures/doc_examples/batch.json), read by apps/batch/api.py: no emulator, no network.

A test changes the example answer where it needs another state, as the cloud would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.batch import api, services
from apps.batch.models import Activity, ComputeEnv, ComputeNode, Job, Task, TaskInstance, TaskLog
from apps.cloud.scope import Scope
from tests import factories
from tests.doc_cloud import DocCloud, columns, transitions, utc

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
LATEST = NOW + timedelta(minutes=2)
DOC_JOB = "job-97zcl3wt"  # DescribeJob, DescribeTask and DescribeTaskLogs all show it


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> DocCloud:
    doc = DocCloud("batch")
    monkeypatch.setattr(api, "cloud_call", doc)
    return doc


@pytest.fixture
def scope() -> Scope:
    return Scope(factories.account(), factories.REGION)


def listing(scope: Scope, now: datetime) -> list[str]:
    return services.jobs_upsert(scope=scope, records=api.describe_jobs(scope).items, now=now)


def detail(scope: Scope, now: datetime) -> list[str]:
    return services.job_detail_apply(scope=scope, detail=api.describe_job(scope, DOC_JOB), now=now)


def instances(scope: Scope, now: datetime, task: str = "A") -> list[int]:
    return services.task_instances_apply(
        scope=scope,
        job_id=DOC_JOB,
        task_name=task,
        detail=api.describe_task(scope, DOC_JOB, task),
        now=now,
    )


# --- jobs ------------------------------------------------------------------------------------
def test_the_doc_listing_becomes_two_jobs_with_their_values(cloud, scope):
    assert listing(scope, NOW) == ["job-3n2weaqt", "job-7e7evk2x"]  # new: details due
    starting, failed = Job.objects.order_by("job_id")
    assert (starting.job_id, starting.state, failed.state) == ("job-3n2weaqt", "STARTING", "FAILED")
    assert (starting.name, starting.priority, starting.zone) == (
        "hello-test-job",
        1,
        "ap-guangzhou-4",
    )
    assert starting.created_at == utc(2020, 9, 22, 7, 14, 54) and starting.ended_at is None
    assert failed.ended_at == utc(2020, 9, 21, 8, 59, 45)
    assert starting.task_metrics["StartingCount"] == 1 and failed.task_metrics["FailedCount"] == 1
    assert failed.tags == [
        {"Key": "job-key1", "Value": "job-value1"},
        {"Key": "job-key", "Value": "job-value"},
    ]
    assert (starting.listed_at, starting.synced_at, starting.gone_at) == (NOW, NOW, None)
    assert not starting.final_synced and starting.raw["Placement"] == {"Zone": "ap-guangzhou-4"}
    assert transitions("job") == [
        ("job-3n2weaqt", "", "STARTING", NOW),
        ("job-7e7evk2x", "", "FAILED", NOW),
    ]


def test_every_job_record_field_reaches_its_column(cloud, scope):
    listing(scope, NOW)
    for record in api.describe_jobs(scope).items:
        stored, sent = columns(Job.objects.get(job_id=record.job_id), record)
        assert stored == sent


def test_the_same_listing_twice_writes_nothing_new(cloud, scope):
    listing(scope, NOW)
    before = list(Job.objects.order_by("job_id").values_list("job_id", "state", "state_changed_at"))
    assert listing(scope, LATER) == []  # nothing moved: no details due
    after = list(Job.objects.order_by("job_id").values_list("job_id", "state", "state_changed_at"))
    assert after == before
    assert len(transitions("job")) == 2
    assert set(Job.objects.values_list("listed_at", flat=True)) == {LATER}  # seen again


def test_a_state_change_is_one_transition_and_makes_the_details_due(cloud, scope):
    listing(scope, NOW)
    job = cloud.answers["DescribeJobs"]["JobSet"][0]
    job["JobState"] = "RUNNING"
    job["TaskMetrics"] = {**job["TaskMetrics"], "StartingCount": 0, "RunningCount": 1}
    assert listing(scope, LATER) == ["job-3n2weaqt"]
    assert transitions("job")[2:] == [("job-3n2weaqt", "STARTING", "RUNNING", LATER)]
    assert dict(Job.objects.values_list("job_id", "state_changed_at")) == {
        "job-3n2weaqt": LATER,
        "job-7e7evk2x": NOW,
    }


def test_moving_task_counts_alone_make_the_details_due_without_a_transition(cloud, scope):
    listing(scope, NOW)
    cloud.answers["DescribeJobs"]["JobSet"][0]["TaskMetrics"]["RunningCount"] = 1
    assert listing(scope, LATER) == ["job-3n2weaqt"]
    assert len(transitions("job")) == 2


def test_a_job_the_cloud_forgot_is_marked_gone_and_kept(cloud, scope):
    listing(scope, NOW)
    assert services.jobs_mark_gone(scope=scope, job_ids=["job-7e7evk2x"], now=LATER) == 1
    assert services.jobs_mark_gone(scope=scope, job_ids=["job-7e7evk2x"], now=LATEST) == 0
    assert dict(Job.objects.values_list("job_id", "gone_at")) == {
        "job-3n2weaqt": None,
        "job-7e7evk2x": LATER,  # marked once, when it went
    }
    listing(scope, LATEST)  # listed again: back
    assert not Job.objects.exclude(gone_at=None).exists()


def test_active_jobs_the_last_sweep_did_not_list_are_found(cloud, scope):
    listing(scope, NOW)
    assert services.jobs_unlisted_since(scope=scope, since=NOW) == []
    # A later sweep did not list the STARTING job; the FAILED one has ended and is not asked for.
    assert services.jobs_unlisted_since(scope=scope, since=LATER) == ["job-3n2weaqt"]
    services.jobs_mark_gone(scope=scope, job_ids=["job-3n2weaqt"], now=LATER)
    assert services.jobs_unlisted_since(scope=scope, since=LATER) == []


def test_a_job_known_from_its_details_only_was_never_listed(cloud, scope):
    cloud.answers["DescribeJob"]["JobState"] = "RUNNING"
    detail(scope, NOW)
    assert Job.objects.get().listed_at is None
    assert services.jobs_unlisted_since(scope=scope, since=NOW) == [DOC_JOB]


# --- a job's details: tasks and dependencies -------------------------------------------------
def test_the_doc_job_detail_stores_the_job_and_its_diamond_of_tasks(cloud, scope):
    assert sorted(detail(scope, NOW)) == ["A", "B", "C", "D"]  # ended job: its final instances
    job = Job.objects.get()
    assert (job.job_id, job.state, job.zone, job.name) == (
        DOC_JOB,
        "SUCCEED",
        "ap-guangzhou-2",
        "test job",
    )
    assert (job.detail_synced_at, job.final_synced, job.listed_at) == (NOW, True, None)
    assert job.instance_metrics["SucceedCount"] == 4 and len(job.dependences) == 4
    tasks = {t.name: t for t in Task.objects.filter(job=job)}
    assert {name: t.upstream for name, t in tasks.items()} == {
        "A": [],
        "B": ["A"],
        "C": ["A"],
        "D": ["B", "C"],
    }
    assert {t.state for t in tasks.values()} == {"SUCCEED"}
    assert tasks["D"].created_at == utc(2018, 2, 7, 9, 29, 9)
    assert tasks["D"].ended_at == utc(2018, 2, 7, 9, 33, 1)
    assert transitions("job") == [(DOC_JOB, "", "SUCCEED", NOW)]
    assert transitions("task") == [(f"{DOC_JOB}/{n}", "", "SUCCEED", NOW) for n in "ABCD"]


def test_every_task_record_field_reaches_its_column(cloud, scope):
    detail(scope, NOW)
    for record in api.describe_job(scope, DOC_JOB).tasks:
        stored, sent = columns(Task.objects.get(name=record.name), record)
        assert stored == sent


def test_the_same_detail_twice_writes_nothing_new(cloud, scope):
    detail(scope, NOW)
    detail(scope, LATER)
    assert Task.objects.count() == 4 and Job.objects.count() == 1
    assert len(transitions("task")) == 4 and len(transitions("job")) == 1
    assert set(Task.objects.values_list("state_changed_at", flat=True)) == {NOW}


def test_of_a_running_job_the_moving_and_the_changed_tasks_are_due(cloud, scope):
    answer = cloud.answers["DescribeJob"]
    answer["JobState"] = "RUNNING"
    answer["TaskSet"][3]["TaskState"] = "RUNNING"  # D
    assert sorted(detail(scope, NOW)) == ["A", "B", "C", "D"]  # all new
    assert not Job.objects.get().final_synced
    assert detail(scope, LATER) == ["D"]  # A, B and C ended and did not change
    answer["JobState"] = answer["TaskSet"][3]["TaskState"] = "SUCCEED"
    assert sorted(detail(scope, LATEST)) == ["A", "B", "C", "D"]  # ended: the final round
    assert transitions("task")[4:] == [(f"{DOC_JOB}/D", "RUNNING", "SUCCEED", LATEST)]
    assert transitions("job")[1:] == [(DOC_JOB, "RUNNING", "SUCCEED", LATEST)]
    assert Job.objects.get().final_synced


def test_a_finally_synced_job_that_moves_is_not_final_any_more(cloud, scope):
    detail(scope, NOW)
    record = api.describe_job(scope, DOC_JOB).job
    assert services.jobs_upsert(scope=scope, records=[record], now=LATER) == []
    assert Job.objects.get().final_synced  # unchanged: stays final
    cloud.answers["DescribeJob"]["JobState"] = "RUNNING"  # (as after RetryJobs)
    moved = api.describe_job(scope, DOC_JOB).job
    assert services.jobs_upsert(scope=scope, records=[moved], now=LATEST) == [DOC_JOB]
    assert not Job.objects.get().final_synced


# --- task instances and logs -----------------------------------------------------------------
def test_instances_before_their_job_detail_are_left_for_later(cloud, scope):
    assert instances(scope, NOW) == []
    assert not TaskInstance.objects.exists()


def test_the_doc_task_stores_its_instances_and_reports_the_ended_ones(cloud, scope):
    detail(scope, NOW)
    assert sorted(instances(scope, NOW)) == [0, 1]  # both just ended: final logs due
    task = Task.objects.get(name="A")
    assert (task.instance_total, task.instances_synced_at) == (2, NOW)
    assert task.instance_metrics["SucceedCount"] == 2
    first = TaskInstance.objects.get(task=task, index=0)
    assert (first.state, first.exit_code, first.node_instance_id) == ("SUCCEED", 0, "")
    assert first.detailed_reason == "xx"
    assert first.running_at == utc(2018, 2, 7, 9, 30, 2)
    assert first.ended_at == utc(2018, 2, 7, 9, 30, 31)
    assert first.redirect["StdoutRedirectFileName"] == "stdout.job-97zcl3wt.A.0.log"
    assert transitions("instance") == [
        (f"{DOC_JOB}/A/1", "", "SUCCEED", NOW),
        (f"{DOC_JOB}/A/0", "", "SUCCEED", NOW),
    ]


def test_every_instance_record_field_reaches_its_column(cloud, scope):
    detail(scope, NOW)
    instances(scope, NOW)
    for record in api.describe_task(scope, DOC_JOB, "A").instances:
        stored, sent = columns(TaskInstance.objects.get(index=record.index), record)
        assert stored == sent


def test_the_same_task_twice_writes_nothing_new(cloud, scope):
    detail(scope, NOW)
    instances(scope, NOW)
    # nothing newly ended, but their final logs are still missing: still due
    assert instances(scope, LATER) == [0, 1]
    assert TaskInstance.objects.count() == 2 and len(transitions("instance")) == 2


def test_an_ended_instance_stays_due_until_its_final_log_is_stored(cloud, scope):
    detail(scope, NOW)
    assert instances(scope, NOW) == [0, 1]
    records = api.describe_task_logs(scope, DOC_JOB, "A", [0, 1])
    services.logs_apply(scope=scope, job_id=DOC_JOB, task_name="A", records=records, now=LATER)
    logged = set(TaskLog.objects.filter(final=True).values_list("instance__index", flat=True))
    assert logged  # the doc's answer holds the log of one of them
    assert instances(scope, LATEST) == sorted({0, 1} - logged)  # only the other stays due


def test_an_instance_that_ends_is_one_transition_and_due_for_its_final_log(cloud, scope):
    detail(scope, NOW)
    answer = cloud.answers["DescribeTask"]["TaskInstanceSet"][1]  # index 0
    answer["TaskInstanceState"], answer["EndTime"], answer["ExitCode"] = "RUNNING", None, None
    assert instances(scope, NOW) == [1]  # index 1 ended, index 0 runs
    answer["TaskInstanceState"], answer["EndTime"], answer["ExitCode"] = (
        "FAILED",
        "2018-02-07T09:31:00Z",
        1,
    )
    assert instances(scope, LATER) == [0, 1]  # 0 just ended; 1 still has no final log
    assert transitions("instance")[2:] == [(f"{DOC_JOB}/A/0", "RUNNING", "FAILED", LATER)]
    assert TaskInstance.objects.get(index=0).exit_code == 1


def logs(scope: Scope, now: datetime, indexes: list[int]) -> int:
    records = api.describe_task_logs(scope, DOC_JOB, "A", indexes)
    return services.logs_apply(scope=scope, job_id=DOC_JOB, task_name="A", records=records, now=now)


def test_the_doc_log_is_stored_decoded_with_its_raw_value(cloud, scope):
    detail(scope, NOW)
    instances(scope, NOW)
    assert logs(scope, NOW, [0]) == 1
    log = TaskLog.objects.get()
    assert log.instance.index == 0
    assert log.stdout.startswith("main\n['demo.py', '3', '/mnt/input', '/mnt/output', '1']")
    assert log.stderr.splitlines() == [
        "flush to /mnt/output/1535726004.91",
        "flush to /mnt/output/1535726006.39",
        "flush to /mnt/output/1535726007.7",
    ]
    raw = cloud.answers["DescribeTaskLogs"]["TaskInstanceLogSet"][0]
    assert (log.stdout_raw, log.stderr_raw) == (raw["StdoutLog"], raw["StderrLog"])
    assert (log.problems, log.fetched_at, log.final) == ("", NOW, True)  # the instance ended
    assert logs(scope, LATER, [0]) == 1
    assert TaskLog.objects.get().fetched_at == LATER  # the one log, refreshed


def test_a_log_of_a_running_instance_is_not_final_and_an_unknown_one_is_skipped(cloud, scope):
    detail(scope, NOW)
    cloud.answers["DescribeTask"]["TaskInstanceSet"][1]["TaskInstanceState"] = "RUNNING"
    instances(scope, NOW)
    assert logs(scope, NOW, [0]) == 1
    assert not TaskLog.objects.get().final
    cloud.answers["DescribeTaskLogs"]["TaskInstanceLogSet"][0]["TaskInstanceIndex"] = 7
    assert logs(scope, LATER, [7]) == 0
    assert TaskLog.objects.count() == 1


# --- compute environments, nodes, activities -------------------------------------------------
def envs(scope: Scope, now: datetime) -> list[str]:
    return services.envs_upsert(
        scope=scope, records=api.describe_compute_envs(scope).items, now=now
    )


def env_detail(scope: Scope, now: datetime) -> None:
    env, nodes = api.describe_compute_env(scope, "env-lcpcej85")
    services.env_detail_apply(scope=scope, env=env, nodes=nodes, now=now)


def test_the_doc_environment_listing(cloud, scope):
    assert envs(scope, NOW) == ["env-lcx7qbbr"]
    env = ComputeEnv.objects.get()
    assert (env.name, env.zone, env.env_type, env.resource_type) == (
        "test-compute-env",
        "ap-guangzhou-4",
        "MANAGED",
        "CVM",
    )
    assert (env.desired_count, env.attached_count, env.next_action, env.state) == (
        1,
        0,
        "",
        "ACTIVE",
    )
    assert env.node_metrics["AbnormalCount"] == 1
    assert env.created_at == utc(2020, 9, 22, 6, 51, 42)
    assert env.tags == [{"Key": "batch-test-tag-env-key", "Value": "batch-test-tag-env-value"}]
    assert (env.synced_at, env.gone_at) == (NOW, None)
    assert transitions("env") == [("env-lcx7qbbr", "", "ACTIVE", NOW)]
    stored, sent = columns(env, api.describe_compute_envs(scope).items[0])
    assert stored == sent


def test_the_same_environments_twice_write_nothing_new_and_a_resize_is_due(cloud, scope):
    envs(scope, NOW)
    assert envs(scope, LATER) == []
    assert ComputeEnv.objects.count() == 1 and len(transitions("env")) == 1
    cloud.answers["DescribeComputeEnvs"]["ComputeEnvSet"][0]["DesiredComputeNodeCount"] = 3
    assert envs(scope, LATEST) == ["env-lcx7qbbr"]  # its nodes will change
    assert ComputeEnv.objects.get().desired_count == 3
    assert len(transitions("env")) == 1  # no state in this API: a resize is not one


def test_a_next_action_is_the_environments_state_change(cloud, scope):
    envs(scope, NOW)
    cloud.answers["DescribeComputeEnvs"]["ComputeEnvSet"][0]["NextAction"] = "DELETE"
    envs(scope, LATER)
    assert transitions("env")[1:] == [("env-lcx7qbbr", "ACTIVE", "DELETE", LATER)]


def test_environments_a_complete_listing_no_longer_shows_are_gone_and_kept(cloud, scope):
    envs(scope, NOW)
    assert services.envs_mark_gone(scope=scope, present={"env-lcx7qbbr"}, now=LATER) == 0
    assert services.envs_mark_gone(scope=scope, present=set(), now=LATER) == 1
    assert services.envs_mark_gone(scope=scope, present=set(), now=LATEST) == 0
    assert ComputeEnv.objects.get().gone_at == LATER
    envs(scope, LATEST)
    assert ComputeEnv.objects.get().gone_at is None  # listed again


def test_the_doc_environment_detail_stores_every_node(cloud, scope):
    env_detail(scope, NOW)
    env = ComputeEnv.objects.get()
    assert (env.env_id, env.desired_count, env.zone) == ("env-lcpcej85", 2, "ap-guangzhou-2")
    nodes = {n.node_id: n for n in ComputeNode.objects.filter(env=env)}
    assert {i: n.state for i, n in nodes.items()} == {
        "node-noa8vefu": "ABNORMAL",
        "node-9yzd5jei": "RUNNING",
    }
    node = nodes["node-noa8vefu"]
    assert (node.instance_id, node.cpu, node.mem, node.agent_version) == (
        "ins-0kj3gz6s",
        1,
        2,
        "1.1.9",
    )
    assert (node.private_ips, node.public_ips) == (["10.10.8.3"], ["132.20.19.18"])
    assert (node.origin, node.available_slots) == ("BATCH_CREATED", 1)
    assert node.resource_created_at == utc(2018, 3, 8, 11, 49, 17)
    assert "ComputeNodeSet" not in env.raw  # the nodes are rows of their own
    _, records = api.describe_compute_env(scope, "env-lcpcej85")
    for record in records:
        stored, sent = columns(nodes[record.node_id], record)
        assert stored == sent
    assert transitions("node") == [
        ("node-noa8vefu", "", "ABNORMAL", NOW),
        ("node-9yzd5jei", "", "RUNNING", NOW),
    ]


def test_the_same_environment_detail_twice_writes_nothing_new(cloud, scope):
    env_detail(scope, NOW)
    env_detail(scope, LATER)
    assert ComputeNode.objects.count() == 2 and len(transitions("node")) == 2
    assert not ComputeNode.objects.exclude(gone_at=None).exists()


def test_a_node_the_detail_no_longer_lists_is_gone_and_kept(cloud, scope):
    env_detail(scope, NOW)
    cloud.answers["DescribeComputeEnv"]["ComputeNodeSet"].pop(0)  # node-noa8vefu terminated
    env_detail(scope, LATER)
    assert dict(ComputeNode.objects.values_list("node_id", "gone_at")) == {
        "node-noa8vefu": LATER,
        "node-9yzd5jei": None,
    }


def test_a_node_state_change_is_one_transition(cloud, scope):
    env_detail(scope, NOW)
    cloud.answers["DescribeComputeEnv"]["ComputeNodeSet"][1]["ComputeNodeState"] = "DELETING"
    env_detail(scope, LATER)
    assert transitions("node")[2:] == [("node-9yzd5jei", "RUNNING", "DELETING", LATER)]


def activities(scope: Scope, now: datetime) -> None:
    page = api.describe_compute_env_activities(scope, "env-lcpcej85")
    services.activities_apply(scope=scope, env_id="env-lcpcej85", records=page.items, now=now)


def test_activities_of_an_unknown_environment_wait_for_it(cloud, scope):
    activities(scope, NOW)
    assert not Activity.objects.exists()


def test_the_doc_activities_are_stored_once_and_updated(cloud, scope):
    env_detail(scope, NOW)
    activities(scope, NOW)
    rows = {a.activity_id: a for a in Activity.objects.all()}
    assert set(rows) == {"act-83xvnt5p", "act-ezle9e7v"}
    grow = rows["act-83xvnt5p"]
    assert (grow.node_id, grow.instance_id, grow.kind, grow.state) == (
        "node-9yzd5jei",
        "ins-x23sd8xk",
        "CREATE_COMPUTE_NODE",
        "SUCCEED",
    )
    assert grow.cause == "ModifyComputeEnv: increase the capacity from 1 to 2"
    assert (grow.started_at, grow.ended_at) == (
        utc(2018, 3, 9, 13, 14, 34),
        utc(2018, 3, 9, 13, 15, 44),
    )
    assert grow.env.env_id == "env-lcpcej85"
    page = api.describe_compute_env_activities(scope, "env-lcpcej85")
    for record in page.items:
        stored, sent = columns(rows[record.activity_id], record)
        assert stored == sent
    cloud.answers["DescribeComputeEnvActivities"]["ActivitySet"][0]["StateReason"] = "quota"
    activities(scope, LATER)
    assert Activity.objects.count() == 2
    assert Activity.objects.get(activity_id="act-83xvnt5p").reason == "quota"
