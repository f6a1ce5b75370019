"""Benchmark: the analysis trends (分析研判, ``command.selectors.analysis.trends``) over a year on SQLite.

Run with ``.venv/bin/python bench/trends.py [--cases 150000] [--repeat 5]``. It builds a throw-away SQLite database
with the demo region (no demo cases) and ``--cases`` cases spread over 2026 (every grid, every category, any hour),
then times the district's yearly trend per week and per month, each way the local bucket can be computed:

* ``date arithmetic``: what SQLite runs now when the site's zone keeps one UTC offset over the period
  (``analysis.local_bucket``: ``date(reported_at, '+480 minutes', …)``);
* ``tz truncation``: Django's truncation in the time zone, a Python function per row on SQLite (what ran before,
  and what still runs for zones with daylight saving).

Both must give the same totals (checked). It prints the best and the median of ``--repeat`` runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="gridgov-bench-trends-")
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("SECRET_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.cases.choices import Channel, OwnerLevel  # noqa: E402
from gridgov.cases.models import Case, Category  # noqa: E402
from gridgov.command.periods import Period  # noqa: E402
from gridgov.command.selectors import analysis  # noqa: E402
from gridgov.geo.choices import AreaLevel  # noqa: E402
from gridgov.geo.models import Area  # noqa: E402


def _fill(count: int) -> Area:
    """``count`` cases over 2026 in the demo district with the most grids; returns that district."""
    rng = random.Random(20261127)
    district = max(
        Area.objects.filter(level=AreaLevel.DISTRICT),
        key=lambda area: Area.objects.filter(level=AreaLevel.GRID, path__startswith=area.path).count(),
    )
    grids = list(Area.objects.filter(level=AreaLevel.GRID, path__startswith=district.path))
    categories = list(Category.objects.all())
    start = timezone.make_aware(datetime(2026, 1, 1))
    batch: list[Case] = []
    for number in range(count):
        grid = rng.choice(grids)
        batch.append(
            Case(
                number=f"B-{number:07d}",
                channel=Channel.WEB,
                category=rng.choice(categories),
                title="路面坑洞",
                text="路面坑洞",
                grid=grid,
                area_path=grid.path,
                owner_level=OwnerLevel.GRID,
                owner_area=grid,
                reported_at=start + timedelta(minutes=rng.randrange(365 * 24 * 60)),
            )
        )
        if len(batch) == 10_000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    return district


def _timed(run: Any, repeat: int) -> tuple[float, float, int]:
    times, total = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        trend = run()
        times.append((time.perf_counter() - started) * 1000)
        total = sum(series.total for series in trend.series)
    return min(times), statistics.median(times), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-cases", verbosity=0)
    started = time.perf_counter()
    district = _fill(args.cases)
    print(
        f"{args.cases:,} cases in {district.name} over 2026, written in {time.perf_counter() - started:.0f} s"
    )

    year = Period.containing("year", date(2026, 6, 1))
    fast = analysis.local_bucket

    def truncated(field: str, bucket: str, period: Period, starts: list[date]) -> Any:
        return analysis._TRUNC[bucket](field, tzinfo=timezone.get_current_timezone())

    for bucket in ("week", "month"):
        results = {}
        for label, chooser in (("date arithmetic", fast), ("tz truncation", truncated)):
            analysis.local_bucket = chooser
            try:
                best, median, total = _timed(
                    lambda bucket=bucket: analysis.trends(district, year, bucket=bucket), args.repeat
                )
            finally:
                analysis.local_bucket = fast
            results[label] = total
            print(
                f"year per {bucket:5}  {label:15}  best {best:6.0f} ms  median {median:6.0f} ms  ({total:,} cases)"
            )
        if len(set(results.values())) != 1:
            raise SystemExit(f"the two ways disagree: {results}")


if __name__ == "__main__":
    main()
