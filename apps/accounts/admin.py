"""Users, teams and memberships in the admin; every change of a team's members is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.forms import AdminSignInForm
from apps.accounts.models import Membership, Team, User
from apps.audit.models import AuditStatus
from apps.audit.services import audit_record

# The admin's login says when a name is locked out (the backend refuses it either way).
admin.site.login_form = AdminSignInForm
admin.site.register(User, UserAdmin)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    inlines = [MembershipInline]
    list_display = ["name"]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        changed = [
            f"{m.user.username}={m.role}"
            for m in formset.new_objects + [o for o, _ in formset.changed_objects]
        ]
        removed = [m.user.username for m in formset.deleted_objects]
        if changed or removed:
            audit_record(
                user=request.user,
                action="membership.change",
                targets=[form.instance.name],
                params={"set": changed, "removed": removed},
                team=form.instance,
                status=AuditStatus.SUCCEEDED,
            )
