"""The audit tests' people: two teams, an account, events of each kind."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.audit.models import AuditStatus
from apps.audit.services import audit_record
from apps.cloud.services import account_create


@pytest.fixture
def ops() -> Team:
    """Team ops (viewer `vera`, operator `otto`) with the account `prod`; team elsewhere
    (`sam`, an admin there); `root`, a superuser of no team."""
    ops, elsewhere = Team.objects.create(name="ops"), Team.objects.create(name="elsewhere")
    for name, team, role in (
        ("vera", ops, Role.VIEWER),
        ("otto", ops, Role.OPERATOR),
        ("sam", elsewhere, Role.ADMIN),
    ):
        membership_set(
            team=team, user=User.objects.create_user(name, password="pw-1234567"), role=role
        )
    User.objects.create_superuser("root", password="pw-1234567")
    prod = account_create(
        name="prod",
        secret_id="AKIDprod",
        secret_key="prod-secret-0000000000",
        regions=["ap-guangzhou"],
    )
    prod.team = ops
    prod.save()
    otto = User.objects.get(username="otto")
    audit_record(
        user=otto,
        action="batch.RetryJobs",
        targets=["job-retried"],
        account=prod,
        region="ap-guangzhou",
    )
    audit_record(
        user=otto, action="membership.set", targets=["vera"], team=ops, status=AuditStatus.SUCCEEDED
    )
    return ops
