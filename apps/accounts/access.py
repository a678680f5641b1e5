"""Who may see and do what: the one module that decides it (views, fragments, downloads,
search, actions and the audit page all ask here; nothing re-derives it).

A member of a team sees every cloud account of the team and everything under it, and the team's
audit log; an operator or admin also acts on it; an admin also manages the team's accounts and
members. Superusers see and do everything.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.accounts.models import ACTING_ROLES, Membership, Role, Team, User
from apps.cloud.models import CloudAccount

AnyUser = User | AnonymousUser  # what `request.user` is


def _superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


def visible_accounts(user: AnyUser) -> QuerySet[CloudAccount]:
    """The accounts whose objects `user` may see: those of the teams they belong to. Every
    query behind a page, a fragment, a download or a search starts from here."""
    accounts = CloudAccount.objects.filter(enabled=True)
    if _superuser(user):
        return accounts
    if not user.is_authenticated:
        return accounts.none()
    return accounts.filter(team__memberships__user=user).distinct()


def visible_audit(user: AnyUser) -> Q:
    """Which audit events `user` reads (a filter on the events' `team`): those of the teams
    they belong to, whatever became of the accounts the events name (disabled, deleted). A
    superuser reads every event, also those of no team or of a team since deleted."""
    if _superuser(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(team_id__in=Membership.objects.filter(user=user).values("team_id"))


def can_act(user: AnyUser, account: CloudAccount) -> bool:
    """Whether `user` may retry and terminate what lives in `account`."""
    if _superuser(user):
        return True
    if not user.is_authenticated or account.team_id is None:
        return False
    memberships = Membership.objects.filter(user=user, team_id=account.team_id)
    return memberships.filter(role__in=ACTING_ROLES).exists()


def acts_anywhere(user: AnyUser) -> bool:
    """Whether the user is an operator or admin of any team (else every action is refused)."""
    if _superuser(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role__in=ACTING_ROLES).exists()


def administered_teams(user: AnyUser) -> QuerySet[Team]:
    """The teams whose accounts and members `user` manages."""
    if _superuser(user):
        return Team.objects.all()
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user, memberships__role=Role.ADMIN)


def team_to_manage(user: AnyUser, team_id: int) -> Team:
    """The team, if `user` is its admin: 404 when it does not exist, 403 when not theirs."""
    team = get_object_or_404(Team, pk=team_id)
    if not administered_teams(user).filter(pk=team.pk).exists():
        raise PermissionDenied("Only an admin of the team may manage it.")
    return team
