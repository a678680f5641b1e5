"""One call through our client against the emulator, and the typed error for every family."""

from __future__ import annotations

import pytest

from apps.cloud import client, errors
from apps.emulator.faults import Fault
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY
from tests.conftest import start_emulator


def call(
    emulator,
    action: str,
    params: dict | None = None,
    *,
    service: str = "batch",
    secret_key: str = DEMO_SECRET_KEY,
    timeout: tuple[float, float] = (3.0, 10.0),
) -> dict:
    return client.call(
        credentials=client.Credentials(DEMO_SECRET_ID, secret_key),
        service=service,
        action=action,
        region="ap-guangzhou",
        params=params or {},
        endpoint=f"http://127.0.0.1:{emulator.port}",
        timeout=timeout,
    )


def test_a_successful_call_returns_the_response_object(emulator):
    response = call(emulator, "DescribeJobs", {"Limit": 2})
    assert len(response["JobSet"]) == 2
    assert response["TotalCount"] >= 2
    assert response["RequestId"]


def test_omics_calls_work_too(emulator):
    assert call(emulator, "DescribeRunGroups", service="omics")["TotalCount"] > 0


@pytest.mark.parametrize(
    ("action", "params", "expected", "code"),
    [
        ("DescribeJob", {"JobId": "job-00000000"}, errors.NotFound, "ResourceNotFound.Job"),
        (
            "DescribeJob",
            {"JobId": "nope"},
            errors.InvalidRequest,
            "InvalidParameter.JobIdMalformed",
        ),
        ("DescribeJobs", {"Limit": 1000}, errors.InvalidRequest, "InvalidParameterValue"),
        ("DescribeNothing", {}, errors.InvalidRequest, "InvalidAction"),
    ],
)
def test_refusals_map_to_typed_errors(emulator, action, params, expected, code):
    with pytest.raises(expected) as caught:
        call(emulator, action, params)
    assert caught.value.code == code
    assert caught.value.request_id  # every envelope error carries the cloud's RequestId


def test_refused_operation(emulator):
    running = call(
        emulator, "DescribeJobs", {"Filters": [{"Name": "job-state", "Values": ["RUNNING"]}]}
    )
    with pytest.raises(errors.Refused) as caught:
        call(emulator, "RetryJobs", {"JobIds": [running["JobSet"][0]["JobId"]]})
    assert caught.value.code == "UnsupportedOperation"


def test_auth_error_never_shows_the_secret(emulator):
    with pytest.raises(errors.AuthError) as caught:
        call(emulator, "DescribeJobs", secret_key="wrongwrongwrongwrongwrongwrong00")
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert "wrongwrong" not in str(caught.value)
    assert DEMO_SECRET_KEY not in repr(client.Credentials(DEMO_SECRET_ID, DEMO_SECRET_KEY))


def test_rate_limited(clock):
    emu = start_emulator("demo", seed=1, clock=clock, limits_enabled=True)
    try:
        with pytest.raises(errors.RateLimited) as caught:
            for _ in range(5):
                call(emu, "DescribeJobs", {"Limit": 1})
        assert caught.value.code == "RequestLimitExceeded"
    finally:
        emu.stop()


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(internal_error=1.0), "InternalError"),
        (Fault(http_502=1.0), "HTTP502"),
        (Fault(malformed=1.0), "MalformedResponse"),
        (Fault(drop=1.0), "ConnectionError"),
    ],
)
def test_faults_are_unavailable(emulator, fault, code):
    emulator.faults.set("DescribeJobs", fault)
    with pytest.raises(errors.Unavailable) as caught:
        call(emulator, "DescribeJobs")
    assert caught.value.code == code


def test_a_hung_endpoint_times_out(emulator):
    emulator.faults.set("DescribeJobs", Fault(latency=1.0))
    with pytest.raises(errors.Unavailable) as caught:
        call(emulator, "DescribeJobs", timeout=(1.0, 0.2))
    assert caught.value.code == "Timeout"


def test_nothing_listening_is_unavailable():
    with socket_port() as port, pytest.raises(errors.Unavailable):
        client.call(
            credentials=client.Credentials("a", "b"),
            service="batch",
            action="DescribeJobs",
            region="ap-guangzhou",
            params={},
            endpoint=f"http://127.0.0.1:{port}",
            timeout=(0.5, 0.5),
        )


class socket_port:
    """A port that nothing listens on (bound, never listening)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_real_endpoints_by_region():
    assert client.endpoint_for("batch", "ap-shanghai") == (
        "https://batch.ap-shanghai.tencentcloudapi.com/",
        "batch.ap-shanghai.tencentcloudapi.com",
    )
    assert client.endpoint_for("omics", "") == (
        "https://omics.tencentcloudapi.com/",
        "omics.tencentcloudapi.com",
    )
    assert (
        client.endpoint_for("batch", "ap-guangzhou", "http://127.0.0.1:9100")[1] == "127.0.0.1:9100"
    )
