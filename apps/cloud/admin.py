"""Admin for cloud accounts: the SecretKey and token are write-only (never shown back); the
list says which key pairs are temporary and when they expire."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.cloud.forms import RegionsField, TokenFields
from apps.cloud.models import CloudAccount
from apps.cloud.services import account_audit, account_state


class CloudAccountForm(TokenFields, forms.ModelForm):
    secret_key = forms.CharField(
        label="SecretKey",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write only. Leave empty to keep the stored key.",
    )
    regions = RegionsField()

    class Meta:
        model = CloudAccount
        fields = [
            "name",
            "team",
            "secret_id",
            "regions",
            "omics_projects",
            "budget_share",
            "endpoint",
            "enabled",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("secret_key"):
            self.add_error("secret_key", "A new account needs its SecretKey.")
        return data

    def save(self, commit: bool = True) -> CloudAccount:
        account = super().save(commit=False)  # the token and its expiry: TokenFields.clean
        if self.cleaned_data.get("secret_key"):
            account.secret_key = self.cleaned_data["secret_key"]
        if commit:
            account.save()
        return account


@admin.register(CloudAccount)
class CloudAccountAdmin(admin.ModelAdmin):
    form = CloudAccountForm
    fields = [
        "name",
        "team",
        "secret_id",
        "secret_key",
        "token",
        "clear_token",
        "token_expires_at",
        "regions",
        "budget_share",
        "endpoint",
        "enabled",
    ]
    list_display = [
        "name",
        "team",
        "secret_id",
        "key_pair",
        "regions",
        "budget_share",
        "endpoint",
        "enabled",
    ]

    @admin.display(description=_("Key pair"))
    def key_pair(self, obj: CloudAccount) -> str:
        return obj.key_pair_summary

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
            secrets_changed=form.secrets_changed(),
            via="admin",
        )
        for warning in form.warnings:
            messages.warning(request, warning)
