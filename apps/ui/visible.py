"""Invisible characters from the cloud made visible on every page.

A job name, a task name, a state reason or an error message is the cloud's text, and may hold
characters a reader cannot see but which change what they see: `invoice<U+202E>gpj.exe`
(U+202E RIGHT-TO-LEFT OVERRIDE) reads as `invoiceexe.jpg`, and a raw ESC or another C0/C1
control hides or rewrites what follows it in a terminal someone pastes it into. Escaping keeps
them out of the markup, not out of the text, so every HTML answer is passed once through
`visible()`: each such character becomes a visible stand-in (its control picture, ␛ for ESC,
or `\\u202e`) that contains no markup, so it is as safe inside an attribute as in the text,
and no template can forget it.

Tab, newline and carriage return stay (they are the page's own white space); log panels keep
their own rule for terminal controls (apps/ui/ansi.py strips sequences a terminal would act on).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# C0 controls but \t \n \r, DEL, C1 controls, and the bidi embeddings, overrides and isolates
# (U+202A..U+202E, U+2066..U+2069: https://www.unicode.org/reports/tr9/#Explicit_Directional_Formatting_Characters).
HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ .. ␟ (␛ for ESC)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every invisible control or bidi override replaced by a visible stand-in."""
    return HIDDEN.sub(_stand_in, text)


class VisibleControlsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and not response.streaming:
            charset = response.charset
            body = response.content.decode(charset, errors="replace")
            if HIDDEN.search(body):
                response.content = visible(body).encode(charset)
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
        return response
