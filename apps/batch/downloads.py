"""The file name a log download is saved under.

The parts are the cloud's ids and names (a TaskName may be `"; filename*=UTF-8''evil.html;`),
so only letters, digits, `-` and `_` survive from each part, and the name always ends in
`.log`: whatever a task is called, the browser saves a log file, never a page or a script.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
PART_LIMIT = 60  # TaskName and JobName are at most 60 characters in the cloud


def download_name(*parts: str) -> str:
    """`stdout.job-1a2b.stage_1.0.log` from ("stdout", "job-1a2b", "stage/1", "0")."""
    safe = [_UNSAFE.sub("_", part).strip("_")[:PART_LIMIT] or "_" for part in parts]
    return ".".join(safe) + ".log"
