"""Errors of the geo app."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.core.exceptions import GridGovError


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file cannot be imported: where (line, area code) and why (translated message)."""

    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)s · code %(code)s · %(message)s") % {
            "line": self.line,
            "code": self.code or "-",
            "message": self.message,
        }


class AreaImportError(GridGovError):
    """The file has problems; nothing was written. ``problems`` lists all of them, in file order."""

    code = "area_import_invalid"

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = sorted(problems, key=lambda problem: (problem.line, problem.code, problem.message))
        count = len(self.problems)
        super().__init__(
            ngettext(
                "The file has %(count)d problem; nothing was imported.",
                "The file has %(count)d problems; nothing was imported.",
                count,
            )
            % {"count": count}
        )
