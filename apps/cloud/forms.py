"""The fields every account form shares (the team admin's page, the Django admin).

Regions: one checkbox per served region, labelled with what it gets. The token: it makes the
key pair a temporary one (STS), which stops working at its expiry. "X-TC-Token: the token used
for a temporary certificate. It must be used with a temporary key [...] No token is required
for a long-term key." (https://www.tencentcloud.com/document/api/599/33212)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.cloud.regions import clean_regions, region_choices


class RegionsField(forms.MultipleChoiceField):
    """One checkbox per served region, each labelled with what it gets ("ap-nanjing — Omics
    environments only"). Validated by `clean_regions` alone, not Django's choice check: the
    pattern comes first there, so a hostile value is refused without being echoed."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Regions"))
        kwargs.setdefault("help_text", _("Each region gets only the products served there."))
        # A callable: the labels are translated when the form is shown, not at import.
        super().__init__(choices=region_choices, **kwargs)

    def clean(self, value: Any) -> list[str]:
        return clean_regions(self.to_python(value))


def _expiry_help() -> str:
    return gettext(
        "When the temporary key pair stops working, in your time zone (%(zone)s), as STS "
        "answered it (Expiration). Empty with a token: Jobdeck cannot warn before it stops."
    ) % {"zone": timezone.get_current_timezone_name()}


class TokenFields(forms.Form):
    """Mixed into a ModelForm of CloudAccount, before it: `class F(TokenFields, ModelForm)`.

    Like the SecretKey, the token is write-only and an empty field keeps the stored one;
    "clear" removes it (the pair is long-term again). After `is_valid()`, `warnings` says what
    is allowed but worth telling (a token without an expiry) and `token_changed` whether the
    stored token was replaced or cleared (for the audit, which never records the token).
    """

    instance: Any
    token = forms.CharField(
        label=_("Token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "A token makes this a temporary key pair: the SecretId, SecretKey and token that STS "
            "issued together. Write only; empty keeps the stored token."
        ),
    )
    clear_token = forms.BooleanField(
        label=_("Clear the stored token (a long-term key pair takes none)"), required=False
    )
    token_expires_at = forms.DateTimeField(
        label=_("Token expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token_expires_at"].help_text = _expiry_help()
        self.fields["token_expires_at"].initial = self.instance.token_expires_at
        self.had_token = self.instance.is_temporary
        if not self.had_token:  # nothing to clear (hidden, not removed: the admin lists it)
            self.fields["clear_token"].widget = forms.HiddenInput()
        token_fields = ["token", "clear_token", "token_expires_at"]
        self.order_fields([name for name in self.fields if name not in token_fields] + token_fields)
        self.warnings: list[str] = []
        self.token_changed = False

    def clean(self) -> dict[str, Any]:
        """Put the token and its expiry on the instance, so the model's own check (an expiry
        without a token is refused, `CloudAccount.clean`) sees what will be saved."""
        data = super().clean() or {}
        token, clear = data.get("token") or "", bool(data.get("clear_token"))
        if token and clear:
            self.add_error("clear_token", gettext("Paste a new token or clear it, not both."))
            return data
        # The expiry belongs to the token: clearing one clears the other.
        expires_at = None if clear else data.get("token_expires_at")
        changed = token or not _same_minute(expires_at, self.instance.token_expires_at)
        if changed and expires_at is not None and expires_at <= timezone.now():
            message = gettext("This time has passed: the token no longer works.")
            self.add_error("token_expires_at", message)
        if token or clear:
            self.instance.token = token
        self.token_changed = bool(token) or (clear and self.had_token)
        self.instance.token_expires_at = expires_at
        if self.instance.is_temporary and expires_at is None:
            self.warnings.append(
                gettext(
                    "The token has no expiry: Jobdeck cannot tell when the temporary key pair "
                    "stops working, so it cannot warn before."
                )
            )
        return data

    def secrets_changed(self) -> list[str]:
        """Which secrets this save replaced or cleared, for the audit (never their values)."""
        replaced = {
            "secret_key": bool(self.cleaned_data.get("secret_key")),
            "token": self.token_changed,
        }
        return [name for name, changed in replaced.items() if changed]


def _same_minute(posted: datetime | None, stored: datetime | None) -> bool:
    """The field shows minutes: a stored 08:00:42 comes back as 08:00, which is no change (an
    expired account can still be edited, e.g. disabled, without pasting a new token)."""
    if posted is None or stored is None:
        return posted is stored
    return posted.replace(second=0, microsecond=0) == stored.replace(second=0, microsecond=0)
