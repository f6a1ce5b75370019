"""Benchmark: the Open311 GeoReport v2 server under gunicorn (2 workers) on this machine.

Run with ``.venv/bin/python bench/open311.py [--database-url postgres://…/gridgov_bench] [--duration 20]``.
It needs ``wrk`` (Debian package ``wrk``) as the load generator on the same machine.

1. Builds a database (SQLite under var/, or the PostgreSQL database named in ``--database-url``, which it empties)
   with the demo region and its cases, and issues an API key.
2. Starts ``gunicorn gridgov.wsgi:application -w 2`` on 127.0.0.1 and warms both workers (model, indexes).
3. ``POST /open311/v2/requests.json``: each request a different handwritten report of the corpus at a random
   point of a random grid, with its category as ``service_code`` (triage, duplicate search and the case's
   creation included), ``--connections`` connections for ``--duration`` seconds.
4. ``GET /open311/v2/requests.json`` (the last 90 days, every case, as the spec's default) with the list cache
   off (``OPEN311_CACHE_SECONDS=0``: every request hits the database) and with the default 5-second cache.

wrk prints the throughput and the latency percentiles; the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import reset_postgres  # noqa: E402 - found beside this script

BIN = Path(sys.executable).parent

LUA_POST = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end
"""


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "TRIAGE_MODEL_DIR": os.environ.get("TRIAGE_MODEL_DIR", str(ROOT / "var" / "triage")),
        # The bench measures the server, not the per-key limit.
        "OPEN311_RATE_PER_KEY": "100000000/m",
    }


def _prepare(database_url: str, bodies_file: Path, count: int) -> str:
    """Build the database and the request bodies; return the API key."""
    os.environ.update(_environment(database_url))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    reset_postgres()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)

    from gridgov.accounts.models import User
    from gridgov.geo.models import Area
    from gridgov.intake.keys import issue_api_key
    from gridgov.intake.open311.services import attributes_of
    from gridgov.triage.corpus import load_corpus

    _, key = issue_api_key(actor=User.objects.get(username="admin"), name="bench")
    grids = [
        (float(lat), float(lon))
        for lat, lon in Area.objects.filter(level="grid").values_list("centroid_lat", "centroid_lon")
        if lat is not None and lon is not None
    ]
    rng = random.Random(20261127)
    corpus = load_corpus()
    with bodies_file.open("w", encoding="utf-8") as out:
        for _ in range(count):
            example = rng.choice(corpus)
            lat, lon = rng.choice(grids)
            body = {
                "api_key": key,
                "service_code": example.category,
                "lat": f"{lat + rng.uniform(-0.0008, 0.0008):.6f}",
                "long": f"{lon + rng.uniform(-0.0008, 0.0008):.6f}",
                "description": example.text,
            }
            # What a client fills in: the service's required attributes (a listed value, a number, a text).
            for attribute in attributes_of(example.category):
                if not attribute.required:
                    continue
                if attribute.values:
                    value = rng.choice(attribute.keys())
                elif attribute.datatype == "number":
                    value = str(rng.randint(1, 5))
                elif attribute.datatype == "datetime":
                    value = "2026-11-20T10:00:00+08:00"
                else:
                    value = "见描述"
                body[f"attribute[{attribute.code}]"] = value
            out.write(urllib.parse.urlencode(body) + "\n")
    print(f"database: {connection.vendor}; {count} request bodies; key issued")
    connection.close()
    return key


def _start(env: dict[str, str], port: int, threads: int) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "gridgov.wsgi:application",
        "--workers",
        "2",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if os.environ.get("BENCH_ACCESS_LOG"):  # per-request durations (microseconds) and worker, for a slow tail
        command += [
            "--access-logfile",
            os.environ["BENCH_ACCESS_LOG"],
            "--access-logformat",
            "%(t)s %(p)s %(D)s",
        ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - fixed command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _warm(port: int, bodies_file: Path) -> None:
    """Both workers load the triage model and build their indexes before the clock starts."""
    lines = bodies_file.read_text(encoding="utf-8").splitlines()[:40]
    for line in lines:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/open311/v2/requests.json", data=line.encode(), method="POST"
        )
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            urllib.request.urlopen(request, timeout=120).read()  # noqa: S310 - loopback
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"warm-up POST refused: {exc.code} {exc.read().decode()[:500]}") from exc
        urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/requests.json", timeout=60).read()


def _wrk(url: str, args: argparse.Namespace, script: Path | None = None) -> dict[str, object]:
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(args.connections),
        "-d",
        f"{args.duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    return {
        "requests_per_s": rate,
        "p50": percentiles.get("50"),
        "p99": percentiles.get("99"),
        "requests": int(total.group(1)) if total else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database the bench may empty (default: SQLite)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (gunicorn's gthread worker when above 1)"
    )
    parser.add_argument("--post-only", action="store_true", help="measure POST only (no list phases)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="gridgov-bench-open311-"))
    database_url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    bodies = work / "bodies.txt"
    # The database is built in a child process so that the server processes start from a clean state.
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--prepare", database_url, str(bodies)], check=True, env=os.environ
    )
    script = work / "post.lua"
    script.write_text(LUA_POST % {"bodies": bodies}, encoding="utf-8")
    base = f"http://127.0.0.1:{args.port}/open311/v2"
    results: dict[str, object] = {}
    phases = (("uncached", "0"),) if args.post_only else (("uncached", "0"), ("cached", "5"))
    for label, cache_seconds in phases:
        env = {**_environment(database_url), "OPEN311_CACHE_SECONDS": cache_seconds}
        server = _start(env, args.port, args.threads)
        try:
            _warm(args.port, bodies)
            if label == "uncached":
                results["POST requests.json"] = _wrk(f"{base}/requests.json", args, script)
            if not args.post_only:
                results[f"GET requests.json ({label})"] = _wrk(f"{base}/requests.json", args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for name, figures in results.items():
        print(f"{name}: {json.dumps(figures)}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--prepare":
        _prepare(sys.argv[2], Path(sys.argv[3]), 3000)
    else:
        main()
