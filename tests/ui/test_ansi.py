"""ANSI logs rendered as escaped HTML with class-only spans."""

from __future__ import annotations

import re

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.emulator.batch.content import full_logs
from apps.ui.ansi import NAMES, ansi_to_html, log_lines, strip_ansi
from tests.ui.helpers import HOSTILE, parse_xml

ESC = "\x1b"
SPAN = re.compile(r'<span class="(?:ansi-[a-z-]+ ?)+">|</span>')


def span(classes: str, text: str) -> str:
    return f'<span class="{classes}">{text}</span>'


def test_plain_text_is_escaped_and_safe() -> None:
    out = ansi_to_html("a < b & c")
    assert isinstance(out, SafeString)
    assert out == "a &lt; b &amp; c"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_text(hostile: str) -> None:
    for out in (ansi_to_html(f"\x1b[1m{hostile}\x1b[0m {hostile}"), *log_lines(hostile)):
        assert "<script" not in out and "<img" not in out and "<!" not in out
        assert SPAN.sub("", out).count("<") == 0
        assert '"' not in SPAN.sub("", out) and "'" not in SPAN.sub("", out)


@pytest.mark.parametrize(
    ("codes", "classes"),
    [
        ("1", "ansi-bold"),
        ("2", "ansi-dim"),
        ("3", "ansi-italic"),
        ("4", "ansi-underline"),
        ("31", "ansi-fg-red"),
        ("37", "ansi-fg-white"),
        ("90", "ansi-fg-bright-black"),
        ("97", "ansi-fg-bright-white"),
        ("40", "ansi-bg-black"),
        ("46", "ansi-bg-cyan"),
        ("101", "ansi-bg-bright-red"),
        ("107", "ansi-bg-bright-white"),
        ("1;4;32;44", "ansi-bold ansi-underline ansi-fg-green ansi-bg-blue"),
        ("38;5;1", "ansi-fg-red"),
        ("38;5;9", "ansi-fg-bright-red"),
        ("38;5;196", "ansi-fg-bright-red"),
        ("38;5;21", "ansi-fg-blue"),
        ("38;5;232", "ansi-fg-black"),
        ("38;5;255", "ansi-fg-white"),
        ("48;5;2", "ansi-bg-green"),
        ("38;2;250;250;250", "ansi-fg-bright-white"),
        ("38;2;200;10;10", "ansi-fg-red"),
        ("48;2;0;0;200", "ansi-bg-blue"),
        ("38;2;0;0;200;1", "ansi-bold ansi-fg-blue"),  # codes after an RGB colour still apply
        ("38:5:2", "ansi-fg-green"),
        ("38:2::255:0:0", "ansi-fg-bright-red"),
    ],
)
def test_sgr_codes_become_classes(codes: str, classes: str) -> None:
    assert ansi_to_html(f"\x1b[{codes}mx\x1b[0m") == span(classes, "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[1;31ma\x1b[22mb", span("ansi-bold ansi-fg-red", "a") + span("ansi-fg-red", "b")),
        (
            "\x1b[2;3ma\x1b[22mb\x1b[23mc",
            span("ansi-dim ansi-italic", "a") + span("ansi-italic", "b") + "c",
        ),
        (
            "\x1b[4;31ma\x1b[24mb\x1b[39mc",
            span("ansi-underline ansi-fg-red", "a") + span("ansi-fg-red", "b") + "c",
        ),
        (
            "\x1b[31;42ma\x1b[49mb\x1b[mc",
            span("ansi-fg-red ansi-bg-green", "a") + span("ansi-fg-red", "b") + "c",
        ),
        ("\x1b[31ma\x1b[32mb", span("ansi-fg-red", "a") + span("ansi-fg-green", "b")),
        ("\x1b[31ma\x1b[31mb", span("ansi-fg-red", "ab")),  # a no-op code doesn't split the span
        ("\x1b[38;5;300mx", "x"),  # out of range: ignored
        ("\x1b[5;7mx", "x"),  # blink / inverse have no class
    ],
)
def test_resets_and_combinations(text: str, expected: str) -> None:
    assert ansi_to_html(text) == expected


