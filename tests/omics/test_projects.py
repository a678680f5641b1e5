"""Omics projects: run groups, runs and calls of every project of a region are synced, shown
and acted on, not only the default project's (an omitted ProjectId means the default one).

The demo world's ap-guangzhou has two projects: the default and "rnaseq-lab", which holds
about a third of the run groups. The emulator is the ground truth; the official SDK checks
that it answers as the docs say.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.omics.v20221128 import models as om
from tencentcloud.omics.v20221128.omics_client import OmicsClient

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.actions.services import action_plan, operation_start
from apps.cloud.models import CloudAccount
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from apps.omics.models import OmicsProject, Run, RunCall, RunGroup
from tests.actions.test_actions import run as run_operation
from tests.conftest import sdk_profile
from tests.sync.drive import REGION, drive
from tests.sync.omics_drive import OMICS_STREAMS, omics_world

pytestmark = pytest.mark.django_db
LAB = "rnaseq-lab"


def lab_project(world: OmicsWorld) -> str:
    return next(pid for pid, name in world.projects.items() if name == LAB)


def groups_in(world: OmicsWorld, project_id: str) -> set[str]:
    with world.lock:
        return {g.id for g in world.groups.values() if g.project_id == project_id}


def cached_groups(account: CloudAccount, project_id: str) -> set[str]:
    rows = RunGroup.objects.filter(account=account, project_id=project_id, gone_at=None)
    return set(rows.values_list("run_group_id", flat=True))


def sync_until(account: CloudAccount, until) -> None:
    drive(account, streams=OMICS_STREAMS, until=until)


def sdk(emulator: Emulator) -> OmicsClient:
    return OmicsClient(
        credential.Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), REGION, sdk_profile(emulator)
    )


def test_an_omitted_project_is_the_default_one_and_each_project_sees_only_its_own(emulator):
    world = omics_world(emulator)
    lab = lab_project(world)
    client = sdk(emulator)

    def listed(project_id: str | None) -> set[str]:
        request = om.DescribeRunGroupsRequest()
        request.Limit = 100
        if project_id is not None:
            request.ProjectId = project_id
        return {g.RunGroupId for g in client.DescribeRunGroups(request).RunGroups}

    assert groups_in(world, lab), "the demo world has run groups in its second project"
    assert (
        listed(None) == listed("") == listed(world.project_id) == groups_in(world, world.project_id)
    )
    assert listed(lab) == groups_in(world, lab)

    projects = client.DescribeProjects(om.DescribeProjectsRequest())
    assert {(p.ProjectId, p.Name, p.IsDefault) for p in projects.Projects} == {
        (world.project_id, "default project", True),
        (lab, LAB, False),
    }
    # A run of the lab project does not exist in the default one.
    lab_run = next(r.uuid for r in world.runs.values() if r.group.project_id == lab)
    request = om.GetRunStatusRequest()
    request.RunUuid = lab_run
    with pytest.raises(TencentCloudSDKException) as refused:
        client.GetRunStatus(request)
    assert refused.value.code == "ResourceNotFound.RunNotExist"
    request.ProjectId = lab
    assert client.GetRunStatus(request).Metadata.RunId == lab_run
    request.ProjectId = "prj-no-such-project"
    with pytest.raises(TencentCloudSDKException) as missing:
        client.GetRunStatus(request)
    assert missing.value.code == "ResourceNotFound.ProjectNotExist"


def test_every_project_is_synced_with_its_runs_and_calls_and_shown(
    emulator, emulator_account, admin_client
):
    world = omics_world(emulator)
    lab = lab_project(world)
    sync_until(
        emulator_account,
        lambda: (
            cached_groups(emulator_account, lab) == groups_in(world, lab)
            and cached_groups(emulator_account, world.project_id)
            == groups_in(world, world.project_id)
        ),
    )
    assert set(
        OmicsProject.objects.filter(account=emulator_account).values_list("project_id", "name")
    ) == {(world.project_id, "default project"), (lab, LAB)}
    lab_runs = {r.uuid for r in world.runs.values() if r.group.project_id == lab}
    sync_until(
        emulator_account,
        lambda: (
            set(
                Run.objects.filter(account=emulator_account, project_id=lab).values_list(
                    "run_uuid", flat=True
                )
            )
            == lab_runs
            and RunCall.objects.filter(run__run_uuid__in=lab_runs).exists()
        ),
    )

    page = admin_client.get(reverse("omics:run-group-list"), {"project": lab}).content.decode()
    shown = {g for g in groups_in(world, lab) | groups_in(world, world.project_id) if g in page}
    assert shown == groups_in(world, lab)
    assert LAB in page
    group = RunGroup.objects.filter(project_id=lab).first()
    assert group is not None
    detail = admin_client.get(reverse("omics:run-group-detail", args=[group.run_group_id]))
    assert LAB in detail.content.decode() and lab in detail.content.decode()


def test_projects_the_admin_names_are_watched_when_the_key_may_not_list_them(
    emulator, emulator_account
):
    world = omics_world(emulator)
    lab = lab_project(world)
    emulator.denied = {"DescribeProjects"}
    default_groups = groups_in(world, world.project_id)
    sync_until(
        emulator_account,
        lambda: cached_groups(emulator_account, world.project_id) == default_groups,
    )
    assert not cached_groups(emulator_account, lab)  # nothing says the project exists

    emulator_account.omics_projects = {REGION: [lab]}
    emulator_account.save()
    sync_until(
        emulator_account, lambda: cached_groups(emulator_account, lab) == groups_in(world, lab)
    )
    assert cached_groups(emulator_account, world.project_id) == default_groups


def test_a_run_of_another_project_is_retried_in_its_project(emulator, emulator_account, settings):
    settings.CLOUD_RATE_SCALE = 100
    world = omics_world(emulator)
    lab = lab_project(world)
    failed = [
        r.uuid
        for r in world.runs.values()
        if r.group.project_id == lab and r.status == "EXECUTOR_ERROR"
    ]
    if not failed:  # make one: the demo's odds may leave the lab project without a failure
        with world.lock:
            candidate = next(r for r in world.runs.values() if r.group.project_id == lab)
            candidate.status, candidate.ended = "EXECUTOR_ERROR", world.now
        failed = [candidate.uuid]
    cached = Run.objects.filter(run_uuid=failed[0], status="EXECUTOR_ERROR")
    sync_until(emulator_account, cached.exists)

    team = Team.objects.create(name="lab")
    emulator_account.team = team
    emulator_account.save()
    operator = User.objects.create_user("op", password="op-password-1")
    membership_set(team=team, user=operator, role=Role.OPERATOR)
    before = groups_in(world, lab)
    op = run_operation(operation_start(operator, action_plan(operator, "retry-runs", failed[:1])))
    assert op.status == "succeeded", op.results
    assert len(groups_in(world, lab)) == len(before) + 1  # the new group is in the lab project


def test_the_team_admin_names_projects_on_the_team_page_and_a_wrong_line_loses_nothing(
    emulator, emulator_account
):
    from django.test import Client

    world = omics_world(emulator)
    lab = lab_project(world)
    team = Team.objects.create(name="lab")
    emulator_account.team = team
    emulator_account.save()
    boss = User.objects.create_user("boss", password="boss-password-1")
    membership_set(team=team, user=boss, role=Role.ADMIN)
    client = Client()
    client.force_login(boss)

    def save(text: str):
        return client.post(
            f"/account/teams/{team.pk}/accounts/{emulator_account.pk}/",
            {
                "name": emulator_account.name,
                "secret_id": emulator_account.secret_id,
                "secret_key": "",
                "regions": [REGION],
                "omics_projects_text": text,
                "budget_share": "1.0",
                "enabled": "on",
            },
            follow=True,
        )

    save(f"{REGION} {lab}\n")
    emulator_account.refresh_from_db()
    assert emulator_account.omics_projects == {REGION: [lab]}
    page = client.get(f"/account/teams/{team.pk}/").content.decode()
    assert f"{REGION} {lab}" in page

    for wrong, says in (
        (f"{REGION} not-a-project", "is not a project id"),
        (f"ap-shanghai {lab}", "is not one of the account"),
        (f"{REGION}", "Line 1: write a region and a project id"),
    ):
        reply = save(wrong).content.decode()
        assert says in reply, wrong
        emulator_account.refresh_from_db()
        assert emulator_account.omics_projects == {REGION: [lab]}  # nothing lost


def test_without_the_project_list_a_deleted_group_of_the_default_project_is_still_marked_gone(
    emulator, emulator_account
):
    """The groups listed without a ProjectId name the default project: it is kept by id, so a
    group that left it is looked up there and called gone, as before projects were known."""
    world = omics_world(emulator)
    emulator.denied = {"DescribeProjects"}
    default_groups = groups_in(world, world.project_id)
    sync_until(
        emulator_account,
        lambda: cached_groups(emulator_account, world.project_id) == default_groups,
    )
    assert OmicsProject.objects.get(
        account=emulator_account, project_id=world.project_id
    ).is_default
    deleted = sorted(default_groups)[0]
    with world.lock:
        group = world.groups.pop(deleted)
        for run in group.runs:
            world.runs.pop(run.uuid, None)
    sync_until(
        emulator_account,
        lambda: RunGroup.objects.filter(run_group_id=deleted).exclude(gone_at=None).exists(),
    )
    assert cached_groups(emulator_account, world.project_id) == default_groups - {deleted}
