"""The Simplified Chinese catalogue is complete, compiled, and covers every string in the code and templates."""

from __future__ import annotations

import gettext
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str) -> list[tuple[str, str, list[str]]]:
    """(msgid, first msgstr, flags) of each entry of a .po file (enough of the format for these checks)."""
    entries = []
    for block in text.split("\n\n"):
        flags: list[str] = []
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
                current, _, rest = line.partition(" ")
                fields[current] = [rest]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields:
            msgid = "".join(json.loads(part) for part in fields["msgid"])
            if "msgctxt" in fields:  # compiled catalogues key such entries as "context\x04msgid"
                msgid = "".join(json.loads(part) for part in fields["msgctxt"]) + "\x04" + msgid
            msgstr = "".join(
                json.loads(part) for part in fields.get("msgstr", fields.get("msgstr[0]", ['""']))
            )
            entries.append((msgid, msgstr, flags))
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = [entry for entry in _entries(PO.read_text(encoding="utf-8")) if entry[0]]
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr, _ in _entries(PO.read_text(encoding="utf-8")):
        if msgid:
            assert compiled._catalog.get(msgid, compiled._catalog.get((msgid, 0))) == msgstr, msgid


def test_catalogue_covers_every_marked_string(tmp_path):
    """Re-extract the strings into a copy of the package: nothing new may appear untranslated."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("gettext is not installed (apt-get install gettext)")
        pytest.skip("gettext is not installed")
    copy = tmp_path / "gridgov"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("static_build", "__pycache__", "node_modules")
    )
    # Import the copy (its settings point LOCALE_PATHS at the copy), so the real catalogue is never touched.
    env = {**os.environ, "SECRET_KEY": "x", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [
            sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
            "--ignore", "testing/*", "--ignore", "*/tests/*",
        ],
        cwd=copy, env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"}, check=True, capture_output=True,
    )  # fmt: skip
    fresh = _entries((copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    missing = [msgid for msgid, msgstr, flags in fresh if msgid and (not msgstr or "fuzzy" in flags)]
    assert missing == [], "run `make messages` and translate these strings"
