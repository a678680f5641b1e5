"""Omics charts for the templates: a run's calls as a timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from apps.ui.timeline import timeline_svg

register = template.Library()


@register.simple_tag
def call_timeline(calls: list[Any], now: datetime) -> SafeString:
    bars = [(c.name, c.status, c.started_at, c.ended_at) for c in calls]
    return timeline_svg(bars, now=now, title="Calls over time")