def test_spans_never_cross_a_newline() -> None:
    out = ansi_to_html("\x1b[1;31mred\nstill red\x1b[0m\nplain")
    assert out.split("\n") == [
        span("ansi-bold ansi-fg-red", "red"),
        span("ansi-bold ansi-fg-red", "still red"),
        "plain",
    ]
    for line in out.split("\n"):
        assert line.count("<span") == line.count("</span>")


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b[2K",  # erase line
        "\x1b[3A",  # cursor up
        "\x1b[10;20H",  # cursor position
        "\x1b[?25l",  # hide cursor (private mode)
        "\x1b[>4;1m",  # private "m" that is not SGR
        "\x1b]0;window title\x07",  # OSC ended by BEL
        "\x1b]8;;https://evil.example/\x1b\\",  # OSC 8 hyperlink ended by ST
        "\x1bP1$r\x1b\\",  # DCS
        "\x1b(B",  # charset
        "\x1b7",  # save cursor
        "\x1bc",  # reset
        "\x9b2K",  # 8-bit CSI
        "\x00\x01\x07\x08\x0b\x0c\x7f",  # lone control characters
    ],
)
def test_other_escapes_and_controls_are_stripped(sequence: str) -> None:
    assert ansi_to_html(f"a{sequence}b") == "ab"
    assert strip_ansi(f"a{sequence}b") == "ab"


def test_tabs_newlines_and_carriage_returns() -> None:
    assert ansi_to_html("a\tb\r\nc\rd\n") == "a\tb\nc\nd\n"
    assert strip_ansi("\x1b[31ma\tb\r\nc\x1b[0m") == "a\tb\nc"


def test_truncated_sequences_do_not_leak() -> None:
    # The API returns the last 2048 bytes: a sequence may be cut at either end.
    assert ansi_to_html("done\x1b[3") == "done"
    assert ansi_to_html("done\x1b]0;unterminated title\nnext") == "done\nnext"
    assert ansi_to_html("tail\x1b") == "tail"


def test_log_lines_one_per_line() -> None:
    lines = log_lines("\x1b[32mok\x1b[0m one\n\ntwo <b>\n")
    assert lines == [span("ansi-fg-green", "ok") + " one", "", "two &lt;b&gt;"]
    assert all(isinstance(line, SafeString) for line in lines)
    assert log_lines("") == []
    assert log_lines("no newline") == ["no newline"]
    assert log_lines("x\n\x1b[0m") == ["x"]  # a trailing reset is not a line


def test_bytes_with_invalid_utf8() -> None:
    assert (
        ansi_to_html(b"\xff\x1b[31mok\x1b[0m <") == "\ufffd" + span("ansi-fg-red", "ok") + " &lt;"
    )
    assert strip_ansi(b"\x1b[1mx") == "x"
    assert ansi_to_html(None) == "" and log_lines(None) == []


@pytest.mark.parametrize("seed", range(12))
def test_emulator_logs_render_without_escape_bytes(seed: int) -> None:
    stdout, stderr = full_logs(seed, label="x", failed=True, exit_code=1)
    for data in (stdout, stderr):
        out = ansi_to_html(data)
        assert ESC not in out and ESC not in "".join(log_lines(data))
        assert ESC not in strip_ansi(data)
        assert "<script" not in out and "<img" not in out and "<b>" not in out
        parse_xml(f"<pre>{out}</pre>")  # well-formed: spans balanced, no stray markup
        assert len(log_lines(data)) == data.count(b"\n")


def test_emulator_colour_logs_keep_their_colours() -> None:
    rendered = [
        ansi_to_html(full_logs(s, label="x", failed=True, exit_code=1)[1]) for s in range(12)
    ]
    coloured = [out for out in rendered if "ansi-fg-red" in out]
    assert coloured, "some seeds colour their logs"
    assert all("error: step failed with exit code 1</span>" in out for out in coloured)


def test_class_names_cover_sixteen_colours() -> None:
    assert len(set(NAMES)) == 16
    assert ansi_to_html("\x1b[93mx") == span("ansi-fg-bright-yellow", "x")


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab<>&\"'\n\t\r;[]m0123456789:?") + ["\x1b", "\x07", "\x9b", "\x00"]
        )
    )
)
def test_any_input_renders_inert_and_balanced(text: str) -> None:
    out = ansi_to_html(text)
    assert ESC not in out
    assert SPAN.sub("", out).count("<") == 0
    parse_xml(f"<pre>{out}</pre>")
    assert "".join(parse_xml(f"<pre>{out}</pre>").itertext()) == strip_ansi(text)
