"""The templates themselves: line length, the shared pager and the main navigation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MAX_LINE = 160


def test_no_template_line_is_longer_than_160_characters() -> None:
    files = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())
    assert files, TEMPLATES
    long = [
        f"{path.relative_to(TEMPLATES)}:{number}: {len(line)} characters"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > MAX_LINE
    ]
    assert long == []


def render(source: str, request: HttpRequest | None, **context: object) -> str:
    return Template("{% load ui %}" + source).render(Context({"request": request, **context}))


def links(html: str) -> dict[str, str]:
    """rel -> href of the pager's links (the href unescaped)."""
    found = {}
    for part in html.split("<a ")[1:]:
        attributes = part.split(">", 1)[0]
        href = attributes.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        rel = attributes.split('rel="', 1)[1].split('"', 1)[0]
        found[rel] = href
    return found


def page(number: int, *, count: int = 250, per_page: int = 50) -> object:
    return Paginator(range(count), per_page).get_page(number)


def test_pager_keeps_every_other_parameter_and_replaces_the_page() -> None:
    request = RequestFactory().get(
        "/jobs/", {"state": ["FAILED", "RUNNING"], "q": "a&b <c>", "page": "2", "sort": "oldest"}
    )
    html = render("{% pager page %}", request, page=page(2))
    found = links(html)
    assert set(found) == {"prev", "next"}
    for rel, number in (("prev", "1"), ("next", "3")):
        href = urlsplit(found[rel])
        assert href.path == "" and href.fragment == ""
        assert parse_qsl(href.query) == [
            ("state", "FAILED"),
            ("state", "RUNNING"),
            ("q", "a&b <c>"),
            ("sort", "oldest"),
            ("page", number),
        ]
    assert "<c>" not in html  # the value is URL-encoded, never markup
    assert '<nav class="pager" aria-label="Pages">' in html
    assert ">\u2190 Newer</a>" in html and ">Older \u2192</a>" in html
    assert '<span class="muted">page 2 of 5</span>' in html


def test_pager_leaves_blank_parameters_out() -> None:
    request = RequestFactory().get("/omics/", {"status": "", "q": "x", "page": "1"})
    assert links(render("{% pager page %}", request, page=page(1))) == {"next": "?q=x&page=2"}


def test_pager_on_the_first_and_last_page_and_on_a_single_page() -> None:
    request = RequestFactory().get("/audit/")
    assert set(links(render("{% pager page %}", request, page=page(1)))) == {"next"}
    assert set(links(render("{% pager page %}", request, page=page(5)))) == {"prev"}
    single = render("{% pager page %}", request, page=page(1, count=3))
    assert links(single) == {} and "page 1 of 1" in single


def test_pager_labels_anchor_and_parameter_name() -> None:
    request = RequestFactory().get("/jobs/job-1/", {"task": "align", "state": "", "page": "2"})
    html = render(
        '{% pager instances prev_label="← Previous" next_label="Next →" '
        'aria_label="Instance pages" anchor="instances" %}',
        request,
        instances=page(2),
    )
    assert links(html) == {
        "prev": "?task=align&page=1#instances",
        "next": "?task=align&page=3#instances",
    }
    assert 'aria-label="Instance pages"' in html
    assert ">\u2190 Previous</a>" in html and ">Next \u2192</a>" in html
    other = render('{% pager p param="p" %}', RequestFactory().get("/", {"page": "7"}), p=page(1))
    assert links(other) == {"next": "?page=7&p=2"}


def test_pager_without_a_request_still_renders() -> None:
    assert links(render("{% pager page %}", None, page=page(1))) == {"next": "?page=2"}


NAV = {
    "Overview": '"ui:overview"',
    "Environments": '"batch:env-*"',
    "Jobs": '"batch:job-*" "batch:instance-*"',
    "Omics": '"omics:*"',
    "Operations": '"actions:*"',
    "Audit": '"audit:*"',
}


def current(path: str) -> list[str]:
    """The sections base.html's navigation marks current for `path`."""
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return [
        name
        for name, views in NAV.items()
        if render(f"{{% aria_current {views} %}}", request) == 'aria-current="page"'
    ]


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", ["Overview"]),
        ("/envs/", ["Environments"]),
        ("/envs/env-1/", ["Environments"]),
        ("/jobs/", ["Jobs"]),
        ("/jobs/job-1/", ["Jobs"]),
        ("/jobs/job-1/align/0/", ["Jobs"]),
        ("/omics/", ["Omics"]),
        ("/omics/runs/r-1/", ["Omics"]),
        ("/omics/environments/", ["Omics"]),
        ("/actions/", ["Operations"]),
        ("/actions/3/", ["Operations"]),
        ("/audit/", ["Audit"]),
        ("/account/teams/", []),
        ("/search/", []),
    ],
)
def test_the_navigation_marks_the_section_of_the_view(path: str, section: list[str]) -> None:
    assert current(path) == section


def test_the_navigation_uses_the_tags_this_test_checks() -> None:
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    for name, views in NAV.items():
        assert f'{{% aria_current {views} %}}>{{% translate "{name}" %}}</a>' in base


def test_aria_current_without_a_resolved_view_is_empty() -> None:
    request = RequestFactory().get("/nowhere/")
    assert render('{% aria_current "audit:*" %}', request) == ""
    assert render('{% aria_current "audit:*" %}', None) == ""
