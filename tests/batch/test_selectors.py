"""The job list's filters (JobQuery, in the URL) and the overview's numbers, on a few rows
made for each test (apps/batch/selectors.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import timezone

from apps.batch.models import ComputeEnv, ComputeNode, Job, Task, TaskInstance
from apps.batch.selectors import JobQuery, jobs, overview
from apps.cloud.models import CloudAccount
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def job(account: CloudAccount, job_id: str, state: str, **values: Any) -> Job:
    values.setdefault("region", factories.REGION)
    return Job.objects.create(account=account, job_id=job_id, state=state, **values)


@pytest.fixture
def account() -> CloudAccount:
    """Three jobs to tell apart (and one gone, which no list shows)."""
    account = factories.account("zeta")
    job(
        account,
        "job-aaa00001",
        "FAILED",
        name="align-sample-1",
        zone="ap-guangzhou-3",
        priority=1,
        created_at=hours_ago(3),
        ended_at=hours_ago(2),
        tags=[{"Key": "team", "Value": "genomics"}],
    )
    job(
        account,
        "job-aaa00002",
        "RUNNING",
        name="align-sample-2",
        zone="ap-guangzhou-4",
        priority=5,
        created_at=hours_ago(2),
        tags=[{"Key": "team", "Value": "ops"}],
    )
    job(
        account,
        "job-bbb00001",
        "SUCCEED",
        name="call-variants",
        zone="ap-guangzhou-3",
        priority=3,
        created_at=hours_ago(1),
        ended_at=hours_ago(0.5),
        tags=[{"Key": "teams", "Value": "genomics"}],
    )
    job(account, "job-gone0001", "FAILED", name="align-gone", gone_at=NOW, created_at=NOW)
    return account


def ids(accounts: Any, **query: Any) -> list[str]:
    return list(jobs(accounts, JobQuery(**query)).values_list("job_id", flat=True))


def mine(account: CloudAccount) -> Any:
    return CloudAccount.objects.filter(pk=account.pk)


# --- JobQuery and the URL --------------------------------------------------------------------
def test_a_query_is_read_from_the_url_leniently():
    query = JobQuery.from_params(
        QueryDict(
            "state=FAILED&state=&state=RUNNING&q=+align+&zone=ap-guangzhou-3&tag=team%3Dops"
            "&sort=bogus&since=2024-05-01T10:00&until=junk"
        )
    )
    assert query.states == ["FAILED", "RUNNING"]
    assert (query.text, query.zone, query.tag, query.env) == (
        "align",
        "ap-guangzhou-3",
        "team=ops",
        "",
    )
    assert query.sort == "newest"  # unknown sorts fall back
    assert query.since == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # the site's time zone
    assert query.until is None  # not a time: no bound


def test_a_query_writes_back_the_url_it_came_from_with_changes():
    url = "state=FAILED&state=RUNNING&tag=team%3Dops&q=align&since=2024-05-01T10%3A00&sort=oldest"
    query = JobQuery.from_params(QueryDict(url))
    assert query.to_params() == url
    assert query.to_params(sort="", state=[]) == "tag=team%3Dops&q=align&since=2024-05-01T10%3A00"
    assert JobQuery().to_params() == ""  # the defaults stay out of the URL


# --- filters ---------------------------------------------------------------------------------
def test_states_zone_and_text_filter_the_live_jobs(account):
    accounts = mine(account)
    assert ids(accounts, sort="oldest") == ["job-aaa00001", "job-aaa00002", "job-bbb00001"]
    assert ids(accounts, states=["FAILED"]) == ["job-aaa00001"]  # the gone one is not listed
    assert ids(accounts, states=["FAILED", "SUCCEED"]) == ["job-bbb00001", "job-aaa00001"]
    assert ids(accounts, zone="ap-guangzhou-3") == ["job-bbb00001", "job-aaa00001"]
    assert ids(accounts, text="JOB-AAA") == ["job-aaa00002", "job-aaa00001"]  # id prefix
    assert ids(accounts, text="variants") == ["job-bbb00001"]  # within the name
    assert ids(accounts, text="00001") == []  # ids match from their start only


def test_a_tag_filter_is_a_key_or_a_key_and_its_value(account):
    accounts = mine(account)
    assert ids(accounts, tag="team") == ["job-aaa00002", "job-aaa00001"]  # not "teams"
    assert ids(accounts, tag="team=ops") == ["job-aaa00002"]
    assert ids(accounts, tag="team=geno") == []  # values match whole
    assert ids(accounts, tag="teams=genomics") == ["job-bbb00001"]


def test_times_bound_creation_and_the_end(account):
    accounts = mine(account)
    assert ids(accounts, since=hours_ago(2.5)) == ["job-bbb00001", "job-aaa00002"]
    assert ids(accounts, until=hours_ago(1.5)) == ["job-aaa00002", "job-aaa00001"]
    assert ids(accounts, since=hours_ago(2.5), until=hours_ago(1.5)) == ["job-aaa00002"]
    assert ids(accounts, ended_since=hours_ago(1)) == ["job-bbb00001"]


def test_an_environment_finds_the_jobs_whose_instances_ran_on_its_nodes(account):
    env = ComputeEnv.objects.create(account=account, region=factories.REGION, env_id="env-1")
    ComputeNode.objects.create(
        account=account, region=factories.REGION, env=env, node_id="node-1", instance_id="ins-1"
    )
    running = Job.objects.get(job_id="job-aaa00002")
    for name in ("A", "B"):  # two instances on the node: the job is listed once
        task = Task.objects.create(job=running, name=name, state="RUNNING")
        TaskInstance.objects.create(task=task, index=0, state="RUNNING", node_instance_id="ins-1")
    other = Task.objects.create(job=Job.objects.get(job_id="job-bbb00001"), name="A")
    TaskInstance.objects.create(task=other, index=0, state="SUCCEED", node_instance_id="ins-9")
    assert ids(mine(account), env="env-1") == ["job-aaa00002"]
    assert ids(mine(account), env="env-unknown") == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["job-bbb00001", "job-aaa00002", "job-aaa00001"]),
        ("oldest", ["job-aaa00001", "job-aaa00002", "job-bbb00001"]),
        ("name", ["job-aaa00001", "job-aaa00002", "job-bbb00001"]),
        ("state", ["job-aaa00001", "job-aaa00002", "job-bbb00001"]),
        ("priority", ["job-aaa00002", "job-bbb00001", "job-aaa00001"]),
    ],
)
def test_sorts(account, sort, expected):
    assert ids(mine(account), sort=sort) == expected


def test_only_the_given_accounts_jobs_are_listed(account):
    other = factories.account("alpha")
    job(other, "job-ccc00001", "FAILED", created_at=NOW)
    assert ids(mine(account), states=["FAILED"]) == ["job-aaa00001"]
    assert ids(mine(other), states=["FAILED"]) == ["job-ccc00001"]
    both = CloudAccount.objects.filter(pk__in=[account.pk, other.pk])
    assert ids(both, states=["FAILED"]) == ["job-ccc00001", "job-aaa00001"]


# --- overview --------------------------------------------------------------------------------
def test_the_overview_counts_jobs_failures_and_nodes_per_account_and_region(account):
    job(account, "job-old00001", "FAILED", ended_at=hours_ago(30))  # failed, not in 24 h
    job(account, "job-sh000001", "PENDING", region="ap-shanghai")
    env = ComputeEnv.objects.create(account=account, region=factories.REGION, env_id="env-1")
    for n, (state, gone) in enumerate(
        [("RUNNING", None), ("RUNNING", None), ("ABNORMAL", None), ("RUNNING", NOW)]
    ):
        ComputeNode.objects.create(
            account=account,
            region=factories.REGION,
            env=env,
            node_id=f"node-{n}",
            state=state,
            gone_at=gone,
        )
    other = factories.account("alpha")
    job(other, "job-ccc00001", "RUNNING")
    hidden = factories.account("hidden")
    job(hidden, "job-hid00001", "FAILED", ended_at=NOW)

    shown = CloudAccount.objects.filter(pk__in=[account.pk, other.pk])
    assert overview(shown) == [
        {
            "account": "alpha",
            "region": "ap-guangzhou",
            "jobs": {"RUNNING": 1},
            "nodes": {},
            "failed_24h": 0,
            "active": 1,
        },
        {
            "account": "zeta",
            "region": "ap-guangzhou",
            "jobs": {"FAILED": 2, "RUNNING": 1, "SUCCEED": 1},  # the gone job is not counted
            "nodes": {"RUNNING": 2, "ABNORMAL": 1},
            "failed_24h": 1,
            "active": 1,
        },
        {
            "account": "zeta",
            "region": "ap-shanghai",
            "jobs": {"PENDING": 1},
            "nodes": {},
            "failed_24h": 0,
            "active": 1,
        },
    ]


def test_the_overview_of_no_accounts_is_empty(account):
    assert overview(CloudAccount.objects.none()) == []
