"""The translation catalog: extract every marked string, compile the catalog.

`make messages` runs this after a change to any text a person reads; then translate the new
entries of locale/zh_Hans/LC_MESSAGES/django.po (empty msgstr) and run it again to compile.
tests/i18n/test_catalog.py runs the same extraction on a copy of the tree and fails when the
committed catalog differs, has an untranslated or fuzzy entry, or the compiled .mo is behind.
Needs GNU gettext (Debian: `gettext`), as Django's makemessages does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["zh_Hans"]
# Not the interface: the tests and benches, the docs, the virtualenv, the demo's data, and the
# emulator, whose messages are the cloud's own (apps/emulator/errors.py, in both languages).
IGNORED = [".venv/*", "tests/*", "bench/*", "docs/*", ".demo/*", "apps/emulator/*"]


def extract(root: Path = ROOT) -> None:
    args = ["makemessages", "--no-obsolete", "--add-location=file"]
    args += [f"--locale={locale}" for locale in LOCALES]
    args += [f"--ignore={pattern}" for pattern in IGNORED]
    _manage(root, args)


def compile_catalog(root: Path = ROOT) -> None:
    args = ["compilemessages", *[f"--locale={locale}" for locale in LOCALES]]
    _manage(root, [*args, *[f"--ignore={pattern}" for pattern in IGNORED]])


def _manage(root: Path, args: list[str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "dashboard.settings", "PATH": "/usr/bin:/bin"},
    )


if __name__ == "__main__":
    extract()
    compile_catalog()
