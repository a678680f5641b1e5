"""The zh-Hans catalog is complete and current: CI fails when a string was marked but not
extracted, extracted but not translated, left fuzzy, translated with other placeholders, or
not compiled (dashboard/catalog.py, `make messages`)."""

from __future__ import annotations

import re
import shutil

import polib
import pytest

from dashboard import catalog

PO = catalog.ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages reads and what it needs to run: the code, the templates, the catalog.
TREE = ["apps", "dashboard", "templates", "locale", "manage.py"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|\{(\w*)\}")


def _entries(po: polib.POFile) -> dict[tuple[str | None, str, str], str | dict[int, str]]:
    return {
        (e.msgctxt, e.msgid, e.msgid_plural): e.msgstr_plural or e.msgstr
        for e in po
        if not e.obsolete
    }


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    copy = tmp_path_factory.mktemp("tree")
    for name in TREE:
        source = catalog.ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    catalog.extract(copy)
    return polib.pofile(str(copy / PO.relative_to(catalog.ROOT)))


def test_every_marked_string_is_in_the_catalog(extracted: polib.POFile) -> None:
    committed = polib.pofile(str(PO))
    missing = sorted(set(_entries(extracted)) - set(_entries(committed)))
    stale = sorted(set(_entries(committed)) - set(_entries(extracted)))
    assert not missing, f"marked but not in the catalog (run `make messages`): {missing[:20]}"
    assert not stale, f"in the catalog but no longer marked (run `make messages`): {stale[:20]}"


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for entry in polib.pofile(str(PO)):
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        wanted |= set(PLACEHOLDER.findall(entry.msgid))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:20]


def test_the_compiled_catalog_is_the_catalog() -> None:
    assert MO.exists(), "run `make messages` to compile the catalog"
    assert _entries(polib.mofile(str(MO))) == {
        key: value
        for key, value in _entries(polib.pofile(str(PO))).items()
        if key[1]  # the header is stored apart in the .mo
    }
