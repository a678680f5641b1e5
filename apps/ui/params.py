"""A page's query parameters, read with bounds.

Anything in a URL reaches the database: a 60,000-character search became a LIKE pattern
SQLite refuses ("LIKE or GLOB pattern too complex"), and `since=0001-01-01T00:00+14:00` a time
before year 1 in UTC (OverflowError). So every text is bounded, every time must be one the
database can hold, and what cannot be used is dropped and named in `problems`, one sentence
each, for the page to show instead of a 500.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

TEXT_LIMIT = 200  # far above any id or name the cloud allows (60 to 128 characters)


class Params:
    def __init__(self, data: QueryDict) -> None:
        self.data = data
        self.problems: list[str] = []

    def text(self, name: str, label: str) -> str:
        """The parameter `name`, stripped; "" when it is longer than TEXT_LIMIT."""
        value = self.data.get(name, "").strip()
        return value if self._fits(value, label) else ""

    def texts(self, name: str, label: str) -> list[str]:
        """Every non-blank value of a repeated parameter (state=A&state=B), each bounded."""
        values = [v.strip() for v in self.data.getlist(name) if v.strip()]
        return [v for v in values if self._fits(v, label)]

    def when(self, name: str, label: str) -> datetime | None:
        """An ISO 8601 time (naive: the site's time zone), or None if absent or unusable."""
        value = self.data.get(name, "").strip()
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
            parsed.astimezone(UTC)  # the database stores UTC: it must exist there too
        except (ValueError, OverflowError):
            message = _("%(label)s is not a time this page can use (%(value)s), so it was ignored.")
            self.problems.append(message % {"label": label, "value": value[:40]})
            return None
        return parsed

    def _fits(self, value: str, label: str) -> bool:
        if len(value) <= TEXT_LIMIT:
            return True
        message = _(
            "%(label)s is limited to %(limit)d characters (this one has %(length)d), so it was "
            "ignored."
        )
        self.problems.append(message % {"label": label, "limit": TEXT_LIMIT, "length": len(value)})
        return False
