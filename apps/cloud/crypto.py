"""Secrets at rest: Fernet with a key from the environment (FIELD_ENCRYPTION_KEY).

Production sets its own key (the processes refuse to start without one, dashboard/startup.py),
so rotating DJANGO_SECRET_KEY does not lose the stored SecretKeys and a database dump alone
decrypts nothing. Only a DEBUG process (the demo) without one derives it from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key."""


@cache
def _fernet(key: str, derive_from: str) -> Fernet:
    if not key:
        digest = hashlib.sha256(("jobdeck-field-key:" + derive_from).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))
    return Fernet(key.encode())


def _current() -> Fernet:
    if settings.FIELD_ENCRYPTION_KEY:
        return _fernet(settings.FIELD_ENCRYPTION_KEY, "")
    if not settings.DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set (DJANGO_DEBUG is off)")
    return _fernet("", settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY"
        ) from None
