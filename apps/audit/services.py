"""Writing the audit log: `audit_record` when something is asked for, `audit_finish` once when
the cloud has answered."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.audit.models import AuditEvent, AuditStatus


def audit_record(
    *,
    user: Any,
    action: str,
    targets: list[str],
    params: dict[str, Any] | None = None,
    team: Any = None,
    account: Any = None,
    region: str = "",
    status: str = AuditStatus.PENDING,
) -> AuditEvent:
    """Write an event. Its team is the account's unless given: the audit log is read by team.
    The names are kept beside the keys, so the event outlives the user, team and account."""
    if team is None and account is not None:
        team = account.team
    event = AuditEvent(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "system",
        team=team,
        team_name=getattr(team, "name", ""),
        account=account,
        account_name=getattr(account, "name", ""),
        region=region,
        action=action,
        targets=targets,
        params=params or {},
        status=status,
        finished_at=None if status == AuditStatus.PENDING else timezone.now(),
    )
    event.save()
    return event


def audit_finish(
    event_id: int,
    *,
    ok: bool | None,
    request_id: str = "",
    error_code: str = "",
    error_message: str = "",
) -> bool:
    """The one change an event allows: pending -> succeeded | failed | unknown (`ok` None: the
    call may have been made, its answer was lost). False if the event was already final."""
    status = {True: AuditStatus.SUCCEEDED, False: AuditStatus.FAILED, None: AuditStatus.UNKNOWN}[ok]
    return bool(
        AuditEvent.objects.filter(pk=event_id, status=AuditStatus.PENDING).update(
            status=status,
            request_id=request_id[:64],
            error_code=error_code[:128],
            error_message=error_message[:2000],
            finished_at=timezone.now(),
        )
    )
