"""Template filters and tags of apps.ui: `{% load ui %}`.

They make the pure helpers usable from templates: {{ log|ansi }}, {% for line in log|ansi_lines %},
{{ job.updated|ago }}, {{ job.created_at|when }}, {{ seconds|duration }}, {% state_badge job.state %}, {% plain_words error_code %}; and the page
furniture: {% pager page %} (templates/components/pager.html) and {% aria_current "batch:job-*" %}
for the main navigation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from django import template
from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.cloud.errors import in_plain_words
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


def _aware(value: datetime) -> datetime:
    # A naive value (e.g. parsed from the API) is taken as wall-clock time of the site.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _exact(value: datetime) -> str:
    """The exact time in the viewer's zone, labelled, then in UTC: the hover text of every
    time on a page."""
    local = timezone.localtime(value)
    utc = value.astimezone(UTC)
    return (
        f"{local:%Y-%m-%d %H:%M:%S} {humanize.zone_label(local)} \u00b7 {utc:%Y-%m-%d %H:%M:%S} UTC"
    )


def _time(value: datetime, text: str) -> SafeString:
    """`text` in a <time> of `value` whose hover text is its exact time (_exact)."""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.replace(microsecond=0).isoformat(),
        _exact(value),
        text,
    )


@register.filter(name="ago")
def ago(value: datetime | None) -> str:
    """'4 min ago' relative to the current time, in a <time> whose hover text is the exact time
    in the viewer's zone and in UTC; '' for a value that isn't a datetime."""
    if value is None:
        return humanize.ago(None, timezone.now())
    if not isinstance(value, datetime):
        return ""  # a template variable that failed to resolve must not break the page
    value = _aware(value)
    return _time(value, humanize.ago(value, timezone.now()))


@register.filter(name="when")
def when(value: datetime | None, fmt: str = "Y-m-d H:i:s") -> str:
    """The time in the viewer's zone, labelled with its offset ("2026-12-02 18:22:36 UTC+8"),
    with the exact UTC time on hover; '—' for None. `fmt` (Django's date format) may shorten it
    for dense tables ("H:i:s")."""
    if not isinstance(value, datetime):
        return "\u2014"
    value = _aware(value)
    local = timezone.localtime(value)
    return _time(value, f"{date_format(local, fmt)} {humanize.zone_label(local)}")


@register.filter(name="duration")
def duration(value: float | int | timedelta | None) -> str:
    """'3 min 5 s' from seconds (or a timedelta); '—' for None or anything unusable."""
    if isinstance(value, timedelta):
        return humanize.duration(value.total_seconds())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return humanize.duration(None)
    return humanize.duration(value)


@register.simple_tag(name="plain_words")
def plain_words(code: object) -> SafeString:
    """What a cloud error code means, in plain words, beside the code and the cloud's own
    message wherever an error is shown (sync health, operations, audit); '' when the message
    says enough."""
    plain = in_plain_words(str(code or ""))
    return format_html('<span class="plain-words">{}</span>', plain) if plain else SafeString("")


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


def page_href(
    request: HttpRequest | None, number: int, *, param: str = "page", anchor: str = ""
) -> str:
    """`?<the current query>&page=<number>[#anchor]`: only the page changes.

    Every other parameter of the current URL is kept, repeated ones (state=A&state=B) too, in
    their order; `page` goes last, once. Blank parameters (an empty filter field) are left
    out: they mean the same as no parameter on every list, and only lengthen the link.
    """
    pairs = [
        (key, value)
        for key, values in (request.GET.lists() if request is not None else [])
        if key != param
        for value in values
        if value != ""
    ]
    query = QueryDict(mutable=True)
    for key, value in [*pairs, (param, str(number))]:
        query.appendlist(key, value)
    return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


@register.inclusion_tag("components/pager.html", takes_context=True)
def pager(
    context: template.Context,
    page: Page[Any],
    *,
    prev_label: str = "\u2190 Newer",
    next_label: str = "Older \u2192",
    aria_label: str = "Pages",
    anchor: str = "",
    param: str = "page",
) -> dict[str, Any]:
    """The "previous / page N of M / next" bar under a paginated table.

    {% pager page %} on the lists (newest first: "← Newer" / "Older →");
    {% pager instances prev_label="← Previous" next_label="Next →" anchor="instances" %}
    where the list is a section of a longer page. The links keep the current URL's other
    parameters (see page_href), so a page of a filtered list stays filtered.
    """
    request = context.get("request")
    return {
        "page": page,
        "prev_label": prev_label,
        "next_label": next_label,
        "aria_label": aria_label,
        "prev_href": page_href(request, page.previous_page_number(), param=param, anchor=anchor)
        if page.has_previous()
        else "",
        "next_href": page_href(request, page.next_page_number(), param=param, anchor=anchor)
        if page.has_next()
        else "",
    }


@register.simple_tag(name="aria_current", takes_context=True)
def aria_current(context: template.Context, *views: str) -> SafeString:
    """`aria-current="page"` when the current view matches one of `views`, else nothing.

    A view is "namespace:url-name" as in {% url %}, with shell wildcards: "audit:*" is the
    whole audit app, "batch:job-*" the job list and a job's page. The match is on the view
    that served the request (request.resolver_match), not on the path, so moving a URL does
    not break the highlighting.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or not match.view_name:
        return SafeString("")
    if any(fnmatchcase(match.view_name, view) for view in views):
        return SafeString('aria-current="page"')
    return SafeString("")
