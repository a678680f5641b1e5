"""A person at the dashboard: Debian's Chromium, driven by Playwright, against a live server
whose cache the real sync fills from the emulator. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from apps.accounts.services import team_ensure_demo
from apps.batch.models import Job
from apps.cloud.services import account_create
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY
from tests.sync.drive import REGION, batch_world, converged, drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def cache(emulator, settings):
    """The live server's database, synced from the demo emulator by the real streams."""
    settings.CLOUD_RATE_SCALE = 100
    account = account_create(
        name="demo",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=[REGION],
        budget_share=1.0,
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    drive(account, until=lambda: converged(emulator, account))
    team_ensure_demo(account)  # the demo team owns it; `operator` / `operator` may act
    return account


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (apt-get install chromium)"
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, which Django would otherwise refuse next to a loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, cache):
    """A tab signed in as the demo team's operator, through the sign-in form."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto("/")
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.get_by_label("Username").fill("operator")
    tab.get_by_label("Password").fill("operator")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Overview")).to_be_visible()
    yield tab
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_overview_number_leads_to_the_filtered_list_and_a_failed_jobs_log(page, cache):
    page.goto("/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    shot(page, "overview")
    page.locator('a.stat[href="/jobs/?state=FAILED"]').click()
    expect(page).to_have_url(re.compile(r"/jobs/\?state=FAILED"))
    rows = page.locator("#job-rows tbody tr")
    assert rows.count() == Job.objects.filter(state="FAILED").count()
    expect(rows.locator(".badge").first).to_have_text("FAILED")
    rows.first.locator("a").first.click()
    expect(page.locator("h1 .badge")).to_have_text("FAILED")
    failed_instance = page.locator('#instances tr:has(.badge:text-is("FAILED")) a').first
    failed_instance.click()
    expect(page.locator(".log").first).to_contain_text("processed chunk")  # decoded from base64
    page.locator("[data-log-search]").fill("chunk")
    expect(page.locator(".log mark").first).to_be_visible()
    expect(page.locator("[data-log-count]")).to_contain_text("match")
    shot(page, "job-log")


def test_a_row_changes_state_without_reloading(page, cache, emulator, clock):
    world = batch_world(emulator)
    running = next(j for j in world.jobs.values() if j.state == "RUNNING")
    page.goto(f"/jobs/?q={running.id}")
    row = page.locator(f'#job-rows tr:has(a:text-is("{running.id}"))')
    expect(row.locator(".badge")).to_have_text("RUNNING")
    page.evaluate("window.__notReloaded = true")
    with world.lock:
        world.terminate_job(running)
    clock.advance(10)
    drive(cache, until=lambda: Job.objects.get(job_id=running.id).state == "FAILED")
    expect(row.locator(".badge")).to_have_text("FAILED", timeout=15_000)  # the 5 s poll
    assert page.evaluate("window.__notReloaded") is True
    shot(page, "job-list-live")


def test_keyboard_search_jumps_to_an_id(page, cache):
    job = Job.objects.earliest("job_id")
    page.goto("/jobs/")
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type(job.job_id)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/jobs/{job.job_id}/$"))
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()


@pytest.fixture
def actions_worker():
    """A real Celery worker for the "actions" queue (and the default one)."""
    from celery.contrib.testing.worker import start_worker

    from dashboard.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, queues=["actions", "celery"]):
        yield


def act(page: Page, button: str) -> None:
    """Press an action button, then confirm; the operation page follows its own progress."""
    page.get_by_role("button", name=button).first.click()
    expect(page.get_by_role("heading", name=re.compile(": confirm$"))).to_be_visible()
    page.locator("form[action*='/run/'] button[type=submit]").click()
    expect(page.locator("#op-status h1 .badge")).to_have_text(
        "SUCCEEDED", timeout=20_000
    )  # no reload
    expect(page.locator("#op-status td.mono").nth(1)).not_to_have_text("")  # the cloud's RequestId


def test_an_operator_retries_a_failed_job_and_terminates_a_running_one(
    page, cache, emulator, actions_worker
):
    failed = Job.objects.filter(state="FAILED").earliest("pk")
    page.goto(f"/jobs/{failed.job_id}/")
    act(page, "Retry")
    shot(page, "operation")
    assert batch_world(emulator).jobs[failed.job_id].state != "FAILED"
    running = Job.objects.filter(state="RUNNING").earliest("pk")
    page.goto(f"/jobs/{running.job_id}/")
    act(page, "Terminate")


def test_a_viewer_sees_no_action_buttons(browser, live_server, cache):
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.goto("/account/sign-in/")
    tab.get_by_label("Username").fill("viewer")
    tab.get_by_label("Password").fill("viewer")
    tab.get_by_role("button", name="Sign in").click()
    failed = Job.objects.filter(state="FAILED").earliest("pk")
    tab.goto(f"/jobs/{failed.job_id}/")
    expect(tab.locator("h1 .badge")).to_have_text("FAILED")
    assert tab.locator("button.action").count() == 0
    tab.goto("/jobs/")
    assert tab.locator("#job-actions").count() == 0
    context.close()


def test_a_hostile_task_name_cannot_choose_the_downloaded_file(page, cache):
    from django.urls import reverse

    from apps.batch.models import Task, TaskInstance

    instance = (
        TaskInstance.objects.filter(task__job__account=cache, log__isnull=False)
        .select_related("task__job")
        .earliest("pk")
    )
    hostile = "\"; filename*=UTF-8''evil.html;"
    Task.objects.filter(pk=instance.task_id).update(name=hostile)
    job_id = instance.task.job.job_id
    page.goto(reverse("batch:instance-detail", args=[job_id, hostile, instance.index]))
    with page.expect_download() as download:
        page.get_by_role("link", name="download stdout").click()
    assert download.value.suggested_filename == (
        f"stdout.{job_id}.filename_UTF-8_evil_html.{instance.index}.log"
    )
