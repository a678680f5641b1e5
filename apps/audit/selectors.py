"""Reads of the audit log: the events a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.access import AnyUser, visible_audit
from apps.audit.models import AuditEvent


def events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    """The events of `user`'s teams, read by team and shown by the names kept on each event,
    so a disabled or deleted account, team or user hides none of them."""
    return AuditEvent.objects.filter(visible_audit(user))


def events_about(user: AnyUser, target: str, *, limit: int = 10) -> list[AuditEvent]:
    """The latest events that name `target` (an object page's "latest actions")."""
    return list(events_for(user).filter(targets__icontains=target)[:limit])
