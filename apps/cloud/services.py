"""Writes on cloud accounts (HackSoft style: `<entity>_<verb>`, keyword-only arguments)."""

from __future__ import annotations

from django.conf import settings

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
) -> CloudAccount:
    account = CloudAccount(
        name=name,
        secret_id=secret_id,
        regions=regions,
        budget_share=settings.CLOUD_DEFAULT_BUDGET_SHARE if budget_share is None else budget_share,
        endpoint=endpoint,
    )
    account.secret_key = secret_key
    account.token = token
    account.full_clean()
    account.save()
    return account


def account_ensure_default() -> CloudAccount | None:
    """The account from TENCENTCLOUD_SECRET_ID / _SECRET_KEY (the names the official tools use),
    created once; the demo's points at the emulator. None when no key pair is configured."""
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
    )
