"""The one error of the Open311 server: an HTTP status and one or more descriptions, rendered in the spec's shape
(``[{"code": 400, "description": "..."}]`` or ``<errors><error><code/><description/></error></errors>``)."""

from __future__ import annotations

from collections.abc import Iterable


class Open311Error(Exception):
    """Raised by the Open311 adapters; the view renders it in the requested format with ``status``."""

    def __init__(self, status: int, descriptions: str | Iterable[str]) -> None:
        self.status = status
        self.descriptions = (
            [descriptions] if isinstance(descriptions, str) else [str(d) for d in descriptions]
        )
        super().__init__("; ".join(self.descriptions))

    def payload(self) -> list[dict[str, object]]:
        return [{"code": self.status, "description": description} for description in self.descriptions]
