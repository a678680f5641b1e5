"""Requests as the docs describe them: which Content-Type goes with which method and signature,
the language of the answer's messages, and the forms of GetRunCalls' `Path`.

The malformed requests are made by hand (no SDK sends them); the good ones through the official
SDK, which must keep working with every method and signature it offers."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from apps.cloud import signing
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from tests.conftest import batch_sdk, omics_sdk
from tests.emulator.omics_support import refusal, sdk
from tests.emulator.raw import error_code, post

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _url(emulator: Emulator) -> str:
    return f"http://127.0.0.1:{emulator.port}/"


def _tc3(
    emulator: Emulator, *, method: str, content_type: str, body: bytes = b"", query: str = ""
) -> requests.Response:
    """A correctly signed TC3 request of DescribeJobs with this method and Content-Type."""
    ts = int(time.time())
    host = f"127.0.0.1:{emulator.port}"
    headers = {
        "Authorization": signing.sign_tc3(
            secret_id=DEMO_SECRET_ID,
            secret_key=DEMO_SECRET_KEY,
            service="batch",
            host=host,
            content_type=content_type,
            timestamp=ts,
            payload=body,
            method=method,
            query=query,
        ),
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": "DescribeJobs",
        "X-TC-Version": "2017-03-12",
        "X-TC-Timestamp": str(ts),
    }
    url = _url(emulator) + (f"?{query}" if query else "")
    return requests.request(method, url, data=body, headers=headers, timeout=10)


def _v1_params(emulator: Emulator, method: str, **extra: str) -> dict[str, str]:
    """The v1 parameters of DescribeJobs (Limit 1), signed with HmacSHA256."""
    params = {
        "Action": "DescribeJobs",
        "Version": "2017-03-12",
        "Region": "ap-guangzhou",
        "Timestamp": str(int(time.time())),
        "Nonce": "11886",
        "SecretId": DEMO_SECRET_ID,
        "SignatureMethod": "HmacSHA256",
        "Limit": "1",
        **extra,
    }
    params["Signature"] = signing.v1_signature(
        secret_key=DEMO_SECRET_KEY,
        to_sign=signing.v1_string_to_sign(
            method=method, host=f"127.0.0.1:{emulator.port}", params=params
        ),
        method="HmacSHA256",
    )
    return params


def _message(reply: requests.Response) -> str:
    return str(reply.json()["Response"]["Error"]["Message"])


# --- Content-Type by method and signature -------------------------------------------------
def _tc3_refused(emulator: Emulator, method: str) -> requests.Response:
    """TC3 with the Content-Type of the other method: a form POST, a JSON GET."""
    if method == "POST":
        return _tc3(emulator, method="POST", content_type=FORM, body=b"Limit=1")
    return _tc3(emulator, method="GET", content_type=JSON, query="Limit=1")


def _v1_refused(emulator: Emulator, method: str) -> requests.Response:
    """v1 with a JSON Content-Type: a JSON POST, a GET saying it carries JSON."""
    if method == "POST":
        body = json.dumps(_v1_params(emulator, "POST")).encode()
        return requests.post(_url(emulator), data=body, headers={"Content-Type": JSON}, timeout=10)
    query = urlencode(_v1_params(emulator, "GET"))
    return requests.get(f"{_url(emulator)}?{query}", headers={"Content-Type": JSON}, timeout=10)


@pytest.mark.parametrize(
    ("method", "sign_method", "mismatch"),
    [
        ("POST", "TC3-HMAC-SHA256", _tc3_refused),
        ("GET", "TC3-HMAC-SHA256", _tc3_refused),
        ("POST", "HmacSHA256", _v1_refused),
        ("GET", "HmacSHA1", _v1_refused),
    ],
)
def test_what_the_sdk_sends_is_answered_and_the_other_content_type_refused(
    emulator, method, sign_method, mismatch
):
    client = batch_sdk(emulator, reqMethod=method, sign_method=sign_method)
    answer = json.loads(client.call("DescribeJobs", {"Limit": 2}))["Response"]
    assert len(answer["JobSet"]) == 2
    assert error_code(mismatch(emulator, method)) == "UnsupportedProtocol"


def test_tc3_post_takes_json_with_a_charset_but_not_multipart(emulator):
    # multipart/form-data is "only supported by certain APIs": none of Batch's or Omics's.
    json_reply = _tc3(emulator, method="POST", content_type=f"{JSON}; charset=utf-8", body=b"{}")
    multipart = _tc3(emulator, method="POST", content_type="multipart/form-data; boundary=x")
    assert error_code(json_reply) is None
    assert error_code(multipart) == "UnsupportedProtocol"


def test_v1_get_may_be_a_bare_url_but_not_json(emulator):
    # The doc's v1 examples are URLs, as a browser sends them: no Content-Type at all.
    query = urlencode(_v1_params(emulator, "GET"))
    reply = requests.get(f"{_url(emulator)}?{query}", timeout=10)
    assert len(reply.json()["Response"]["JobSet"]) == 1
    assert error_code(_v1_refused(emulator, "GET")) == "UnsupportedProtocol"


# --- the credential scope -----------------------------------------------------------------
def test_a_credential_scope_for_another_service_is_invalid_authorization(emulator):
    body = b"{}"
    ts = int(time.time())
    omics_auth = signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        service="omics",
        host=f"127.0.0.1:{emulator.port}",
        content_type=JSON,
        timestamp=ts,
        payload=body,
    )
    reply = post(emulator, "DescribeJobs", timestamp=ts, headers={"Authorization": omics_auth})
    assert error_code(reply) == "AuthFailure.InvalidAuthorization"


# --- the language of the messages ---------------------------------------------------------
COMMON_ERRORS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("DescribeNothing", {}, {}, "InvalidAction"),
    ("DescribeJob", {}, {}, "MissingParameter"),
    ("DescribeJob", {"JobId": "job-00000000"}, {}, "ResourceNotFound.Job"),
    ("DescribeJobs", {"Colour": "red"}, {}, "UnknownParameter"),
    ("DescribeJobs", {}, {"secret_key": "wrong"}, "AuthFailure.SignatureFailure"),
    ("DescribeJobs", {}, {"secret_id": "AKIDnobody"}, "AuthFailure.SecretIdNotFound"),
    ("DescribeJobs", {}, {"timestamp": 1}, "AuthFailure.SignatureExpire"),
    ("DescribeRunGroups", {}, {"service": "omics", "region": "ap-nanjing"}, "UnsupportedRegion"),
]


@pytest.mark.parametrize(("action", "params", "how", "code"), COMMON_ERRORS)
def test_common_errors_answer_in_the_language_asked_for_with_the_same_code(
    emulator, action, params, how, code
):
    def ask(language: str | None) -> requests.Response:
        headers = {"X-TC-Language": language} if language else {}
        return post(emulator, action, params, headers=headers, **how)

    chinese, english, unnamed = ask("zh-CN"), ask("en-US"), ask(None)
    assert error_code(chinese) == error_code(english) == error_code(unnamed) == code
    assert CHINESE.search(_message(chinese))
    assert not CHINESE.search(_message(english))
    assert _message(unnamed) == _message(english)  # none named: English


def test_request_limit_exceeded_answers_in_chinese_too(emulator):
    emulator.limits.enabled = True
    headers = {"X-TC-Language": "zh-CN"}
    replies = [post(emulator, "DescribeJobs", headers=headers) for _ in range(5)]
    limited = [r for r in replies if error_code(r) == "RequestLimitExceeded"]
    assert limited and CHINESE.search(_message(limited[0]))


def test_v1_language_parameter_is_honoured(emulator):
    params = _v1_params(emulator, "POST", Language="zh-CN", Action="DescribeNothing")
    reply = requests.post(_url(emulator), data=params, timeout=10)
    assert error_code(reply) == "InvalidAction"
    assert CHINESE.search(_message(reply))


def test_the_sdk_language_setting_reaches_the_messages(emulator):
    chinese, english = batch_sdk(emulator), batch_sdk(emulator)
    chinese.profile.language, english.profile.language = "zh-CN", "en-US"
    for client, is_chinese in ((chinese, True), (english, False)):
        with pytest.raises(TencentCloudSDKException) as refused:
            client.call("DescribeJob", {"JobId": "job-00000000"})
        assert refused.value.code == "ResourceNotFound.Job"
        assert bool(CHINESE.search(str(refused.value.message))) is is_chinese


def test_an_unknown_language_is_an_invalid_parameter_value(emulator):
    reply = post(emulator, "DescribeJobs", headers={"X-TC-Language": "fr-FR"})
    assert error_code(reply) == "InvalidParameterValue"


def test_the_emulator_records_the_language_each_action_was_asked_in(emulator):
    post(emulator, "DescribeJobs", headers={"X-TC-Language": "zh-CN"})
    post(emulator, "DescribeJob", {"JobId": "job-00000000"})
    assert emulator.stats.snapshot()["languages"] == {"DescribeJobs": "zh-CN", "DescribeJob": ""}


# --- GetRunCalls' Path --------------------------------------------------------------------
@pytest.fixture
def finished_run(emulator: Emulator) -> tuple[Any, str, dict[str, Any]]:
    """The omics SDK client, a finished run's RunUuid, and its sub-workflow call."""
    client = omics_sdk(emulator)
    runs = sdk(
        client, "DescribeRuns", {"Limit": 1, "Filters": [{"Name": "Status", "Values": ["SUCCESS"]}]}
    )["Runs"]
    run_uuid = runs[0]["RunUuid"]
    top = sdk(client, "GetRunCalls", {"RunUuid": run_uuid, "Path": "/"})["Calls"]
    workflow = next(c for c in top if c["RunType"] == "Workflow")
    return client, run_uuid, workflow


def _run_ids(client: Any, run_uuid: str, path: str) -> list[str]:
    calls = sdk(client, "GetRunCalls", {"RunUuid": run_uuid, "Path": path})["Calls"]
    return [c["RunId"] for c in calls]


def test_the_top_level_is_slash_or_the_runs_own_run_id(finished_run):
    # The top-level calls' ParentId is the RunUuid: the run is the Workflow above them.
    client, run_uuid, _ = finished_run
    top = _run_ids(client, run_uuid, "/")
    assert top and _run_ids(client, run_uuid, f"/{run_uuid}") == top


@pytest.mark.parametrize(
    "path",
    [
        "",  # "Use / for the top level"
        "{workflow}",  # without the slash
        "//",
        "/{other}/{workflow}",  # a prefix that is no call of this run
    ],
)
def test_paths_the_doc_does_not_describe_are_invalid_parameter_values(finished_run, path):
    client, run_uuid, workflow = finished_run
    bad = path.format(workflow=workflow["RunId"], other="not-the-run")
    assert refusal(client, "GetRunCalls", {"RunUuid": run_uuid, "Path": bad}) == (
        "InvalidParameterValue"
    )
