"""Admin for cloud accounts: the SecretKey and token are write-only (never shown back)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.audit.models import AuditStatus
from apps.audit.services import audit_record
from apps.cloud.models import CloudAccount


class CloudAccountForm(forms.ModelForm):
    secret_key = forms.CharField(
        label="SecretKey",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write only. Leave empty to keep the stored key.",
    )
    token = forms.CharField(
        label="STS token",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Optional temporary-credential token. Write only; empty keeps the stored one.",
    )

    class Meta:
        model = CloudAccount
        fields = ["name", "team", "secret_id", "regions", "budget_share", "endpoint", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("secret_key"):
            self.add_error("secret_key", "A new account needs its SecretKey.")
        return data

    def save(self, commit: bool = True) -> CloudAccount:
        account = super().save(commit=False)
        if self.cleaned_data.get("secret_key"):
            account.secret_key = self.cleaned_data["secret_key"]
        if self.cleaned_data.get("token"):
            account.token = self.cleaned_data["token"]
        if commit:
            account.save()
        return account


@admin.register(CloudAccount)
class CloudAccountAdmin(admin.ModelAdmin):
    form = CloudAccountForm
    list_display = ["name", "team", "secret_id", "regions", "budget_share", "endpoint", "enabled"]

    def save_model(self, request: Any, obj: CloudAccount, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Field names only: a SecretKey change is recorded as a change, never its value.
        audit_record(
            user=request.user,
            action="account.change" if change else "account.create",
            targets=[obj.name],
            params={"fields": sorted(form.changed_data)},
            team=obj.team,
            account=obj,
            status=AuditStatus.SUCCEEDED,
        )
