"""decode_log: the DescribeTaskLogs StdoutLog/StderrLog values
(https://www.tencentcloud.com/document/api/599/30553)."""

from __future__ import annotations

import base64
import dataclasses
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.batch.logs import DecodedLog, decode_log
from apps.emulator.batch.content import encode_log, full_logs

# DescribeTaskLogs example 1 (https://www.tencentcloud.com/document/api/599/30553): the wire values
# and their documented text.
DOC_STDOUT = "data:text/plain;charset=utf-8;base64,bWFpbgpbJ2RlbW8ucHknLCAnMycsICcvbW50L2lucHV0JywgJy9tbnQvb3V0cHV0JywgJzEnXWZsdXNoIHRvIC9tbnQvb3V0cHV0LzE1MzU3MjYwMDQuOTEKZmx1c2ggdG8gL21udC9vdXRwdXQvMTUzNTcyNjAwNi4zOQpmbHVzaCB0byAvbW50L291dHB1dC8xNTM1NzI2MDA3LjcK"
DOC_STDERR = "data:text/plain;charset=utf-8;base64,Zmx1c2ggdG8gL21udC9vdXRwdXQvMTUzNTcyNjAwNC45MQpmbHVzaCB0byAvbW50L291dHB1dC8xNTM1NzI2MDA2LjM5CmZsdXNoIHRvIC9tbnQvb3V0cHV0LzE1MzU3MjYwMDcuNwo="
FLUSHES = (
    "flush to /mnt/output/1535726004.91\n"
    "flush to /mnt/output/1535726006.39\n"
    "flush to /mnt/output/1535726007.7\n"
)
DOC_STDOUT_TEXT = "main\n['demo.py', '3', '/mnt/input', '/mnt/output', '1']" + FLUSHES

# Hypothesis and the suite's autouse Redis fixture: the fixture holds nothing these tests use.
bounded = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def clean(text: str, raw_bytes: int | None = None, charset: str = "utf-8") -> DecodedLog:
    size = len(text.encode(charset)) if raw_bytes is None else raw_bytes
    return DecodedLog(text=text, raw_bytes=size, truncated=False, charset=charset, problem="")


@pytest.mark.parametrize(("value", "text"), [(DOC_STDOUT, DOC_STDOUT_TEXT), (DOC_STDERR, FLUSHES)])
def test_doc_example_decodes_to_the_documented_text(value, text):
    assert decode_log(value) == clean(text)


def test_bare_base64_of_the_doc_example():
    assert decode_log(DOC_STDOUT.partition(",")[2]) == clean(DOC_STDOUT_TEXT)


def test_emulator_logs_round_trip_with_ansi_html_and_invalid_bytes():
    hostile = (
        b"\x1b[32mOK\x1b[0m step 1\n<script>alert(1)</script>\n"
        b"binary marker: \xff\xfe\xfa invalid utf-8 \xc3\x28\ndone\n"
    )
    result = decode_log(encode_log(hostile))
    assert result.text == hostile.decode("utf-8", "replace")
    assert "\x1b[32mOK\x1b[0m" in result.text and "<script>alert(1)</script>" in result.text
    assert (result.raw_bytes, result.truncated, result.charset) == (len(hostile), False, "utf-8")
    assert "invalid utf-8" in result.problem


@pytest.mark.parametrize("seed", range(40))
def test_emulator_generated_logs_round_trip(seed):
    for data in full_logs(seed, label="task", failed=seed % 3 == 0, exit_code=seed % 5):
        tail = data[-2048:]
        result = decode_log(encode_log(data))
        assert result.text == tail.decode("utf-8", "replace")
        assert (result.raw_bytes, result.truncated) == (len(tail), False)


@pytest.mark.parametrize(
    ("text", "charset", "expected"),
    [
        ("作业失败：退出码 1\n", "gbk", "gbk"),
        ("Fehler: Größe überschritten\n", "latin-1", "iso8859-1"),
        ("日志", "GB18030", "gb18030"),
    ],
)
def test_charset_is_honoured(text, charset, expected):
    value = f"data:text/plain;charset={charset};base64,{b64(text.encode(charset))}"
    assert decode_log(value) == clean(text, len(text.encode(charset)), expected)


def test_parameter_names_are_case_insensitive_and_any_media_type_works():
    value = (
        f'DATA:application/octet-stream;Foo=bar;CHARSET="GBK";BASE64,{b64("中文".encode("gbk"))}'
    )
    assert decode_log(value) == clean("中文", 4, "gbk")


@pytest.mark.parametrize("charset", ["x-foo", "rot13", "base64", "idna", "undefined"])
def test_unknown_or_unusable_charset_falls_back_to_utf8(charset):
    result = decode_log(f"data:text/plain;charset={charset};base64,{b64('héllo'.encode())}")
    assert (result.text, result.charset) == ("héllo", "utf-8")
    assert result.problem == f"unknown charset {charset}: decoded as UTF-8"


def test_data_uri_without_base64_is_percent_encoded_text():
    text = "50% done, naïve <b>\x1b[33mwarn\x1b[0m\n"
    assert decode_log("data:text/plain;charset=utf-8," + quote(text)) == clean(text)
    assert decode_log("data:,Hello%2C%20World!") == clean("Hello, World!")
    latin = decode_log("data:text/plain;charset=iso-8859-1,caf%E9")
    assert latin == clean("café", 4, "iso8859-1")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.rstrip("="),  # missing padding
        lambda s: "\n".join(s[i : i + 76] for i in range(0, len(s), 76)),  # MIME line wrapping
        lambda s: " \t" + " ".join(s[i : i + 4] for i in range(0, len(s), 4)) + "\r\n",
        lambda s: s.replace("+", "-").replace("/", "_"),  # URL-safe alphabet
        lambda s: s.replace("+", "-").replace("/", "_").rstrip("="),
    ],
)
def test_tolerated_base64_variants(mangle):
    data = ("ünïcode ✓ \x1b[31mred\x1b[0m ???>~" * 20).encode()  # base64 has + / and =
    encoded = b64(data)
    assert "+" in encoded and "/" in encoded and encoded.endswith("=")
    expected = clean(data.decode())
    assert decode_log(mangle(encoded)) == expected
    assert decode_log("data:text/plain;charset=utf-8;base64," + mangle(encoded)) == expected


