"""Failed sign-ins lock a username out for a while, so a password cannot be guessed at speed.

Every authenticate() call passes here (`apps.accounts.backends`), so the sign-in page, the
admin's login and any other caller share one throttle. Failures are counted in the cache, each
counter for SIGNIN_LOCK_SECONDS from its first failure (a lock lasts that long from the failure
that set it):

- per username and per (username, address), SIGNIN_MAX_FAILURES: guessing one user's password,
  from one address or from many;
- per address, SIGNIN_ADDRESS_MAX_FAILURES (higher): guessing many names from one address,
  without one user's typos locking out everybody behind the same proxy or NAT.

A name nobody has is counted like any other, so a lockout says nothing about who exists.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from dashboard.proxy import client_address

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counter:
    kind: str  # what is locked: "user", "pair" (user and address) or "address"
    key: str
    limit: int


def _name(username: str) -> str:
    # Hashed: a username is typed by anyone, so it is no fit for a cache key as it is.
    return hashlib.sha256(username.casefold().encode()).hexdigest()[:32]


def _user_counters(username: str, address: str) -> list[Counter]:
    limit = settings.SIGNIN_MAX_FAILURES
    name = _name(username)
    counters = [Counter("user", f"jobdeck:signin:user:{name}", limit)]
    if address:
        counters.append(Counter("pair", f"jobdeck:signin:pair:{name}:{address}", limit))
    return counters


def _counters(username: str, address: str) -> list[Counter]:
    counters = _user_counters(username, address)
    if address:
        counters.append(
            Counter(
                "address", f"jobdeck:signin:addr:{address}", settings.SIGNIN_ADDRESS_MAX_FAILURES
            )
        )
    return counters


def locked(username: str, address: str) -> bool:
    """Whether a sign-in as `username` from `address` is refused without looking at the
    password. An unreachable cache locks nobody (the sign-in must not depend on Redis)."""
    counters = _counters(username, address)
    try:
        counts = cache.get_many([c.key for c in counters])
    except Exception as err:
        log.warning(
            "sign-in lockout not checked: the cache is unreachable (%s)", type(err).__name__
        )
        return False
    return any(counts.get(c.key, 0) >= c.limit for c in counters)


def _count(counter: Counter, address: str) -> None:
    seconds = settings.SIGNIN_LOCK_SECONDS
    cache.add(counter.key, 0, seconds)
    try:
        failures = cache.incr(counter.key)
    except ValueError:  # expired between add and incr: this failure starts a new window
        cache.add(counter.key, 1, seconds)
        failures = 1
    if failures == counter.limit:
        # The lock lasts its full time from the failure that set it, not from the first one.
        cache.touch(counter.key, seconds)
        # The typed name is not logged: people type their password into it by mistake.
        log.warning(
            "sign-in locked (%s, from %s) for %d s after %d failures",
            counter.kind,
            address or "no address",
            seconds,
            failures,
        )


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    try:
        address = client_address(request)
        for counter in _counters(str(credentials.get("username", "")), address):
            _count(counter, address)
    except Exception as err:
        log.warning(
            "sign-in failure not counted: the cache is unreachable (%s)", type(err).__name__
        )


@receiver(user_logged_in)
def forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The user's own counters only: the address counter stays, or anyone with an account
    # could reset it between guesses at other names.
    try:
        cache.delete_many(
            [c.key for c in _user_counters(user.get_username(), client_address(request))]
        )
    except Exception as err:
        log.warning(
            "sign-in failures not cleared: the cache is unreachable (%s)", type(err).__name__
        )
