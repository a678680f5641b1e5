"""Reads of the audit log: the events a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.accounts.access import AnyUser, visible_accounts
from apps.audit.models import AuditEvent


def events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    """Events of the accounts `user` sees, and their teams' events that name no account
    (membership and account changes)."""
    accounts = visible_accounts(user)
    teams = accounts.values("team")
    mine = Q(account__in=accounts) | Q(account=None, team__in=teams)
    return AuditEvent.objects.filter(mine).select_related("account")


def events_about(user: AnyUser, target: str, *, limit: int = 10) -> list[AuditEvent]:
    """The latest events that name `target` (an object page's "latest actions")."""
    return list(events_for(user).filter(targets__icontains=target)[:limit])
