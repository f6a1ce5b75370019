"""Command-center benchmark: p95 of the overview, accountability and hotspot pages, and the monthly report.

Target (the command-center issue): with 1,000,000 cases over two years on PostgreSQL (200,000 on SQLite), every
page under 500 ms p95 on the 2-core machine, the monthly report under 30 s.

Usage (the script configures Django itself; it fills its own database and never touches yours):

    .venv/bin/python bench/command.py                        # PostgreSQL gridgov_benchcmd, 1,000,000 cases
    .venv/bin/python bench/command.py --sqlite               # var/bench/command.sqlite3, 200,000 cases
    .venv/bin/python bench/command.py --reuse                # time again without regenerating (if it matches)
    .venv/bin/python bench/command.py --reuse --only accountability --repeat 50 --explain
    .venv/bin/python bench/command.py --list                 # which targets the code base has today

1. Data (``_command_data.py``): a district near Nantong with ``--towns`` towns of ``--villages`` villages of
   ``--grids`` grids (boundaries tile the district), about 40 departments, one account per role and scope, and
   ``--cases`` cases reported over the two years before ``--now``, each with its timeline and assignments as the
   actions would have written them (bulk-loaded for speed: see that module's docstring), then ANALYZE. A marker
   row records the parameters; ``--reuse`` skips the load when the database already holds that data.
2. Timings, in a fresh process: each target is requested ``--repeat`` times after 2 warm-ups through Django's
   test client (in-process: server time without the network), signed in as the district leader, and printed as
   count, first (cold) request, p50, p95 and max in ms with PASS/FAIL against its target; then one more request
   counts its SQL queries and shows the slowest one (``--explain``: its plan, on PostgreSQL). The monthly report
   is a call (the ``bulletin`` management command, or a report function) timed ``--report-repeat`` times.
   Targets are looked up lazily: a page or function that does not exist yet prints "SKIPPED (not available)".
   Add a target by appending to ``TARGETS``.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import inspect
import io
import logging
import math
import os
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import reset_postgres  # noqa: E402 - found beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridgov_benchcmd"
DEFAULT_SQLITE = ROOT / "var" / "bench" / "command.sqlite3"
DEFAULT_SEED = 20261127
PAGE_TARGET_MS = 500.0
REPORT_TARGET_MS = 30_000.0


# --- Targets -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What targets need to build their request: the signed-in client, the district, the month measured."""

    client: Any  # django.test.Client
    leader: Any  # accounts.User
    district: Any  # geo.Area
    now: datetime
    month: date  # first day of the last full month before ``now``
    department_id: int  # the department with the most assignments (for drill-throughs)

    def month_query(self, **extra: str) -> dict[str, str]:
        return {"area": self.district.code, "period": "month", "date": self.month.isoformat(), **extra}

    def quarter_query(self) -> dict[str, str]:
        """The three months up to the end of the measured month."""
        index = self.month.year * 12 + self.month.month - 1 - 2
        first = date(index // 12, index % 12 + 1, 1)
        last = (self.month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return {
            "area": self.district.code,
            "period": "range",
            "start": first.isoformat(),
            "end": last.isoformat(),
        }


@dataclass(frozen=True)
class Target:
    """One thing a user waits for. A page names candidate URL names (the first that resolves is requested, with
    ``query``); a call target builds a function to time, or None when the code base has none yet."""

    name: str
    budget_ms: float
    url_names: tuple[str, ...] = ()
    query: Callable[[Context], dict[str, str]] | None = None
    call: Callable[[Context], tuple[str, Callable[[], object]] | None] | None = None
    #: also time the other URLs of the namespace whose name starts with the page's (its JSON endpoints)
    family: bool = False


def _monthly_report(ctx: Context) -> tuple[str, Callable[[], object]] | None:
    """The monthly bulletin: ``gridgov bulletin`` if the command exists, else a report function of
    ``gridgov.command``; arguments are matched by name (area, period, month/date, actor…)."""
    from django.core.management import call_command, get_commands, load_command_class

    from gridgov.command.periods import Period

    period = Period.containing("month", ctx.month)
    commands = get_commands()
    if "bulletin" in commands:
        command = load_command_class(commands["bulletin"], "bulletin")
        parser = command.create_parser("gridgov", "bulletin")
        options = {option for action in parser._actions for option in action.option_strings}
        positional = [a.dest for a in parser._actions if not a.option_strings and a.required]
        if positional:
            print(f"    bulletin takes positional arguments {positional}: teach bench/command.py")
            return None
        argv: list[str] = []
        fill = {
            "--area": ctx.district.code,
            "--period": "month",
            "--kind": "month",
            "--date": ctx.month.isoformat(),
            "--month": f"{ctx.month:%Y-%m}",
        }
        for option, value in fill.items():
            if option in options:
                argv += [option, value]
        for flag in ("--force", "--overwrite"):
            if flag in options:
                argv.append(flag)
        label = "gridgov bulletin " + " ".join(argv)
        return label, lambda: call_command("bulletin", *argv, stdout=io.StringIO(), stderr=io.StringIO())
    names = ("build_bulletin", "generate_bulletin", "make_bulletin", "write_bulletin", "monthly_report", "build_report", "generate_report")  # fmt: skip
    for module_name in (
        "gridgov.command.reports",
        "gridgov.command.bulletin",
        "gridgov.command.selectors.reports",
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            function = getattr(module, name, None)
            if callable(function):
                values = {
                    "area": ctx.district,
                    "period": period,
                    "actor": ctx.leader,
                    "user": ctx.leader,
                    "kind": "month",
                    "month": ctx.month,
                    "date": ctx.month,
                    "now": ctx.now,
                }
                kwargs = {}
                for parameter in inspect.signature(function).parameters.values():
                    if parameter.name in values:
                        kwargs[parameter.name] = values[parameter.name]
                    elif parameter.default is inspect.Parameter.empty and parameter.kind not in (
                        inspect.Parameter.VAR_POSITIONAL,
                        inspect.Parameter.VAR_KEYWORD,
                    ):
                        print(f"    {module_name}.{name} needs {parameter.name!r}: teach bench/command.py")
                        return None
                return f"{module_name}.{name}({', '.join(kwargs)})", functools.partial(function, **kwargs)
    return None


ACCOUNTABILITY = ("command:accountability",)
HOTSPOTS = ("command:hotspots", "command:hotspot", "command:analysis_hotspots")

#: What is timed, in this order. A page: name, target, candidate URL names, its query; ``family`` also times the
#: namespace's other URLs whose name starts with the page's (the overview's JSON endpoints).
TARGETS: list[Target] = [
    Target(
        "overview", PAGE_TARGET_MS, ("command:overview",), lambda c: {"area": c.district.code}, family=True
    ),
    # The district's table for the month: by town (the default), by department (returns, rework), by grid.
    Target("accountability", PAGE_TARGET_MS, ACCOUNTABILITY, lambda c: c.month_query()),
    Target(
        "accountability-departments",
        PAGE_TARGET_MS,
        ACCOUNTABILITY,
        lambda c: c.month_query(kind="department"),
    ),
    Target("accountability-grids", PAGE_TARGET_MS, ACCOUNTABILITY, lambda c: c.month_query(kind="grid")),
    Target(
        "accountability-drill",
        PAGE_TARGET_MS,
        ("command:accountability_cases",),
        lambda c: c.month_query(
            table="department", kind="department", key=str(c.department_id), count="received"
        ),
    ),
    Target("hotspots", PAGE_TARGET_MS, HOTSPOTS, lambda c: c.month_query(), family=True),
    Target("hotspots-quarter", PAGE_TARGET_MS, HOTSPOTS, lambda c: c.quarter_query()),
    Target("monthly-report", REPORT_TARGET_MS, call=_monthly_report),
]


# --- Setup ---------------------------------------------------------------------------------------------------------


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL database (created/emptied)"
    )
    parser.add_argument(
        "--sqlite", nargs="?", const=str(DEFAULT_SQLITE), default=None, metavar="FILE",
        help=f"use SQLite instead (default file {DEFAULT_SQLITE.relative_to(ROOT)})",
    )  # fmt: skip
    parser.add_argument(
        "--cases", type=int, default=None, help="default 1,000,000 (PostgreSQL) / 200,000 (SQLite)"
    )
    parser.add_argument("--seed", type=int, default=None, help=f"default {DEFAULT_SEED}")
    parser.add_argument("--now", default=None, help="end of the two years (ISO; default: this minute)")
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--villages", type=int, default=15, help="villages per town")
    parser.add_argument("--grids", type=int, default=3, help="grids per village")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--report-repeat", type=int, default=3, help="timed runs of the monthly report")
    parser.add_argument("--reuse", action="store_true", help="keep the data if the database already holds it")
    parser.add_argument("--only", action="append", default=[], help="target name or prefix (repeatable)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest query")
    parser.add_argument("--no-measure", action="store_true", help="generate only")
    parser.add_argument("--list", action="store_true", help="list the targets and whether they resolve")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _setup(args: argparse.Namespace) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("REPORT_DIR", str(ROOT / "var" / "bench" / "reports"))
    if args.sqlite:
        Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.sqlite).resolve()}"
    else:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    import django

    django.setup()


