"""Malformed and hostile records from the cloud: the parsers never raise, and a batch of them
is stored whole or not at all."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.batch import api as batch_api
from apps.batch.models import Job
from apps.batch.services import jobs_upsert
from apps.cloud.scope import Scope
from apps.omics import api as omics_api
from tests import factories

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "JobId",
    "JobName",
    "JobState",
    "Priority",
    "Placement",
    "CreateTime",
    "EndTime",
    "Tags",
    "TaskMetrics",
    "TaskInstanceIndex",
    "TaskInstanceState",
    "ExitCode",
    "RedirectInfo",
    "EnvId",
    "ComputeNodeMetrics",
    "DesiredComputeNodeCount",
    "ComputeNodeId",
    "Cpu",
    "PrivateIpAddresses",
    "RunGroupId",
    "Status",
    "RunUuid",
    "ExecutionTime",
    "RunStatusCounts",
    "TotalRun",
    "Calls",
    "RunId",
    "ParentId",
    "StartTime",
]
records = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values, max_size=12)
PARSERS = [
    getattr(module, n).from_api
    for module in (batch_api, omics_api)
    for n in dir(module)
    if dataclasses.is_dataclass(getattr(module, n)) and hasattr(getattr(module, n), "from_api")
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records)
def test_no_parser_raises_on_any_record(record):
    for parse in PARSERS:
        parse(record)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(records, min_size=1, max_size=5))
def test_hostile_job_records_are_stored_whole_or_not_at_all(batch):
    account = (
        factories.account("fuzz")
        if not Job.objects.exists()
        else Job.objects.earliest("pk").account
    )
    parsed = [
        batch_api.JobRecord.from_api(
            {**r, "JobId": f"job-{i:08d}", "JobState": str(r.get("JobState"))}
        )
        for i, r in enumerate(batch)
    ]
    before = Job.objects.count()
    try:
        jobs_upsert(scope=Scope(account, "ap-guangzhou"), records=parsed, now=timezone.now())
    except Exception:
        assert Job.objects.count() == before
    else:
        assert set(
            Job.objects.filter(job_id__in=[p.job_id for p in parsed]).values_list(
                "job_id", flat=True
            )
        ) == {p.job_id for p in parsed}
