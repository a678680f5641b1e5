from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from apps.accounts.lockout import _address, locked


class SignInForm(AuthenticationForm):
    """Django's sign-in form that refuses a username or address locked out by failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if locked(username, _address(self.request)):
            raise forms.ValidationError(
                "Too many failed sign-ins. Try again in 15 minutes.", code="locked_out"
            )
        return super().clean()
