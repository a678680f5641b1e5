"""Small building blocks shared by the SVG and HTML helpers of apps.ui.

They exist so every module assembles markup the same safe way: every piece is either a
SafeString from `format_html`/`escape`, or plain text that `join` escapes, so no helper can
concatenate an unescaped user string into a page by accident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"

# C0/C1 control characters (except \t and \n) are invisible, can spoof what a reader sees, and
# are not even legal in XML 1.0, so an SVG containing one would not parse.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_CLASS = re.compile(r"[^A-Za-z0-9_-]")


def join(pieces: Iterable[str], sep: str = "") -> SafeString:
    """Concatenate markup; anything not already marked safe is escaped, never trusted."""
    # conditional_escape leaves SafeStrings alone and escapes everything else, so mark_safe
    # below only ever wraps escaped text.
    return mark_safe(conditional_escape(sep).join(conditional_escape(p) for p in pieces))  # noqa: S308


def clean_text(text: object) -> str:
    """Plain text fit for a label: a str, without control characters."""
    return _CONTROL.sub("", "" if text is None else str(text))


def css_token(value: object, *, fallback: str = "unknown") -> str:
    """A class-name fragment from any string (a state from the API, possibly hostile).

    Only [A-Za-z0-9_-] survives (anything else becomes "_"), so the value can neither
    leave the class attribute nor inject a second class with a surprising meaning.
    """
    token = _NOT_CLASS.sub("_", clean_text(value))[:64]
    return token or fallback


def ellipsize(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis; cut before escaping, never after,
    so an entity such as &amp; can't be split in half."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def num(value: float) -> str:
    """A coordinate written compactly (1 decimal is far below a pixel once scaled)."""
    if not math.isfinite(value):
        value = 0.0
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def svg(
    body: Iterable[str], *, width: float, height: float, label: str, css: str, role: str = "img"
) -> SafeString:
    """The outer <svg>: a viewBox in pixels and the default uniform scaling.

    preserveAspectRatio="none" is deliberately never used: every chart here contains text,
    which non-uniform scaling would stretch. CSS may still set `width: 100%; height: auto`.
    """
    head = format_html(
        '<svg xmlns="{}" class="{}" role="{}" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}"><title>{}</title>',
        SVG_NS,
        css,
        role,
        clean_text(label),
        num(width),
        num(height),
        num(width),
        num(height),
        clean_text(label),
    )
    return join([head, *body, mark_safe("</svg>")])


def empty_svg(message: str, *, width: float, height: float, label: str, css: str) -> SafeString:
    """A placeholder chart that says why there is nothing to draw."""
    text = format_html(
        '<text class="chart-empty" x="{}" y="{}" text-anchor="middle">{}</text>',
        num(width / 2),
        num(height / 2),
        message,
    )
    return svg([text], width=width, height=height, label=label, css=f"{css} chart-is-empty")
