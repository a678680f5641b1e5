"""A person's language and clock in Chromium: zh-Hans chosen by the browser's Accept-Language
and by the header's switcher, and a job's time read and filtered in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import User
from apps.batch.models import Job
from tests.browser.test_dashboard import browser, cache  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _sign_in(tab: Page, heading: str, username: str, password: str, button: str) -> None:
    tab.goto("/")
    expect(tab.get_by_role("heading", name=heading)).to_be_visible()
    tab.locator('input[name="username"]').fill(username)
    tab.locator('input[name="password"]').fill(password)
    tab.get_by_role("button", name=button).click()


def test_chinese_from_the_browsers_language(browser: Browser, live_server, cache):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    tab = context.new_page()
    _sign_in(tab, "登录", "operator", "operator", "登录")
    expect(tab.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(tab.get_by_role("navigation").get_by_role("link", name="概览")).to_be_visible()
    context.close()


def test_the_switcher_turns_the_interface_chinese_and_it_stays(
    browser: Browser,  # noqa: F811
    live_server,
    cache,  # noqa: F811
):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    tab = context.new_page()
    _sign_in(tab, "Sign in", "operator", "operator", "Sign in")
    tab.goto("/jobs/")
    expect(tab.get_by_role("heading", name="Jobs")).to_be_visible()
    tab.get_by_label("Language").select_option("zh-hans")  # submits itself (app.js)
    expect(tab.get_by_role("navigation").get_by_role("link", name="作业")).to_be_visible()
    assert tab.url.endswith("/jobs/")  # back on the page it was switched from
    assert User.objects.get(username="operator").language == "zh-hans"
    context.close()
    # Another browser that asks for English: the person's choice still wins.
    other = browser.new_context(base_url=live_server.url, locale="en-US")
    tab = other.new_page()
    _sign_in(tab, "Sign in", "operator", "operator", "Sign in")
    expect(tab.get_by_role("navigation").get_by_role("link", name="概览")).to_be_visible()
    other.close()


def test_a_job_shown_and_found_in_shanghai_time(browser: Browser, live_server, cache):  # noqa: F811
    job = Job.objects.order_by("job_id").first()
    assert job is not None
    Job.objects.filter(pk=job.pk).update(created_at=datetime(2026, 12, 2, 1, 30, tzinfo=UTC))
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="UTC")
    tab = context.new_page()
    _sign_in(tab, "Sign in", "operator", "operator", "Sign in")
    tab.goto("/account/preferences/")
    tab.get_by_label("Time zone").select_option("Asia/Shanghai")
    tab.get_by_role("button", name="Save").click()
    expect(tab.get_by_text("Your preferences are saved.")).to_be_visible()

    tab.goto(f"/jobs/{job.job_id}/")
    created = tab.locator(
        f'time[datetime="{datetime(2026, 12, 2, 1, 30, tzinfo=UTC).isoformat()}"]'
    )
    expect(created.first).to_have_text("2026-12-02 09:30:00 UTC+8")
    expect(created.first).to_have_attribute("title", re.compile(r"2026-12-02 01:30:00 UTC$"))

    tab.goto("/jobs/")
    tab.locator('input[name="since"]').fill("2026-12-02T09:00")
    tab.locator('input[name="until"]').fill("2026-12-02T10:00")
    tab.get_by_role("button", name="Apply").click()
    rows = tab.locator("#job-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(job.job_id)
    context.close()
