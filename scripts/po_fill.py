"""Fill or correct entries of a gettext catalogue from a JSON map {msgid: msgstr} (maintainers' tool).

Usage: python scripts/po_fill.py gridgov/locale/zh_Hans/LC_MESSAGES/django.po translations.json
For plural entries the value is the single zh msgstr[0]. The entry's fuzzy flag and previous-msgid lines go.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def fill(po_path: Path, translations: dict[str, str]) -> int:
    blocks = po_path.read_text(encoding="utf-8").split("\n\n")
    changed = 0
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        id_lines: list[str] = []
        collecting = False
        for line in lines:
            if line.startswith("msgid "):
                collecting = True
                id_lines = [line]
            elif collecting and line.startswith('"'):
                id_lines.append(line)
            elif collecting:
                break
        if not id_lines:
            continue
        msgid = _unquote(id_lines)
        if msgid not in translations:
            continue
        value = json.dumps(translations[msgid], ensure_ascii=False)
        plural = any(line.startswith("msgid_plural") for line in lines)
        kept: list[str] = []
        skipping = False
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            if line.startswith("msgstr"):
                skipping = True
                continue
            if skipping and line.startswith('"'):
                continue
            skipping = False
            kept.append(line)
        kept.append(f"msgstr[0] {value}" if plural else f"msgstr {value}")
        blocks[index] = "\n".join(kept)
        changed += 1
    po_path.write_text("\n\n".join(blocks), encoding="utf-8")
    return changed


if __name__ == "__main__":
    path, table = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    count = fill(path, table)
    print(f"{count} of {len(table)} entries filled", file=sys.stderr)
    sys.exit(0 if count == len(table) else 1)
