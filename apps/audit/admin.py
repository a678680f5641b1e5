"""The audit log in the admin: read only (no add, no change, no delete; the database refuses
them anyway). It shows the names kept on each event, not the related rows, which may be gone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "username",
        "action",
        "team_name",
        "account_name",
        "region",
        "status",
        "request_id",
        "error_code",
    ]
    list_filter = ["status", "action"]
    search_fields = ["username", "team_name", "account_name", "action", "request_id", "targets"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
