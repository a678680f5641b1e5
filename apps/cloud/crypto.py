"""Secrets at rest: Fernet with a key from the environment (FIELD_ENCRYPTION_KEY).

When FIELD_ENCRYPTION_KEY is unset the key is derived from DJANGO_SECRET_KEY, so the demo
needs no setup; production sets its own key (and rotating DJANGO_SECRET_KEY then does not
lose the stored SecretKeys).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key."""


@cache
def _fernet(key: str) -> Fernet:
    if not key:
        digest = hashlib.sha256(("jobdeck-field-key:" + settings.SECRET_KEY).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))
    return Fernet(key.encode())


def _current() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


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
