"""A team's admin manages its cloud accounts and members here (every change audited); the
SecretKey and token are write-only: never shown, empty keeps the stored one (the token's
fields: apps/cloud/forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import administered_teams, team_to_manage
from apps.accounts.models import Membership, Role, User
from apps.accounts.services import membership_set
from apps.audit.models import AuditStatus
from apps.audit.services import audit_record
from apps.cloud.forms import RegionsField, TokenFields
from apps.cloud.models import CloudAccount
from apps.cloud.projects import clean_omics_projects, parse_projects, projects_as_text
from apps.cloud.services import account_audit, account_state


class AccountForm(TokenFields, forms.ModelForm):
    secret_key = forms.CharField(
        label="SecretKey",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write only. Empty keeps the stored key.",
    )
    regions = RegionsField()
    omics_projects_text = forms.CharField(
        label=_("Omics projects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: a region and a project id (ap-guangzhou prj-…). Needed only when "
            "the key pair may not call DescribeProjects: the projects it lists are watched anyway."
        ),
    )

    class Meta:
        model = CloudAccount
        # Not the endpoint: it aims the workers' signed requests, so only a superuser (the
        # Django admin) or the deployment sets it.
        fields = ["name", "secret_id", "budget_share", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].initial = self.instance.regions or []
        self.fields["omics_projects_text"].initial = projects_as_text(self.instance.omics_projects)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("secret_key"):
            self.add_error("secret_key", "A new account needs its SecretKey.")
        if "regions" in data:  # checked by the field (RegionsField)
            self.instance.regions = data["regions"]
        if "omics_projects_text" in self.data:  # absent: keep what is stored
            # Checked here, against the regions just chosen, so the message lands on this
            # field (the model's own check has no form field to name).
            try:
                projects = parse_projects(data.get("omics_projects_text", ""))
                regions = data.get("regions") or self.instance.regions
                self.instance.omics_projects = clean_omics_projects(projects, regions)
            except ValidationError as err:
                self.add_error("omics_projects_text", err)
        return data


@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    teams = administered_teams(request.user)
    return render(request, "accounts/team_list.html", {"teams": teams.order_by("name")})


@require_GET
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_to_manage(request.user, team_id)
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "accounts": team.cloud_accounts.order_by("name"),
            "roles": Role.choices,
            "members": team.memberships.select_related("user").order_by("user__username"),
            "account_form": AccountForm(),
        },
    )


@require_POST
def member_set(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_to_manage(request.user, team_id)
    user = User.objects.filter(username=request.POST.get("username", "").strip()).first()
    role = request.POST.get("role", "")
    if user is None or role not in Role.values:
        messages.error(request, "Name an existing user and a role.")
    else:
        membership_set(team=team, user=user, role=role)
        audit_record(
            user=request.user,
            action="membership.set",
            targets=[user.username],
            params={"role": role},
            team=team,
            status=AuditStatus.SUCCEEDED,
        )
        messages.success(request, f"{user.username} is now {role} of {team.name}.")
    return redirect("team-detail", team.pk)


@require_POST
def member_remove(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    team = team_to_manage(request.user, team_id)
    membership = get_object_or_404(Membership, team=team, user_id=user_id)
    username = membership.user.username
    membership.delete()
    audit_record(
        user=request.user,
        action="membership.remove",
        targets=[username],
        team=team,
        status=AuditStatus.SUCCEEDED,
    )
    messages.success(request, f"{username} left {team.name}.")
    return redirect("team-detail", team.pk)


@require_POST
def account_save(request: HttpRequest, team_id: int, account_id: int | None = None) -> HttpResponse:
    team = team_to_manage(request.user, team_id)
    account = (
        get_object_or_404(CloudAccount, pk=account_id, team=team)
        if account_id
        else CloudAccount(team=team)
    )
    before = account_state(account) if account.pk else None
    form = AccountForm(request.POST, instance=account)
    if form.is_valid():
        account = form.save(commit=False)
        if form.cleaned_data.get("secret_key"):
            account.secret_key = form.cleaned_data["secret_key"]
        try:
            account.full_clean()
        except ValidationError as err:
            messages.error(request, "; ".join(err.messages))
            return redirect("team-detail", team.pk)
        account.save()
        account_audit(
            user=request.user,
            account=account,
            before=before,
            secrets_changed=form.secrets_changed(),
        )
        messages.success(request, f"Saved the account {account.name}.")
        for warning in form.warnings:
            messages.warning(request, warning)
    else:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
    return redirect("team-detail", team.pk)
