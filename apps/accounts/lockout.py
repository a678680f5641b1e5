"""Repeated failed sign-ins lock the username out for a while (per username and per address),
so a password cannot be guessed at speed."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

log = logging.getLogger(__name__)
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _keys(username: str, address: str) -> list[str]:
    return [f"jobdeck:signin:user:{username.lower()}", f"jobdeck:signin:addr:{address}"]


def locked(username: str, address: str) -> bool:
    try:
        return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(username, address))
    except Exception:
        return False


def _address(request: Any) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    try:
        for key in _keys(str(credentials.get("username", "")), _address(request)):
            cache.add(key, 0, LOCK_SECONDS)
            cache.incr(key)
    except Exception as err:
        log.warning(
            "sign-in failure not counted: the cache is unreachable (%s)", type(err).__name__
        )


@receiver(user_logged_in)
def forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    try:
        cache.delete(_keys(user.get_username(), _address(request))[0])
    except Exception as err:
        log.warning(
            "sign-in failures not cleared: the cache is unreachable (%s)", type(err).__name__
        )
