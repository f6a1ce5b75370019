"""What a permission is checked against: the area and departments an object belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Scope:
    """Where an object lives for permission purposes.

    ``area_path`` is the materialised path of its area (``/320600/320612/…/``), empty when it has none;
    ``department_ids`` the departments it is assigned to; ``owner_id`` the user who reported or owns it.
    """

    area_path: str = ""
    department_ids: frozenset[int] = field(default_factory=frozenset)
    owner_id: int | None = None


@runtime_checkable
class Scoped(Protocol):
    """Anything that can say where it lives (areas, departments, cases, wishes…)."""

    def permission_scope(self) -> Scope: ...


def path_prefixes(path: str) -> list[str]:
    """Every ancestor-or-self path of a materialised area path, root first.

    ``/320600/320612/320612103/`` → ``["/320600/", "/320600/320612/", "/320600/320612/320612103/"]``
    """
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: index + 1]) + "/" for index in range(len(codes))]
