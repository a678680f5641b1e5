"""The authentication backend: Django's, behind the sign-in lockout, so every way in (the
sign-in page, the admin's login, any authenticate() call) is throttled by the same counters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.lockout import locked
from apps.accounts.models import User
from dashboard.proxy import client_address


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        name = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if locked(str(name or ""), client_address(request)):
            # PermissionDenied ends authenticate() at once (no other backend is asked) and
            # still counts as a failure; the password is never checked.
            raise PermissionDenied
        return super().authenticate(request, username, password, **kwargs)
