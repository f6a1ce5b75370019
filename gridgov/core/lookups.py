"""``field__within=path``: "this area path or any path under it", fast on both databases.

Area paths (``/320600/320612/…/``) make "everything in my area" a prefix test. ``startswith`` compiles to
``LIKE 'p%' ESCAPE '\\'``: PostgreSQL answers it from the ``varchar_pattern_ops`` index Django creates beside
every indexed CharField, but SQLite never uses an index for a LIKE with ESCAPE, so on SQLite every area filter
scanned the whole case table. ``within`` compiles to the equivalent range ``p <= x < p'`` (``p'`` = ``p`` with its
last character incremented) on SQLite, where the column's BINARY collation makes the range exact, and keeps
``LIKE`` on PostgreSQL, whose range comparisons follow the database collation (not bytewise in most locales).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Func, Lookup, Value
from django.db.models.functions import Concat


def upper_bound(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix`` (bytewise order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@CharField.register_lookup
class Within(Lookup):
    lookup_name = "within"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix:
            return "1 = 1", []
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper_bound(prefix)]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]


def plain(field: str) -> Concat:
    """``field`` as an expression no index can serve (``field || ''``), to group by it.

    Grouping a few rows (the open cases) by ``area_path``, SQLite's planner walks the whole ``area_path`` index to
    get the groups in order instead of finding the rows through the status index and sorting them: 1.2 s instead
    of 20 ms at 200,000 cases. Grouping by the expression leaves it no such shortcut; PostgreSQL is unaffected.
    Use it as ``.values(key=plain("area_path"))``.
    """
    return Concat(F(field), Value(""), output_field=CharField())


class NotIndexed(Func):
    """A column the SQLite planner must not pick an index for: ``+column`` (a no-op that keeps the value, type
    and order). Where a query filters on two ranges (a point's box and a time window) SQLite, without statistics
    on value distributions, may walk the wrong index; PostgreSQL's planner has them and gets the column as is."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)
