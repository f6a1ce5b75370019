"""Case lifecycle benchmark: transitions per second, and p95 of the dispatcher's queue and the case list API.

Usage (a separate database is created and filled; nothing touches your own data):

    .venv/bin/python bench/lifecycle.py --cases 200000                       # SQLite file var/bench-lifecycle.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov_bench .venv/bin/python bench/lifecycle.py --cases 200000

It loads the demo region (areas, departments, accounts), bulk-inserts N cases spread over the grids, statuses and
the last two years (bulk insert: the point is to measure reads at that size, not to replay 200,000 lifecycles),
then measures:
  * transitions/s: full loops report → accept → dispatch → sign → resolve → verify → rate through the actions
    (each a transaction with its row lock, event and notifications), single process;
  * p95 of GET /cases/queue/?tab=todo as the town dispatcher, and of GET /api/v1/cases/?status=… as the district
    dispatcher, through Django's test client (server-side time: no network, no browser).
The cases follow a real center's shape: two years of history, finished after a month (closed, some rejected or
merged), the last month's spread over the open stages with some due soon or overdue.
Target (issue #3): p95 under 300 ms for both with 200,000 cases on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import reset_postgres  # noqa: E402 - found beside this script


def _setup(database_url: str | None) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        (ROOT / "var").mkdir(exist_ok=True)
        path = ROOT / "var" / "bench-lifecycle.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()


def _realistic_state(rng: random.Random, age: timedelta) -> tuple[str, str]:
    """Status and deadline colour like a real center's history: cases older than a month are finished (closed,
    rarely rejected or merged); recent ones spread over the open stages, some of them due soon or overdue."""
    from gridgov.cases.choices import AlertLevel, CaseStatus

    if age > timedelta(days=30):
        return rng.choices([CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED], weights=[94, 3, 3])[
            0
        ], AlertLevel.NORMAL
    status = rng.choice(CaseStatus.values)
    if status in (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.VERIFIED):
        return status, AlertLevel.NORMAL
    return status, rng.choices(AlertLevel.values, weights=[80, 12, 8])[0]


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--loops", type=int, default=100, help="full lifecycles timed for transitions/s")
    parser.add_argument("--requests", type=int, default=60, help="requests per page measured")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        _measure(args)
        return
    _setup(os.environ.get("DATABASE_URL"))

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    reset_postgres()
    call_command("migrate", verbosity=0)
    from gridgov.accounts.actions import ensure_system_user
    from gridgov.cases.choices import Channel, OwnerLevel, Priority
    from gridgov.cases.models import Case, Category
    from gridgov.demo.loader import load_demo
    from gridgov.geo.models import Area

    started = time.perf_counter()
    load_demo(actor=ensure_system_user(), cases=False)
    grids = list(Area.objects.filter(level="grid").select_related("parent__parent"))
    categories = list(Category.objects.all())
    rng = random.Random(2026)
    now = timezone.now()
    batch: list[Case] = []
    for index in range(args.cases):
        grid = rng.choice(grids)
        town = grid.parent.parent if grid.parent else None
        assert town is not None  # noqa: S101 - every demo grid lies in a village in a town
        reported = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        status, alert = _realistic_state(rng, now - reported)
        batch.append(
            Case(
                number=f"BN-{reported:%Y%m%d}-{index:07d}",
                channel=rng.choice(Channel.values),
                category=rng.choice(categories),
                title="路灯不亮",
                text="来电人反映路口路灯损坏多日，夜间行人通行不便。",
                grid=grid,
                area_path=grid.path,
                owner_level=OwnerLevel.TOWN,
                owner_area=town,
                priority=Priority.URGENT if rng.random() < 0.05 else Priority.NORMAL,
                status=status,
                reported_at=reported,
                resolve_by=reported + timedelta(days=7),
                alert_level=alert,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"database: {connection.vendor}; {Case.objects.count():,} cases loaded in {time.perf_counter() - started:.0f} s"
    )
    # Measure in a fresh process, as a server would run: this one holds the garbage of 200,000 inserted rows, whose
    # collection would show up as periodic pauses that no real request has.
    connection.close()
    command = [
        sys.executable,
        __file__,
        "--measure-only",
        "--loops",
        str(args.loops),
        "--requests",
        str(args.requests),
    ]
    subprocess.run(command, env={**os.environ}, check=True)  # noqa: S603 - our own script, fixed arguments


def _measure(args: argparse.Namespace) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from gridgov.accounts.models import User
    from gridgov.cases import actions
    from gridgov.cases.choices import Channel
    from gridgov.cases.models import Category
    from gridgov.dispatch import actions as dispatch_actions
    from gridgov.dispatch.models import Department
    from gridgov.geo.models import Area

    dispatcher = User.objects.get(username="dispatcher")
    handler = User.objects.get(username="handler")
    resident = User.objects.get(username="resident")
    shigang = Area.objects.get(name="石港镇")
    grid = Area.objects.filter(level="grid", path__within=shigang.path).order_by("code").first()
    road = Category.objects.get(code="road")
    lead = Department.objects.get(code=f"{shigang.code}-sifasuo")
    transitions = 0
    started = time.perf_counter()
    for _ in range(args.loops):
        case = actions.report_case(actor=resident, channel=Channel.WEB, text="路灯不亮", grid=grid)
        case = actions.accept_case(actor=dispatcher, case=case, category=road)
        case = dispatch_actions.dispatch_case(actor=dispatcher, case=case, lead=lead)
        case = dispatch_actions.sign_case(actor=handler, case=case)
        case = dispatch_actions.resolve_case(actor=handler, case=case, result="已修复")
        case = actions.verify_case(actor=dispatcher, case=case, ok=True)
        actions.rate_case(actor=resident, case=case, satisfaction="satisfied")
        transitions += 7
    elapsed = time.perf_counter() - started
    print(f"transitions: {transitions / elapsed:,.0f}/s ({transitions} in {elapsed:.1f} s, one process)")

    # The pages are timed through a real HTTP server on the loopback interface (waitress, as `gridgov serve`),
    # in this fresh process, with the start-up heap frozen as gridgov/wsgi.py does.
    from waitress.server import create_server

    from gridgov.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
    for username, url in (
        ("dispatcher", "/cases/queue/?tab=todo"),
        ("district", "/api/v1/cases/?status=accepted"),
        ("district", "/api/v1/cases/?status=in_progress&overdue=true"),
    ):
        cookie = _session_cookie(User.objects.get(username=username))
        status_code = _get(port, url, cookie)[0]  # warm-up
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            _get(port, url, cookie)
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"GET {url} as {username}: HTTP {status_code}, p50 {statistics.median(samples):.0f} ms, "
            f"p95 {_p95(samples):.0f} ms ({args.requests} requests over HTTP on 127.0.0.1)"
        )
    server.close()


def _session_cookie(user: object) -> str:
    """A signed-in session for ``user``, as the login page would create it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _get(port: int, url: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


if __name__ == "__main__":
    main()
