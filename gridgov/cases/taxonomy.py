"""The default taxonomy of a new installation (../shared/TAXONOMY.md), kept as data in ``data/taxonomy.json``.

The data migration loads it once; afterwards each town edits its categories in the admin. The triage engine,
the Open311 service list and the demo data use the same codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.json"


def default_taxonomy() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return data


def category_defaults(entry: dict[str, Any], sort_order: int) -> dict[str, Any]:
    """Model field values of one category entry of the taxonomy file."""
    return {
        "name": entry["name"],
        "name_en": entry["name_en"],
        "scope_in": entry["scope_in"],
        "scope_out": entry["scope_out"],
        "scope_in_en": entry["scope_in_en"],
        "scope_out_en": entry["scope_out_en"],
        "default_department": entry["default_department"],
        "sla_working_days": entry["sla"],
        "sort_order": sort_order,
    }
