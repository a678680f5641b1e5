"""The language of the cloud's messages: a call made for a person asks for theirs, the sync
engine's own calls for CLOUD_LANGUAGE (en-US unless set). What the emulator received is read
from its stats and from the language of the messages it answered with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from apps.cloud import gateway
from apps.cloud.errors import CloudError
from apps.cloud.language import cloud_language
from apps.cloud.scope import Scope
from apps.sync.tasks import step_once

pytestmark = pytest.mark.django_db
REGION = "ap-guangzhou"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[2]
MISSING_JOB = {"JobId": "job-00000000"}


@pytest.mark.parametrize(
    ("django_code", "cloud"),
    [("zh-hans", "zh-CN"), ("zh-Hans", "zh-CN"), ("en", "en-US"), ("en-us", "en-US")],
)
def test_cloud_language_of_a_django_language_code(django_code, cloud):
    assert cloud_language(django_code) == cloud


def _refusal(scope: Scope, language: str | None) -> CloudError:
    with pytest.raises(CloudError) as refused:
        gateway.cloud_call(scope, "batch", "TerminateJob", MISSING_JOB, language=language)
    return refused.value


def test_a_call_for_a_chinese_reader_gets_a_chinese_message_and_the_same_code(
    emulator_account,
):
    scope = Scope(emulator_account, REGION)
    chinese, english = _refusal(scope, "zh-CN"), _refusal(scope, "en-US")
    assert chinese.code == english.code == "ResourceNotFound.Job"
    assert CHINESE.search(chinese.message) and not CHINESE.search(english.message)


def test_the_sync_engines_calls_ask_for_english_by_default(emulator_account, emulator):
    step_once("batch.jobs", Scope(emulator_account, REGION), {})
    assert emulator.stats.snapshot()["languages"]["DescribeJobs"] == "en-US"


def test_cloud_language_sets_the_sync_engines_language(emulator_account, emulator, settings):
    settings.CLOUD_LANGUAGE = "zh-CN"
    step_once("batch.jobs", Scope(emulator_account, REGION), {})
    assert emulator.stats.snapshot()["languages"]["DescribeJobs"] == "zh-CN"
    assert CHINESE.search(_refusal(Scope(emulator_account, REGION), None).message)


@pytest.mark.parametrize("value", ["fr-FR", "zh-cn", "chinese"])
def test_a_cloud_language_the_cloud_does_not_speak_refuses_to_start(value):
    env = {**os.environ, "CLOUD_LANGUAGE": value}
    done = subprocess.run(
        [sys.executable, "-c", "import dashboard.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: CLOUD_LANGUAGE must be one of zh-CN, en-US" in done.stderr
