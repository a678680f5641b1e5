"""The only way to Tencent Cloud: limiter first, then one call, retries only where safe.

`cloud_call(scope, service, action, params)` spends the bucket of (account, region, service,
action) at the documented limit x the account's budget share. Reads are retried on
RateLimited and Unavailable with exponential backoff and jitter; state-changing actions never
are (a retried RetryJobs would be a second retry). With `block=False` a busy bucket raises
`Throttled(wait)` instead of sleeping, so a Celery task can re-schedule itself.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC
from typing import Any

import redis
import requests
from django.conf import settings
from django.utils.translation import gettext

from apps.cloud import client
from apps.cloud.crypto import SecretUnreadable
from apps.cloud.errors import CloudError, RateLimited, Unavailable, UnsupportedRegion
from apps.cloud.limits import is_read, limit_for
from apps.cloud.models import CloudAccount
from apps.cloud.regions import serves
from apps.cloud.scope import Scope
from apps.cloud.throttle import Bucket, Throttle

log = logging.getLogger(__name__)
READ_RETRIES = 3
BACKOFF_BASE = 0.5  # seconds; doubled per attempt, with full jitter
BACKOFF_CAP = 8.0


class Throttled(Exception):
    """The bucket is busy for `wait` more seconds (raised with block=False)."""

    def __init__(self, bucket: Bucket, wait: float) -> None:
        super().__init__(f"{bucket.action} in {bucket.region}: next slot in {wait:.2f} s")
        self.bucket = bucket
        self.wait = wait


class CannotSign(CloudError):
    """The account's credentials cannot be used, so nothing is sent: the sync and the actions
    record it like any failed call, before any budget is spent or any call marked as sent."""


class CredentialsUnreadable(CannotSign):
    """The account's stored SecretKey (or token) cannot be decrypted with the current
    FIELD_ENCRYPTION_KEY."""


class TokenExpired(CannotSign):
    """The account's temporary key pair is past its expiry: the cloud would refuse it
    (AuthFailure.TokenFailure), so it is not sent at all."""


def credentials_for(account: CloudAccount) -> client.Credentials:
    """The account's key pair, decrypted; raises CannotSign when it cannot be used: the key
    has changed (CredentialsUnreadable), or the token has expired (TokenExpired)."""
    if account.token_expired:
        raise TokenExpired("TokenExpired", token_expired_message(account))
    try:
        return client.Credentials(account.secret_id, account.secret_key, account.token)
    except SecretUnreadable:
        message = "the stored SecretKey cannot be decrypted: FIELD_ENCRYPTION_KEY changed?"
        raise CredentialsUnreadable("SecretUnreadable", message) from None


def token_expired_message(account: CloudAccount) -> str:
    expired_at = account.token_expires_at
    when = expired_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if expired_at else "?"
    return gettext(
        "the temporary key pair expired at %(when)s; paste a new SecretId, SecretKey and token"
    ) % {"when": when}


_local = threading.local()
_throttle_lock = threading.Lock()
_throttle: Throttle | None = None


def throttle() -> Throttle:
    global _throttle
    with _throttle_lock:
        if _throttle is None:
            _throttle = Throttle(redis.Redis.from_url(settings.REDIS_URL))
        return _throttle


def reset_throttle() -> None:
    """Forget the Redis connection (tests switch servers; settings may change)."""
    global _throttle
    with _throttle_lock:
        _throttle = None


def _session(scope: Scope) -> requests.Session:
    sessions = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    key = scope.key
    if key not in sessions:
        sessions[key] = requests.Session()  # connection reuse per account and region
    return sessions[key]


def rate_for(account: CloudAccount, service: str, action: str) -> float:
    return limit_for(service, action) * account.budget_share * settings.CLOUD_RATE_SCALE


def slot_interval(scope: Scope, service: str, action: str) -> float:
    """Seconds between two of the bucket's slots at its current rate (lowered after a
    RequestLimitExceeded): how long the limiter makes the next call wait, without taking a slot."""
    bucket = Bucket(str(scope.account.pk), scope.region, service, action)
    rate = throttle().counters(bucket, rate_for(scope.account, service, action))["rate"]
    return 1.0 / rate if rate > 0 else BACKOFF_CAP


def acquire(
    scope: Scope, service: str, action: str, *, block: bool = True, max_wait: float = 30.0
) -> Bucket:
    """Wait for (or refuse) the bucket's next slot."""
    bucket = Bucket(str(scope.account.pk), scope.region, service, action)
    rate = rate_for(scope.account, service, action)
    deadline = time.monotonic() + max_wait
    while True:
        decision = throttle().try_acquire(bucket, rate)
        if decision.granted:
            return bucket
        if not block or time.monotonic() + decision.wait > deadline:
            raise Throttled(bucket, decision.wait)
        time.sleep(decision.wait)


