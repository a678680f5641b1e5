"""Each signed-in person sees the interface in their language and times in their zone.

Language: the person's own choice (User.language), else what LocaleMiddleware found (the
switcher's cookie, then the browser's Accept-Language, then LANGUAGE_CODE). Time zone: the
person's (User.time_zone), else their first team's that has one, else TIME_ZONE. Both are
activated per request, so templates, forms and the date filters (apps/ui/params.py) read times
in the same zone the page shows them in.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from apps.accounts.models import Team, User


def zone_of(user: object) -> str:
    """The name of the zone `user` sees times in."""
    if isinstance(user, User) and user.is_authenticated:
        if user.time_zone:
            return user.time_zone
        team_zone = (
            Team.objects.filter(memberships__user=user)
            .exclude(time_zone="")
            .order_by("id")
            .values_list("time_zone", flat=True)
            .first()
        )
        if team_zone:
            return team_zone
    return str(settings.TIME_ZONE)


class PreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_of(user)))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))  # a zone removed from tzdata since
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
