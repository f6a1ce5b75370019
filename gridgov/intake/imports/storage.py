"""Where the upload page keeps a file between its steps (upload → mapping → import) and the import's report.

Files hold personal data (names, phone numbers), so they live outside the media folder, in ``VAR_DIR/imports``
(or ``GRIDGOV["IMPORT_DIR"]``), under a random token, readable only by the user who uploaded them. An upload is
deleted once it has been imported; whatever is older than ``KEEP_HOURS`` is swept away at the next upload.
With several app servers the folder must be shared between them (like ``MEDIA_ROOT``).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from gridgov.intake.imports.service import ImportReport

KEEP_HOURS = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Upload:
    token: str
    user_id: int
    name: str
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


def import_dir() -> Path:
    configured = settings.GRIDGOV.get("IMPORT_DIR")
    folder = Path(configured) if configured else Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _paths(token: str) -> tuple[Path, Path, Path]:
    folder = import_dir()
    return folder / f"{token}.data", folder / f"{token}.json", folder / f"{token}.report.json"


def save_upload(*, user_id: int, name: str, data: bytes) -> Upload:
    sweep()
    token = secrets.token_urlsafe(24)
    data_path, meta_path, _report = _paths(token)
    data_path.write_bytes(data)
    data_path.chmod(0o600)
    meta_path.write_text(json.dumps({"user": user_id, "name": name[:200]}), encoding="utf-8")
    return Upload(token, user_id, name[:200], data_path)


def _meta(token: str, user_id: int) -> dict[str, Any] | None:
    if not _TOKEN.match(token or ""):
        return None
    _data, meta_path, _report = _paths(token)
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("user") == user_id else None


def get_upload(token: str, user_id: int) -> Upload | None:
    """The upload, if ``user_id`` made it and it is still there."""
    meta = _meta(token, user_id)
    data_path = _paths(token)[0] if meta is not None else None
    if meta is None or data_path is None or not data_path.exists():
        return None
    return Upload(token, user_id, str(meta.get("name", "")), data_path)


def finish(token: str, report: ImportReport) -> None:
    """Keep the report and delete the uploaded file (it has been imported)."""
    data_path, _meta_path, report_path = _paths(token)
    report_path.write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    report_path.chmod(0o600)
    data_path.unlink(missing_ok=True)


def get_report(token: str, user_id: int) -> ImportReport | None:
    if _meta(token, user_id) is None:
        return None
    try:
        data = json.loads(_paths(token)[2].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return ImportReport.from_dict(data)


def sweep(*, now: float | None = None) -> int:
    """Delete uploads and reports older than ``KEEP_HOURS``; returns how many files went."""
    limit = (now or time.time()) - KEEP_HOURS * 3600
    removed = 0
    for path in import_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
