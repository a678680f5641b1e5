"""A person's own language and time zone: the preferences page and the header's switcher."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.accounts.preferences import zone_of
from apps.accounts.zones import zone_names
from apps.ui.back import local_path


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("As my browser asks"))] + list(settings.LANGUAGES),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        choices=lambda: (
            [("", gettext_lazy("My team's (or the site's)"))] + [(z, z) for z in zone_names()]
        ),
    )

    class Meta:
        model = User
        fields = ["language", "time_zone"]


def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        response = redirect("preferences")
        _remember_language(response, user.language)
        translation.activate(user.language or translation.get_language())
        messages.success(request, _("Your preferences are saved."))
        return response
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "zone_now": zone_of(user), "site_zone": settings.TIME_ZONE},
    )


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's switcher: a signed-in person's choice is saved with them (it follows them
    to every browser); before sign-in it is kept in the language cookie."""
    language = request.POST.get("language", "")
    response = redirect(local_path(request.POST.get("next", "")))
    if language not in dict(settings.LANGUAGES):
        return response
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        user.language = language
        user.save(update_fields=["language"])
    _remember_language(response, language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
