"""Where bulletins are kept: ``REPORT_DIR/<area code>/<period slug>.xlsx|.pdf``, written atomically.

A file is written beside its final name under a hidden temporary name and renamed over it (``os.replace``, atomic
on one file system), so a reader never sees half a file and a rerun simply replaces the old one. Names read back
from a URL go through ``stored_file``, which accepts only the names this module writes and refuses any path that
would resolve outside ``REPORT_DIR``.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gridgov.command.periods import Period

#: The two renderings of a bulletin, in the order the pages list them.
EXTENSIONS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

_SLUG = re.compile(
    r"^(?:month-(?P<month>\d{4}-\d{2})|week-(?P<wyear>\d{4})-W(?P<week>\d{2})|day-(?P<day>\d{4}-\d{2}-\d{2})"
    r"|year-(?P<year>\d{4})|(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2}))$"
)
_FILE = re.compile(r"^(?P<slug>[0-9A-Za-z_-]+)\.(?P<ext>xlsx|pdf)$")
_AREA_CODE = re.compile(r"^[0-9A-Za-z_-]+$")


def report_dir() -> Path:
    return Path(settings.GRIDGOV["REPORT_DIR"])


def area_dir(area_code: str) -> Path:
    """The folder of one area's bulletins (``ValueError`` for a code that is not a plain name)."""
    if not _AREA_CODE.match(area_code):
        raise ValueError(f"not an area code: {area_code!r}")
    return report_dir() / area_code


def bulletin_path(area_code: str, period: Period, extension: str) -> Path:
    if extension not in EXTENSIONS:
        raise ValueError(f"unknown extension {extension!r}")
    return area_dir(area_code) / f"{period.slug}.{extension}"


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def period_from_slug(slug: str) -> Period | None:
    """The period a file name stands for (the inverse of ``Period.slug``), None when it is not one."""
    match = _SLUG.match(slug)
    if match is None:
        return None
    try:
        if match["month"]:
            return Period.containing("month", date.fromisoformat(f"{match['month']}-01"))
        if match["week"]:
            return Period.containing("week", date.fromisocalendar(int(match["wyear"]), int(match["week"]), 1))
        if match["day"]:
            return Period.containing("day", date.fromisoformat(match["day"]))
        if match["year"]:
            return Period.containing("year", date(int(match["year"]), 1, 1))
        start, last = date.fromisoformat(match["start"]), date.fromisoformat(match["end"])
        return Period("range", start, date.fromordinal(last.toordinal() + 1))
    except ValueError:
        return None


@dataclass
class StoredFile:
    name: str
    extension: str
    size: int
    modified: datetime


@dataclass
class StoredBulletin:
    """One period's bulletin of an area as found on disk (the Excel file, the PDF, or both)."""

    slug: str
    period: Period
    files: dict[str, StoredFile] = field(default_factory=dict)

    @property
    def generated_at(self) -> datetime:
        return max(f.modified for f in self.files.values())

    @property
    def ordered_files(self) -> list[StoredFile]:
        return [self.files[ext] for ext in EXTENSIONS if ext in self.files]


def stored_bulletins(area_code: str) -> list[StoredBulletin]:
    """The bulletins kept for an area, latest period first (temporary and unknown files are ignored)."""
    try:
        folder = area_dir(area_code)
    except ValueError:
        return []
    if not folder.is_dir():
        return []
    found: dict[str, StoredBulletin] = {}
    zone = timezone.get_current_timezone()
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None or entry.is_symlink() or not entry.is_file():
            continue
        period = period_from_slug(match["slug"])
        if period is None:
            continue
        stat = entry.stat()
        bulletin = found.setdefault(match["slug"], StoredBulletin(match["slug"], period))
        bulletin.files[match["ext"]] = StoredFile(
            entry.name, match["ext"], stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=zone)
        )
    return sorted(found.values(), key=lambda b: (b.period.start, b.period.end, b.slug), reverse=True)


def stored_file(area_code: str, name: str) -> Path | None:
    """The kept file ``name`` of an area, or None: unknown name, not a bulletin name, outside ``REPORT_DIR``."""
    match = _FILE.match(name)
    if match is None or period_from_slug(match["slug"]) is None:
        return None
    try:
        folder = area_dir(area_code)
    except ValueError:
        return None
    root = report_dir().resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(root) or path.parent != (root / area_code).resolve():
        return None
    return path if path.is_file() else None
