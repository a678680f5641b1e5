"""Template filters and tags of apps.ui: `{% load ui %}`.

They make the pure helpers usable from templates: {{ log|ansi }}, {% for line in log|ansi_lines %},
{{ job.updated|ago }}, {{ seconds|duration }}, {% state_badge job.state %}.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.ui import humanize
from apps.ui.ansi import ansi_to_html, log_lines
from apps.ui.markup import clean_text, css_token

register = template.Library()


@register.filter(name="ansi")
def ansi(value: str | bytes | None) -> SafeString:
    """Terminal output as HTML with ANSI colours as classes (see apps.ui.ansi)."""
    return ansi_to_html(value)


@register.filter(name="ansi_lines")
def ansi_lines(value: str | bytes | None) -> list[SafeString]:
    """The same, one item per line, so a template can number the lines."""
    return log_lines(value)


@register.filter(name="ago")
def ago(value: datetime | None) -> str:
    """'4 min ago' relative to the current time; '' for a value that isn't a datetime."""
    if value is not None and not isinstance(value, datetime):
        return ""  # a template variable that failed to resolve must not break the page
    now = timezone.now()
    if value is not None and timezone.is_naive(value) and timezone.is_aware(now):
        # A naive value (e.g. parsed from the API) is taken as wall-clock time of the site.
        value = timezone.make_aware(value)
    return humanize.ago(value, now)


@register.filter(name="duration")
def duration(value: float | int | timedelta | None) -> str:
    """'3 min 5 s' from seconds (or a timedelta); '—' for None or anything unusable."""
    if isinstance(value, timedelta):
        return humanize.duration(value.total_seconds())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return humanize.duration(None)
    return humanize.duration(value)


@register.simple_tag(name="state_badge")
def state_badge(state: object) -> SafeString:
    """<span class="badge state-<STATE>">STATE</span> for any state, known or not.

    The text is shown as given (escaped); the class keeps only [A-Za-z0-9_-], so a new state
    the API invents still renders, just without a colour until the CSS learns it.
    """
    text = clean_text(state).strip()
    if not text:
        return format_html('<span class="badge state-unknown">{}</span>', "\u2014")
    return format_html('<span class="badge state-{}">{}</span>', css_token(text), text)
