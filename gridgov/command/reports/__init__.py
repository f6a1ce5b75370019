"""The command center's bulletins (通报): Excel and PDF renderings of ``selectors.bulletin.Bulletin`` and their
files under ``REPORT_DIR`` (docs/reports.md). ``generate_bulletin(area, period)`` is the entry point."""

from gridgov.command.reports.service import BulletinFiles, generate_bulletin

__all__ = ["BulletinFiles", "generate_bulletin"]
