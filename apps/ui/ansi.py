"""Render terminal output (task logs) as HTML: ANSI SGR colours become CSS classes.

Batch logs carry ANSI colour codes, cursor moves and sometimes HTML-looking text. Showing the
raw bytes is unreadable, and showing them as HTML is an XSS hole, so this module turns the
colour codes into <span class="..."> with class names only (no inline styles, so a
Content-Security-Policy without 'unsafe-inline' still works), strips every other escape
sequence and control character, and escapes all text.

Classes the stylesheet must define:
    ansi-bold, ansi-dim, ansi-italic, ansi-underline,
    ansi-fg-<colour> and ansi-bg-<colour>, where <colour> is one of
    black, red, green, yellow, blue, magenta, cyan, white,
    bright-black, bright-red, bright-green, bright-yellow,
    bright-blue, bright-magenta, bright-cyan, bright-white.
256-colour (38;5;n / 48;5;n) and true-colour (38;2;r;g;b / 48;2;r;g;b) codes are
approximated to the nearest of those 16 colours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.ui.markup import join

COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
NAMES = (*COLOURS, *(f"bright-{c}" for c in COLOURS))
# xterm's default palette: what the 16 names look like, to find the nearest for 256/RGB codes.
_PALETTE = (
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
)
_CUBE = (0, 95, 135, 175, 215, 255)

# One alternation, tried in order. CSI first (SGR is the CSI with final byte "m"); an OSC or a
# DCS/SOS/PM/APC string ends at BEL or ST, or at a newline so an unterminated one can't
# swallow the rest of the log; a truncated CSI (the 2048-byte tail may cut one) goes before the
# two-character escapes, which would otherwise read "ESC [" as one.
_ESCAPE = re.compile(
    r"""
    (?:\x1b\[|\x9b)(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~])
    | (?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?
    | \x1b\[[0-?]*[ -/]*
    | \x1b[ -/]*[0-~]
    | \x1b
    """,
    re.VERBOSE,
)
# Whatever control characters remain (not \t or \n) are dropped: invisible at best, and
# illegal in XML. A lone \r becomes a line break: a progress bar then shows every update
# instead of overwriting (and hiding) what came before it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    fg: str | None = None
    bg: str | None = None

    def classes(self) -> str:
        names = [f"ansi-{a}" for a in ("bold", "dim", "italic", "underline") if getattr(self, a)]
        names += [f"ansi-fg-{self.fg}"] if self.fg else []
        names += [f"ansi-bg-{self.bg}"] if self.bg else []
        return " ".join(names)


_PLAIN = _Style()


def _nearest(rgb: tuple[int, int, int]) -> str:
    distance = [sum((a - b) ** 2 for a, b in zip(rgb, p, strict=True)) for p in _PALETTE]
    return NAMES[distance.index(min(distance))]


def _from_256(n: int) -> str | None:
    if not 0 <= n <= 255:
        return None
    if n < 16:
        return NAMES[n]
    if n < 232:
        n -= 16
        return _nearest((_CUBE[n // 36], _CUBE[n // 6 % 6], _CUBE[n % 6]))
    grey = 8 + 10 * (n - 232)
    return _nearest((grey, grey, grey))


def _extended(args: list[int]) -> tuple[str | None, int]:
    """The colour of a 38/48 code from the numbers after it, and how many it used."""
    if args[:1] == [5] and len(args) >= 2:
        return _from_256(args[1]), 2
    if args[:1] == [2] and len(args) >= 4:
        r, g, b = (min(max(v, 0), 255) for v in args[1:4])
        return _nearest((r, g, b)), 4
    return None, len(args)  # malformed: consume the rest, as terminals do


def _leading_ints(codes: list[int | list[int]]) -> list[int]:
    """The plain codes at the start of `codes`, up to the first colon group."""
    ints: list[int] = []
    for code in codes:
        if isinstance(code, list):
            break
        ints.append(code)
    return ints


def _apply_sgr(style: _Style, params: str) -> _Style:
    # "38:5:n" / "38:2::r:g:b" (colon sub-parameters, ITU T.416) are handled one group at a time.
    groups = params.split(";") if params else ["0"]
    codes: list[int | list[int]] = []
    for group in groups:
        if ":" in group:
            sub = [int(p) if p.isdigit() else 0 for p in group.split(":")]
            if len(sub) >= 6 and sub[1] == 2:
                sub = [sub[0], 2, *sub[-3:]]  # drop the colour-space id
            codes.append(sub)
        else:
            codes.append(int(group) if group.isdigit() else 0)
    i = 0
    while i < len(codes):
        code = codes[i]
        i += 1
        if isinstance(code, list):
            head, args = code[0], code[1:]
        else:
            head, args = code, []
        if head in (38, 48):
            if not args:  # ";"-separated: the arguments are the following codes
                args = _leading_ints(codes[i:])
                colour, used = _extended(args)
                i += used
            else:
                colour, _ = _extended(args)
            if colour is not None:
                style = replace(style, fg=colour) if head == 38 else replace(style, bg=colour)
        elif head == 0:
            style = _PLAIN
        elif head == 1:
            style = replace(style, bold=True)
        elif head == 2:
            style = replace(style, dim=True)
        elif head == 3:
            style = replace(style, italic=True)
        elif head == 4:
            style = replace(style, underline=True)
        elif head == 22:
            style = replace(style, bold=False, dim=False)
        elif head == 23:
            style = replace(style, italic=False)
        elif head == 24:
            style = replace(style, underline=False)
        elif 30 <= head <= 37 or 90 <= head <= 97:
            style = replace(style, fg=NAMES[head - 30 if head < 90 else head - 82])
        elif 40 <= head <= 47 or 100 <= head <= 107:
            style = replace(style, bg=NAMES[head - 40 if head < 100 else head - 92])
        elif head == 39:
            style = replace(style, fg=None)
        elif head == 49:
            style = replace(style, bg=None)
        # Anything else (blink, inverse, fonts...) is ignored: it has no class to map to.
    return style


def _clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _as_str(text: str | bytes | None) -> str:
    if text is None:
        return ""
    # Logs arrive as bytes that may not be valid UTF-8; replacement characters beat a crash.
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _styled_lines(text: str) -> list[list[tuple[_Style, str]]]:
    """The text as lines of (style, plain text) runs; escapes interpreted or removed."""
    lines: list[list[tuple[_Style, str]]] = [[]]
    style = _PLAIN
    position = 0

    def add(chunk: str) -> None:
        for n, part in enumerate(_clean(chunk).split("\n")):
            if n:
                lines.append([])
            if part:
                line = lines[-1]
                if line and line[-1][0] == style:  # merge runs a no-op code split
                    line[-1] = (style, line[-1][1] + part)
                else:
                    line.append((style, part))

    for match in _ESCAPE.finditer(text):
        add(text[position : match.start()])
        position = match.end()
        if (
            match["final"] == "m"
            and not match["inter"]
            and re.fullmatch(r"[\d;:]*", match["params"])
        ):
            style = _apply_sgr(style, match["params"])
    add(text[position:])
    return lines


def _render(line: list[tuple[_Style, str]]) -> SafeString:
    # Each run gets its own span, closed before the newline, so lines render independently.
    return join(
        format_html('<span class="{}">{}</span>', style.classes(), part)
        if style != _PLAIN
        else part  # join() escapes plain text
        for style, part in line
    )


def ansi_to_html(text: str | bytes | None) -> SafeString:
    """The whole text as HTML, newlines kept (for a <pre>)."""
    return join((_render(line) for line in _styled_lines(_as_str(text))), "\n")


def log_lines(text: str | bytes | None) -> list[SafeString]:
    """One rendered line per input line, for a template that numbers them.

    A trailing newline does not add an empty last line (as str.splitlines).
    """
    lines = _styled_lines(_as_str(text))
    if not lines[-1]:
        lines.pop()
    return [_render(line) for line in lines]


def strip_ansi(text: str | bytes | None) -> str:
    """The text without escape sequences or control characters (for search, copy, titles)."""
    return _clean(_ESCAPE.sub("", _as_str(text)))