def _now(text: str | None) -> datetime:
    from django.utils import timezone

    if not text:
        return timezone.now().replace(second=0, microsecond=0)
    moment = datetime.fromisoformat(text)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return f"PostgreSQL {row[0] if row else '?'} ({connection.settings_dict['NAME']})"


def _generate(args: argparse.Namespace, cases: int, seed: int) -> None:
    import _command_data as data
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{connection.settings_dict['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        reset_postgres()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    now = _now(args.now)
    print(f"generating {cases:,} cases (seed {seed}, now {now.isoformat()}) into {_database_label()}")
    started = time.perf_counter()
    result = data.load(
        cases=cases, seed=seed, now=now, towns=args.towns, villages=args.villages, grids=args.grids
    )
    total = time.perf_counter() - started
    data.write_marker(cases=cases, seed=seed, now=now, totals=result.totals, seconds=total)
    totals = result.totals
    region = result.region
    print(
        f"generated in {total:.0f} s (migrate {migrated:.0f} s before): "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in result.seconds.items())
    )
    print(
        f"  {region.area_count} areas ({len(region.grids)} grids), {len(region.departments)} departments, "
        f"{region.user_count} accounts; {totals.cases:,} cases, {totals.events:,} events "
        f"({totals.events / max(totals.cases, 1):.1f} per case), {totals.assignments:,} assignments"
    )
    share = {status: count / max(totals.cases, 1) for status, count in totals.statuses.items()}
    print("  statuses: " + ", ".join(f"{s} {c:,} ({share[s]:.1%})" for s, c in sorted(totals.statuses.items(), key=lambda i: -i[1])))  # fmt: skip
    print(
        "  open cases by colour: "
        + ", ".join(f"{level} {count:,}" for level, count in sorted(totals.alerts.items()))
    )
    key_verbs = ("return", "verify_redo", "redo_in_grid", "rate_dissatisfied", "escalate", "urge", "alert", "merge", "reject")  # fmt: skip
    print("  events: " + ", ".join(f"{verb} {totals.verbs.get(verb, 0):,}" for verb in key_verbs))


# --- Measuring ------------------------------------------------------------------------------------------------------


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _command_url_names() -> list[str]:
    from django.urls import get_resolver

    namespace = get_resolver().namespace_dict.get("command")
    if namespace is None:
        return []
    return sorted({key for key in namespace[1].reverse_dict if isinstance(key, str)})


def _reverse(name: str, ctx: Context) -> str | None:
    from django.urls import NoReverseMatch, reverse

    attempts: list[dict[str, Any]] = [
        {},
        {"kwargs": {"area_code": ctx.district.code}},
        {"kwargs": {"code": ctx.district.code}},
        {"args": [ctx.district.code]},
    ]
    for attempt in attempts:
        try:
            return reverse(name, **attempt)
        except NoReverseMatch:
            continue
    return None


def _selected(name: str, only: list[str]) -> bool:
    wanted = [part.strip() for item in only for part in item.split(",") if part.strip()]
    return not wanted or any(name == w or name.startswith(w) for w in wanted)


def _pages(ctx: Context) -> list[tuple[Target, str | None, str]]:
    """(target, url or None, the URL name) for every page target, with each family's discovered members."""
    names = _command_url_names()
    pages: list[tuple[Target, str | None, str]] = []
    for target in TARGETS:
        if target.call is not None:
            continue
        found = next((n for n in target.url_names if n.split(":", 1)[1] in names), None)
        pages.append((target, _reverse(found, ctx) if found else None, found or target.url_names[0]))
        if target.family and found:
            base = found.split(":", 1)[1]
            for other in names:
                if other != base and other.startswith(base):
                    member = Target(
                        f"{target.name}/{other}", target.budget_ms, (f"command:{other}",), target.query
                    )
                    pages.append((member, _reverse(f"command:{other}", ctx), f"command:{other}"))
    return pages


def _request(client: Any, url: str, query: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url, query)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    elapsed = (time.perf_counter() - started) * 1000
    response.close()
    return elapsed, response.status_code


def _line(name: str, samples: list[float], cold: float | None, budget: float, note: str = "") -> str:
    p95 = _p95(samples)
    verdict = "PASS" if p95 <= budget and not note else "FAIL"
    first = f"first {cold:7.0f}" if cold is not None else " " * 13
    return (
        f"{name:<32} n={len(samples):<3} {first}  p50 {statistics.median(samples):7.0f}  p95 {p95:7.0f}  "
        f"max {max(samples):7.0f} ms   target {budget:,.0f} ms  {verdict}{note}"
    )


def _diagnose(ctx: Context, url: str, query: dict[str, str], explain: bool) -> None:
    """One more request with the SQL captured: how many queries, the slowest (and its plan with --explain)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        ctx.client.get(url, query)
    queries = [(float(q.get("time") or 0) * 1000, str(q["sql"])) for q in captured.captured_queries]
    if not queries:
        return
    total = sum(ms for ms, _sql in queries)
    slowest_ms, slowest = max(queries)
    print(
        f"    {len(queries)} SQL queries, {total:.0f} ms in the database; slowest {slowest_ms:.0f} ms: "
        f"{' '.join(slowest.split())[:220]}"
    )
    # ``.iterator()`` reads through a server-side cursor: explain the query the cursor was declared for.
    statement = re.sub(r'^\s*DECLARE\s+"[^"]+"\s+.*?\bFOR\s+(?=SELECT|WITH)', "", slowest, flags=re.S)
    if (
        explain
        and connection.vendor == "postgresql"
        and statement.lstrip().upper().startswith(("SELECT", "WITH"))
    ):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            for (row,) in cursor.fetchall():
                print(f"      {row}")


def _measure(args: argparse.Namespace, marker: dict[str, Any]) -> None:
    import _command_data as data
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.dispatch.models import Assignment
    from gridgov.geo.models import Area

    now = datetime.fromisoformat(marker["now"])
    local = timezone.localtime(now).date()
    month = (local.replace(day=1) - timedelta(days=1)).replace(day=1)
    leader = User.objects.get(username=data.LEADER_USERNAME)
    district = Area.objects.get(code=data.DISTRICT[0])
    busiest = (
        Assignment.objects.values("department_id").annotate(n=Count("id")).order_by("-n").first() or {}
    ).get("department_id", 0)
    client = Client()
    client.force_login(leader)
    ctx = Context(
        client=client, leader=leader, district=district, now=now, month=month, department_id=busiest
    )
    # A page that answers 404 or 500 is reported in the table; the log lines would only drown it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="No directory at")
    drift = abs((timezone.now() - now).total_seconds()) / 86400
    print(
        f"\n== timings: {_database_label()}, {marker['cases']:,} cases (seed {marker['seed']}, now {marker['now']}) ==\n"
        f"signed in as {leader.username} (leader of {district.name}); month measured {month:%Y-%m}; "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"load average {os.getloadavg()[0]:.2f} (2 shared cores)"
    )
    if drift > 1:
        print(f"note: the data ends {drift:.0f} days before today: 'today' on the pages is after the data")
    gc.collect()
    gc.freeze()  # as gridgov/wsgi.py does: the start-up heap is never scanned again

    if args.list:
        print("command URL names: " + (", ".join(_command_url_names()) or "none"))
    for target, url, url_name in _pages(ctx):
        if not _selected(target.name, args.only):
            continue
        if url is None:
            why = (
                "not available"
                if url_name.split(":", 1)[1] not in _command_url_names()
                else "needs arguments"
            )
            print(f"{target.name:<32} SKIPPED ({why}: {url_name})")
            continue
        query = target.query(ctx) if target.query else {}
        if args.list:
            print(f"{target.name:<32} {url}?{'&'.join(f'{k}={v}' for k, v in query.items())}")
            continue
        cold = None
        statuses = set()
        for index in range(args.warmups):
            elapsed, status = _request(client, url, query)
            statuses.add(status)
            cold = elapsed if index == 0 else cold
        samples = []
        for _ in range(args.repeat):
            elapsed, status = _request(client, url, query)
            statuses.add(status)
            samples.append(elapsed)
        note = "" if statuses == {200} else f" (HTTP {sorted(statuses)})"
        print(_line(target.name, samples, cold, target.budget_ms, note))
        _diagnose(ctx, url, query, args.explain)
        connection.close_if_unusable_or_obsolete()

    for target in TARGETS:
        if target.call is None or not _selected(target.name, args.only):
            continue
        found = target.call(ctx)
        if found is None:
            print(f"{target.name:<32} SKIPPED (not available)")
            continue
        label, function = found
        if args.list:
            print(f"{target.name:<32} {label}")
            continue
        samples = []
        for _ in range(args.report_repeat):
            started = time.perf_counter()
            function()
            samples.append((time.perf_counter() - started) * 1000)
        print(_line(target.name, samples, None, target.budget_ms) + f"   [{label}]")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def main() -> None:
    args = _parse()
    _setup(args)
    import _command_data as data
    from django.db import connection

    cases = args.cases or (200_000 if connection.vendor == "sqlite" else 1_000_000)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    marker = data.read_marker() if (args.reuse or args.measure_only or args.list) else None
    matches = marker is not None and (args.cases is None or args.cases == marker["cases"])
    matches = matches and (args.seed is None or args.seed == marker["seed"])  # type: ignore[index]
    if args.measure_only or args.list:
        if not matches or marker is None:
            sys.exit("no generated data in this database: run without --measure-only / --list first")
        _measure(args, marker)
        return
    if args.reuse and matches and marker is not None:
        # The schema may have moved on since the data was generated (a new index): bring it up to date first.
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"reusing {marker['cases']:,} generated cases (seed {marker['seed']}, now {marker['now']}) in {_database_label()}")  # fmt: skip
        if not args.no_measure:
            _measure(args, marker)
        return
    if args.reuse:
        print("--reuse: the database does not hold the data asked for; generating it")
    _generate(args, cases, seed)
    if args.no_measure:
        return
    # Measure in a fresh process, as a server would run: this one holds the garbage of millions of rows.
    connection.close()
    command = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--measure-only"]
    subprocess.run(command, env={**os.environ}, check=True)  # noqa: S603 - our own script, our own arguments


if __name__ == "__main__":
    main()
