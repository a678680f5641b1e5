"""Finds English words a zh-Hans page should not have: the translation check of every page.

Text from the cloud (ids, names, states, the cloud's own messages) is not ours to translate; the
templates mark it with HTML's own `translate="no"` (which also keeps browser translators off
it), or show it as code (<code>, <kbd>, <pre>, <samp>, class "mono"). Everything else a person
reads, text and the title, placeholder, aria-label and alt attributes, must be Chinese. A word
here is a run of letters between spaces and punctuation; tokens with digits, `-`, `_`, `.`, `/`,
`:` or `@` in them are identifiers (env-…, ap-guangzhou, S5.LARGE8) and all-capital words are
the cloud's states and codes (FAILED, COS), so neither counts.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Names that stay as they are in Chinese text: products, protocols, units and the cloud's terms.
KEPT = {
    "Jobdeck",
    "BatchCompute",
    "Batch",
    "Omics",
    "Tencent",
    "Cloud",
    "SecretId",
    "SecretKey",
    "Token",
    "Redis",
    "Valkey",
    "Celery",
    "PostgreSQL",
    "SQLite",
    "Django",
    "English",
    "ms",
    "vCPU",
    "GiB",
    "MiB",
    "KiB",
    "MB",
    "KB",
    "GB",
}
CODE_TAGS = {"code", "kbd", "pre", "samp", "script", "style", "template"}
VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
IDENTIFIER = re.compile(r"[\d\-_./:@#=?&%+]")
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    words = []
    for token in text.split():
        token = token.strip("()[]{}<>,;!?\"'“”‘’…·—–|*")
        if not token or IDENTIFIER.search(token) or not WORD.fullmatch(token):
            continue
        if token.isupper() or token in KEPT or _camel(token):
            continue
        words.append(token)
    return words


def _camel(token: str) -> bool:
    """DescribeJobs, RetryRuns, ProjectId: the cloud's action and field names."""
    return any(c.isupper() for c in token[1:]) and not token.isupper()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # per open element: its tag, is its text exempt?
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        exempt = (
            (bool(self.stack) and self.stack[-1][1])
            or tag in CODE_TAGS
            or values.get("translate") == "no"
            or "mono" in (values.get("class") or "").split()
        )
        if not exempt:
            for name in READ_ATTRIBUTES:
                for word in english_words(values.get(name) or ""):
                    self.found.append((word, f"{tag}[{name}]={values.get(name)!r}"))
            if tag == "input" and values.get("type") in {"submit", "button"}:
                for word in english_words(values.get("value") or ""):
                    self.found.append((word, f"input[value]={values.get('value')!r}"))
        if tag not in VOID_TAGS:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Up to the element it closes (an omitted </p> or </li> closes with its parent).
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][1]:
            return
        for word in english_words(data):
            self.found.append((word, " ".join(data.split())[:120]))


def untranslated(html: str) -> list[tuple[str, str]]:
    """(word, where) for each English word outside the cloud's data on a rendered page."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
