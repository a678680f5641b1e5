"""Batch charts for the templates: the task DAG, instance states over time, monitor series."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from apps.ui.charts import line_chart, stacked_counts
from apps.ui.dag import dag_svg

register = template.Library()
UNITS = {"LanOuttraffic": "B/s", "LanIntraffic": "B/s"}


@register.simple_tag
def task_dag(tasks: list[Any], edges: list[tuple[str, str]], job_id: str) -> SafeString:
    """The job's tasks as a dependency graph; each box links to that task's instances."""
    base = reverse("batch:job-detail", args=[job_id])
    return dag_svg(
        [(t.name, t.state) for t in tasks],
        edges,
        link=lambda name: f"{base}?{urlencode({'task': name})}#instances",
    )


@register.simple_tag
def state_counts_chart(
    points: list[tuple[datetime, dict[str, int]]], states: list[str]
) -> SafeString:
    return stacked_counts(points, states=states, title="Task instances by state")


@register.simple_tag
def metric_chart(series: list[tuple[datetime, float | None]], metric: str) -> SafeString:
    unit = UNITS.get(metric, "%")
    return line_chart(series, unit=unit, y_max=100.0 if unit == "%" else None, title=metric)
