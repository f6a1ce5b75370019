"""Generate a bulletin's files: build the ``Bulletin`` once, render Excel and PDF, write both atomically.

The management command (cron) and the reports page call ``generate_bulletin``; it reads data and writes two files,
nothing else, and running it again for the same area and period replaces the same two files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import translation

from gridgov.command.periods import Period
from gridgov.command.reports.excel import render_xlsx
from gridgov.command.reports.files import bulletin_path, write_atomically
from gridgov.command.reports.pdf import render_pdf
from gridgov.command.selectors.bulletin import build_bulletin
from gridgov.geo.models import Area


@dataclass(frozen=True)
class BulletinFiles:
    """The two files of one bulletin (iterating gives the Excel file, then the PDF)."""

    xlsx: Path
    pdf: Path

    def __iter__(self) -> Iterator[Path]:
        return iter((self.xlsx, self.pdf))


def generate_bulletin(
    area: Area, period: Period, *, now: datetime | None = None, language: str | None = None
) -> BulletinFiles:
    """Write ``REPORT_DIR/<area code>/<period slug>.xlsx`` and ``.pdf`` for ``area`` and ``period``.

    The files are in ``language`` (default: the site's ``LANGUAGE_CODE``, Chinese), whoever asks for them, so a
    file is the same whether cron or a user on an English page generated it. "Overdue now" is counted at ``now``.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        bulletin = build_bulletin(area, period, now=now)
        xlsx = render_xlsx(bulletin)
        pdf = render_pdf(bulletin)
    files = BulletinFiles(
        xlsx=bulletin_path(area.code, period, "xlsx"), pdf=bulletin_path(area.code, period, "pdf")
    )
    write_atomically(files.xlsx, xlsx)
    write_atomically(files.pdf, pdf)
    return files