def refuse_unserved(scope: Scope, service: str, action: str) -> None:
    """Raise what the cloud would answer (UnsupportedRegion) for an action its region does not
    serve: such a call would only spend the budget to be refused."""
    if not serves(service, action, scope.region):
        raise UnsupportedRegion(
            "UnsupportedRegion",
            f"{action} is not served in {scope.region} (refused before sending).",
        )


def cloud_call(
    scope: Scope,
    service: str,
    action: str,
    params: dict[str, Any] | None = None,
    *,
    block: bool = True,
    max_wait: float = 30.0,
    slot: Bucket | None = None,
    credentials: client.Credentials | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """One call (reads retried where safe). `slot`: the caller already holds this bucket's
    slot (from `acquire`), so it knows the budget allows the call before it records it;
    `credentials`: the caller read them before it recorded the call (`credentials_for`);
    `language`: the language of the cloud's messages for the person the call is made for
    (`language.cloud_language`), CLOUD_LANGUAGE for the sync engine's own calls."""
    # With block=False the caller (a Celery task) re-schedules itself: retrying here would
    # only meet the busy bucket again.
    attempts = READ_RETRIES + 1 if is_read(action) and block else 1
    account = scope.account
    refuse_unserved(scope, service, action)  # before anything is spent
    # Before the budget is spent: an unreadable key sends nothing.
    credentials = credentials or credentials_for(account)
    where = {"account": account.name, "region": scope.region, "action": action}
    for attempt in range(attempts):
        if slot is not None and attempt == 0:
            bucket = slot
        else:
            bucket = acquire(scope, service, action, block=block, max_wait=max_wait)
        try:
            reply = client.call(
                credentials=credentials,
                service=service,
                action=action,
                region=scope.region,
                params=params or {},
                endpoint=account.endpoint,
                session=_session(scope),
                timeout=(settings.CLOUD_CONNECT_TIMEOUT, settings.CLOUD_READ_TIMEOUT),
                language=language or settings.CLOUD_LANGUAGE,
            )
        except CloudError as err:
            failure = {"code": err.code, "request_id": err.request_id}
            log.info("cloud call failed", extra=where | failure)
            if isinstance(err, RateLimited):  # someone else spends the budget: slow down
                throttle().penalize(bucket, rate_for(account, service, action))
            if not isinstance(err, (RateLimited, Unavailable)) or attempt == attempts - 1:
                raise
        else:
            log.debug("cloud call", extra=where | {"request_id": reply.get("RequestId", "")})
            return reply
        time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
    raise AssertionError("unreachable")


def budget_snapshot(accounts: Any = None) -> list[dict[str, Any]]:
    """Every bucket's counters and current rate (of `accounts`, default all), for the overview
    and the metrics endpoint."""
    accounts = {
        str(a.pk): a for a in (CloudAccount.objects.all() if accounts is None else accounts)
    }
    rows = []
    for bucket in throttle().buckets():
        account = accounts.get(bucket.account)
        if account is None:
            continue
        configured = rate_for(account, bucket.service, bucket.action)
        counters = throttle().counters(bucket, configured)
        rows.append(
            {
                "account": account.name,
                "region": bucket.region,
                "service": bucket.service,
                "action": bucket.action,
                "configured_rate": configured,
                **counters,
            }
        )
    return rows
