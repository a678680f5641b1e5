"""Admin for cloud accounts: the SecretKey and token are write-only (never shown back)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.cloud.forms import RegionsField
from apps.cloud.models import CloudAccount
from apps.cloud.services import account_audit, account_state


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
    regions = RegionsField()

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

    def has_module_permission(self, request: Any) -> bool:
        # The endpoint is edited here, so only superusers: it aims the workers' requests.
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def save_model(self, request: Any, obj: CloudAccount, form: Any, change: bool) -> None:
        before = None
        if change:
            before = account_state(CloudAccount.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        account_audit(
            user=request.user,
            account=obj,
            before=before,
            secrets_changed=[f for f in ("secret_key", "token") if form.cleaned_data.get(f)],
            via="admin",
        )
