"""Writes on users, teams and memberships."""

from __future__ import annotations

from apps.accounts.models import Membership, Role, Team, User
from apps.cloud.models import CloudAccount

# The demo team: one user per role (password = name), and `demo`, an operator.
DEMO_USERS = (
    ("demo", Role.OPERATOR),
    ("viewer", Role.VIEWER),
    ("operator", Role.OPERATOR),
    ("admin", Role.ADMIN),
)


def membership_set(*, team: Team, user: User, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        team=team, user=user, defaults={"role": role}
    )
    return membership


def team_ensure_demo(account: CloudAccount | None) -> list[tuple[str, str]]:
    """The demo team owning the demo account, with its users; returns (username, role)."""
    team, _ = Team.objects.get_or_create(name="demo")
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            # The demo's weak passwords are deliberate (printed at start); validators would refuse them.
            user = User.objects.create_user(username, f"{username}@example.com", username)
        membership_set(team=team, user=user, role=role)
    if account is not None and account.team_id != team.pk:
        account.team = team
        account.save(update_fields=["team"])
    return [(u, r.value) for u, r in DEMO_USERS]
