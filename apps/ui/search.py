"""The global search box: an id (of any product) jumps to its page; `key:value` terms filter
the job list."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from django.db.models import QuerySet
from django.urls import reverse

from apps.batch import selectors as batch
from apps.cloud.models import CloudAccount
from apps.omics import selectors as omics

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TERMS = {
    "state": "state",
    "env": "env",
    "zone": "zone",
    "tag": "tag",
    "name": "q",
    "id": "q",
    "sort": "sort",
}


def resolve(accounts: QuerySet[CloudAccount], text: str) -> str:
    """The URL the search box leads to."""
    text = text.strip()
    if not text:
        return reverse("batch:job-list")
    if " " not in text and ":" not in text:
        target = _jump(accounts, text)
        if target:
            return target
    params: list[tuple[str, str]] = []
    for word in text.split():
        key, sep, value = word.partition(":")
        if sep and key.lower() in TERMS and value:
            params.append((TERMS[key.lower()], value.upper() if key.lower() == "state" else value))
        else:
            params.append(("q", word))
    return reverse("batch:job-list") + "?" + urlencode(params)


def _jump(accounts: QuerySet[CloudAccount], word: str) -> str | None:
    if word.startswith("job-") and batch.job_for(accounts, word):
        return reverse("batch:job-detail", args=[word])
    if word.startswith("env-") and batch.env_for(accounts, word):
        return reverse("batch:env-detail", args=[word])
    if word.startswith("node-"):
        env = batch.env_for_node(accounts, word)
        if env:
            return reverse("batch:env-detail", args=[env.env_id]) + "#" + quote(word, safe="")
    if word.startswith("run-") and omics.run_group_for(accounts, word):
        return reverse("omics:run-group-detail", args=[word])
    if UUID.match(word) and omics.run_for(accounts, word):
        return reverse("omics:run-detail", args=[word])
    return None