def test_invalid_utf8_bytes_become_replacement_characters():
    result = decode_log(b64(b"before \xff\xfe after \xc3\x28 end"))
    assert result.text == "before \ufffd\ufffd after \ufffd( end"
    assert result.problem == "invalid utf-8 bytes: shown as \ufffd"


@pytest.mark.parametrize(
    "value",
    [
        "plain text that was never encoded!",
        "data:text/plain;base64,this is *not* base64",
        "abcde",  # a length base64 cannot have
        "YQ==YQ==",  # padding in the middle
        "data:text/plain;charset=utf-8;base64",  # no comma: not a data URI
    ],
)
def test_not_base64_is_shown_as_received(value):
    result = decode_log(value)
    assert result.text == value
    assert (result.raw_bytes, result.truncated) == (len(value.encode()), False)
    assert "shown as received" in result.problem


@pytest.mark.parametrize(
    ("value", "text", "problem"),
    [
        (None, "", ""),
        ("", "", ""),
        ("data:text/plain;charset=utf-8;base64,", "", ""),
        (123, "", "not a string (int): not shown"),
        ([DOC_STDERR], "", "not a string (list): not shown"),
        (b64(b"bytes").encode(), "bytes", ""),
        (b"bytes", "bytes", "not base64: shown as received"),
        (bytearray(DOC_STDERR.encode()), FLUSHES, ""),
    ],
)
def test_odd_values_never_raise(value, text, problem):
    result = decode_log(value)
    assert (result.text, result.problem) == (text, problem)


def test_decoded_log_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        decode_log(DOC_STDERR).text = "x"  # type: ignore[misc]  # the very assignment under test


@pytest.mark.parametrize("form", ["bare", "uri", "percent", "received"])
def test_cap_keeps_the_tail_and_reports_the_full_size(form):
    data = b"".join(b"line %05d \xe2\x9c\x93\n" % i for i in range(10_000))  # 170 kB
    value = {
        "bare": b64(data),
        "uri": "data:text/plain;charset=utf-8;base64," + b64(data),
        "percent": "data:," + quote(data),
        "received": data.decode() + " (not base64)",
    }[form]
    result = decode_log(value, max_bytes=1000)
    full = data.decode() + " (not base64)" * (form == "received")
    assert result.truncated and result.raw_bytes == len(full.encode())
    assert len(result.text.encode()) <= 1000 and full.endswith(result.text)
    assert "\ufffd" not in result.text  # a character cut in half is dropped, not garbled
    assert len(result.text.encode()) > 990


@pytest.mark.parametrize("max_bytes", [0, -5])
def test_zero_or_negative_cap_shows_nothing(max_bytes):
    result = decode_log(DOC_STDERR, max_bytes=max_bytes)
    assert (result.text, result.truncated, result.raw_bytes) == ("", True, len(FLUSHES))


def test_huge_value_stays_cheap():
    result = decode_log("QUJD" * 5_000_000, max_bytes=64 * 1024)  # 20 MB of base64
    assert (result.raw_bytes, len(result.text), result.truncated) == (15_000_000, 65_536, True)


def check(result: DecodedLog, max_bytes: int) -> None:
    assert isinstance(result, DecodedLog) and isinstance(result.text, str)
    assert isinstance(result.problem, str) and isinstance(result.charset, str)
    assert len(result.text) <= max_bytes  # each decoded byte makes at most one character
    result.text.encode("utf-8")  # no lone surrogates: a response can always encode it
    assert result.truncated == (result.raw_bytes > max_bytes)


charsets = st.sampled_from(["utf-8", "UTF-8", "gbk", "latin-1", "utf-16", "ascii", "x-foo", ""])
junk = st.one_of(
    st.text(),
    st.text(alphabet="ABCabc0123+/-_=% \n\t;,:data"),
    st.builds("data:{}{}".format, st.text(max_size=30), st.text()),
    st.binary(),
)


@bounded
@given(data=st.binary(max_size=3000), charset=charsets, max_bytes=st.integers(0, 4000))
def test_arbitrary_binary_never_raises_and_respects_the_cap(data, charset, max_bytes):
    encoded = b64(data)
    for value in (
        encoded,
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        f"data:text/plain;charset={charset};base64,{encoded}",
        f"data:text/plain;charset={charset},{quote(data)}",
    ):
        result = decode_log(value, max_bytes=max_bytes)
        check(result, max_bytes)
        assert result.raw_bytes == len(data)


@bounded
@given(value=junk, max_bytes=st.integers(0, 5000))
def test_arbitrary_junk_never_raises_and_respects_the_cap(value, max_bytes):
    check(decode_log(value, max_bytes=max_bytes), max_bytes)


@bounded
@given(text=st.text(st.characters(exclude_categories=["Cs"])))
def test_valid_utf8_text_round_trips_exactly(text):
    data = text.encode()
    values = [b64(data), "data:," + quote(text)] + [encode_log(data)] * (len(data) <= 2048)
    for value in values:
        assert decode_log(value) == clean(text)
