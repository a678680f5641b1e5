"""Time zones a person or a team may choose: the IANA names Python's zoneinfo knows."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted (people look theirs up by region and city)."""
    return tuple(sorted(available_timezones()))


def validate_time_zone(value: str) -> None:
    if value and value not in zone_names():
        raise ValidationError(
            _("%(zone)s is not a time zone name (e.g. Asia/Shanghai)."), params={"zone": value[:64]}
        )
