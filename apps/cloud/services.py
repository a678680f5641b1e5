"""Writes on cloud accounts (HackSoft style: `<entity>_<verb>`, keyword-only arguments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.audit.models import AuditStatus
from apps.audit.services import audit_record
from apps.cloud.models import CloudAccount

DEFAULT_ACCOUNT_NAME = "default"


def account_create(
    *,
    name: str,
    secret_id: str,
    secret_key: str,
    regions: list[str],
    budget_share: float | None = None,
    endpoint: str = "",
    token: str = "",
    token_expires_at: datetime | None = None,
) -> CloudAccount:
    account = CloudAccount(
        name=name,
        secret_id=secret_id,
        regions=regions,
        budget_share=settings.CLOUD_DEFAULT_BUDGET_SHARE if budget_share is None else budget_share,
        endpoint=endpoint,
        token_expires_at=token_expires_at,
    )
    account.secret_key = secret_key
    account.token = token
    account.full_clean()
    account.save()
    return account


def account_ensure_default() -> CloudAccount | None:
    """The account from TENCENTCLOUD_SECRET_ID / _SECRET_KEY, and _TOKEN for a temporary key
    pair (the names the official tools use) with its _TOKEN_EXPIRES_AT, created once; the
    demo's points at the emulator. None when no key pair is configured."""
    if not (settings.TENCENTCLOUD_SECRET_ID and settings.TENCENTCLOUD_SECRET_KEY):
        return None
    existing = CloudAccount.objects.filter(name=DEFAULT_ACCOUNT_NAME).first()
    if existing is not None:
        return existing
    return account_create(
        name=DEFAULT_ACCOUNT_NAME,
        secret_id=settings.TENCENTCLOUD_SECRET_ID,
        secret_key=settings.TENCENTCLOUD_SECRET_KEY,
        regions=[settings.TENCENTCLOUD_REGION],
        endpoint=settings.TENCENTCLOUD_ENDPOINT,
        token=settings.TENCENTCLOUD_TOKEN,
        token_expires_at=_configured_expiry(),
    )


def _configured_expiry() -> datetime | None:
    """TENCENTCLOUD_TOKEN_EXPIRES_AT; a value that is not ISO 8601 stops the start with its name."""
    raw = settings.TENCENTCLOUD_TOKEN_EXPIRES_AT.strip()
    if not raw:
        return None
    try:
        return token_expiry(raw)
    except ValueError:
        message = (
            f"TENCENTCLOUD_TOKEN_EXPIRES_AT must be ISO 8601 (2026-12-02T08:00:00Z), not {raw!r}"
        )
        raise ImproperlyConfigured(message) from None


def token_expiry(raw: str) -> datetime:
    """A token's expiry from ISO 8601; a time without a zone is UTC, as STS's Expiration."""
    parsed = datetime.fromisoformat(raw.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# What an account change records, old and new; the SecretKey and token only as "changed".
AUDITED_FIELDS = ("name", "team", "secret_id", "regions", "budget_share", "endpoint", "enabled")


def account_state(account: CloudAccount) -> dict[str, Any]:
    """The account's non-secret fields as the audit log keeps them (the team by name; whether
    a token makes the key pair temporary, and its expiry in ISO 8601, never the token)."""
    state = {field: getattr(account, field) for field in AUDITED_FIELDS if field != "team"}
    state["team"] = account.team.name if account.team_id and account.team else None
    state["temporary"] = account.is_temporary
    expires_at = account.token_expires_at
    state["token_expires_at"] = expires_at.isoformat() if expires_at else None
    return state


def account_audit(
    *,
    user: Any,
    account: CloudAccount,
    before: dict[str, Any] | None,
    secrets_changed: list[str],
    via: str = "",
) -> None:
    """Record an account's creation (`before` None) or change: every non-secret field that
    changed with its old and new value, and which secrets were replaced (never their values)."""
    after = account_state(account)
    changes = {
        field: {"old": None if before is None else before[field], "new": after[field]}
        for field in after
        if before is None or before[field] != after[field]
    }
    audit_record(
        user=user,
        action="account.create" if before is None else "account.change",
        targets=[account.name],
        params={"changes": changes, "secrets_changed": sorted(secrets_changed)}
        | ({"via": via} if via else {}),
        account=account,  # the event's team is the account's (audit_record)
        status=AuditStatus.SUCCEEDED,
    )
