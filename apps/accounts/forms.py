from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext

from apps.accounts.lockout import locked
from dashboard.proxy import client_address


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when the name or the address is locked out (the
    backend refuses it either way; this gives the reason instead of "wrong password")."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if locked(username, client_address(self.request)):
            minutes = -(-settings.SIGNIN_LOCK_SECONDS // 60)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins. Try again in %(minutes)d minute.",
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked_out",
            )
        return super().clean()


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's login form with the same lockout message (staff accounts only, as before)."""
