"""Several workers: resident memory per worker, and throughput with 1 and 2 workers.

For each store size (events generated around real cities by
:mod:`benchmarks.search`'s generator, bulk-loaded into a SQLite file through
the project's migrations, or with ``--database postgresql`` copied into a new
PostgreSQL database of the server ``MEETSCOUT_BENCH_POSTGRES`` names, migrated
the same way), ``meetscout serve --workers N`` is started as an operator would
start it, and:

- memory: each worker's resident set (RSS; and its unique set, USS, the
  pages no other process shares, and its proportional set, PSS) when it
  has started and answered one request (idle), and after a load run of
  distinct searches (every one different: a city drawn by population, a
  radius of 2 to 50 km, with and without a sector, each sort, limit 50 or
  200) and distinct calendar feeds, from 4 client threads;
- throughput: ``wrk`` (2 threads, 8 connections, on the same 2 cores as
  the server) on ``GET /events`` near London and on a feed's conditional
  GET (304), with 1 and then 2 workers.

The reference, measured in the same run: a process that has imported the
app and then holds the gazetteer as Python objects, as every worker did
before the gazetteer became an indexed file.

Goals: at most 150 MB resident per worker after the load run at 1e5 and
1e6 events; 2 workers at least 1.5x one worker's requests per second.

Run: ``python -m benchmarks.workers`` (about ten minutes; needs ``wrk``; ``--database
postgresql`` for the same over PostgreSQL, in a section of its own). To compare
settings side by side: ``--sizes 1000000 --workers 1 --memory-only --stores DIR
--print-only`` measures one case, keeps the built store in DIR for the next run and
leaves RESULTS.md as it is.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.feeds import WRK_REPORT, WRK_WARMUP_SECONDS, Load, free_port
from benchmarks.results import write_section
from benchmarks.search import COLUMNS, NOW, build, cities, generate, quote
from benchmarks.stores import postgres_database
from service.store import make_engine, migrate

SIZES = (100_000, 1_000_000)
SEED = 20261205
SEARCHES = 300
FEEDS = 60
CLIENTS = 4
WRK_SECONDS = 8
WRK_THREADS = 2
WRK_CONNECTIONS = 8
GOAL_RSS_MB = 150.0
GOAL_SPEEDUP = 1.5
SECTORS = ("technology", "healthcare", "finance", "education")
SORTS = ("score", "date", "distance")
ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {
    "sqlite": ("SQLite", "Workers: memory and throughput"),
    "postgresql": ("PostgreSQL", "Workers on PostgreSQL: memory and throughput"),
}
"""Each database's name in the text, and its section of RESULTS.md."""

REFERENCE = """
import service.app
from service.places.gazetteer import _build
data = _build(15000)
status = open('/proc/self/status').read()
print(int(status.split('VmRSS:')[1].split()[0]))
"""


@dataclass
class Memory:
    rss_mb: float
    pss_mb: float
    uss_mb: float
    anon_mb: float
    """Resident memory not backed by a file: the worker's own heap (RssAnon)."""
    file_mb: float
    """Resident pages of mapped files: libraries and the store (RssFile), shared."""


def memory_of(pid: int) -> Memory:
    rss = pss = uss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        value = rest.split()[0] if rest.split() else "0"
        if name == "Rss":
            rss = int(value)
        elif name == "Pss":
            pss = int(value)
        elif name in ("Private_Clean", "Private_Dirty"):
            uss += int(value)
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    anon = int(status["RssAnon"].split()[0])
    mapped = int(status["RssFile"].split()[0]) + int(status["RssShmem"].split()[0])
    return Memory(rss / 1024, pss / 1024, uss / 1024, anon / 1024, mapped / 1024)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


@dataclass
class Server:
    """``meetscout serve --workers N`` over a store, on 127.0.0.1."""

    url: str
    data_dir: Path
    workers: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "MEETSCOUT_DATABASE_URL": self.url,
            "MEETSCOUT_DATA_DIR": str(self.data_dir),
            "MEETSCOUT_REPLAY_AT": NOW.isoformat(),
            "MEETSCOUT_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service",
                "serve",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if len(self.worker_pids()) == self.workers and self.get("/healthz")[0] == 200:
                # every worker has warmed up once it answers; ask a few times to reach each
                for _ in range(self.workers * 4):
                    self.get("/events?near=London&radius_km=5&limit=1")
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("the server did not start")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid] if self.workers == 1 else children(self.process.pid)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)
        except OSError:
            return 0, {}

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def distinct_requests(seed: int) -> list[str]:
    """Searches and feeds as people send them: no two the same."""
    rng = random.Random(seed)
    places = [place for place in cities() if place.population >= 200_000]
    weights = [place.population for place in places]
    seen: set[str] = set()
    paths: list[str] = []
    while len(paths) < SEARCHES + FEEDS:
        place = rng.choices(places, weights=weights)[0]
        params: dict[str, Any] = {
            "near": f"{place.name}, {place.country_code}",
            "radius_km": rng.choice((2, 5, 10, 25, 50)),
        }
        if rng.random() < 0.5:
            params["sector"] = rng.choice(SECTORS)
        feed = len(paths) >= SEARCHES
        if not feed:
            params["sort"] = rng.choice(SORTS)
            params["limit"] = rng.choice((50, 200))
        path = ("/feeds/events.ics?" if feed else "/events?") + urllib.parse.urlencode(params)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


def load_run(server: Server, paths: list[str], clients: int = CLIENTS) -> dict[int, int]:
    statuses: dict[int, int] = {}
    with ThreadPoolExecutor(clients) as pool:
        for status, _ in pool.map(server.get, paths):
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def wrk(server: Server, path: str, script: Path, headers: dict[str, str] | None = None) -> Load:
    import json

    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        "-s",
        str(script),
        "--timeout",
        "10s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    url = server.base + path
    subprocess.run([*command, f"-d{WRK_WARMUP_SECONDS}s", url], capture_output=True, check=True)
    done = subprocess.run(
        [*command, f"-d{WRK_SECONDS}s", url], capture_output=True, text=True, check=True
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return Load(
        requests=raw["requests"],
        seconds=raw["seconds"],
        errors=raw["errors"],
        bad_status=raw["bad_status"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
    )


EVENTS_PATH = "/events?near=London&radius_km=25"
FEED_PATH = "/feeds/events.ics?near=London&radius_km=25"


def sqlite_store(database: Path, size: int) -> float:
    """The generated store in ``database``, built unless already there; seconds taken."""
    if database.exists():
        return 0.0
    print(f"  building {size:,} events...", flush=True)
    building = database.with_name(f"building-{database.name}")
    for left in (building, *(Path(f"{building}{end}") for end in ("-wal", "-shm"))):
        left.unlink(missing_ok=True)
    built = build(building, size, cities())
    building.rename(database)
    return built


def postgres_store(url: str, size: int) -> float:
    """The same generated events in the PostgreSQL database ``url``, migrated as the app
    migrates and filled by ``COPY`` (the generator's rows, naive UTC as the store keeps
    them), then analysed as autovacuum would; seconds taken."""
    print(f"  copying {size:,} events into PostgreSQL...", flush=True)
    began = time.perf_counter()
    engine = make_engine(url)
    migrate(engine)
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection  # psycopg's own connection: COPY is its
        assert driver is not None
        names = ", ".join(map(quote, COLUMNS))
        with driver.cursor() as cursor, cursor.copy(f"COPY events ({names}) FROM STDIN") as copy:
            for row in generate(size, cities()):
                copy.write_row(row)
        connection.commit()
    finally:
        connection.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as analysing:
        analysing.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - began


def run_size(
    url: str,
    data_dir: Path,
    size: int,
    built: float,
    script: Path,
    counts: list[int],
    *,
    throughput: bool,
    clients: int = CLIENTS,
) -> dict[str, Any]:
    result: dict[str, Any] = {"size": size, "build_s": built, "memory": {}, "throughput": {}}
    paths = distinct_requests(SEED + size)
    for workers in counts:
        server = Server(url, data_dir, workers)
        server.start()
        try:
            pids = server.worker_pids()
            idle = [memory_of(pid) for pid in pids]
            print(f"  {workers} worker(s): load run of {len(paths)} distinct requests", flush=True)
            statuses = load_run(server, paths, clients)
            loaded = [memory_of(pid) for pid in pids]
            if not throughput:
                result["memory"][workers] = {
                    "idle": idle,
                    "loaded": loaded,
                    "after_wrk": loaded,
                    "statuses": statuses,
                }
                continue
            status, headers = server.get(FEED_PATH)
            assert status == 200, status
            etag = headers["etag"]
            assert server.get(FEED_PATH, {"If-None-Match": etag})[0] == 304
            print(f"  {workers} worker(s): wrk", flush=True)
            events = wrk(server, EVENTS_PATH, script)
            not_modified = wrk(server, FEED_PATH, script, {"If-None-Match": etag})
            after = [memory_of(pid) for pid in pids]
        finally:
            server.stop()
        result["memory"][workers] = {
            "idle": idle,
            "loaded": loaded,
            "after_wrk": after,
            "statuses": statuses,
        }
        result["throughput"][workers] = {"events": events, "304": not_modified}
    return result


def reference_mb() -> float:
    done = subprocess.run(
        [sys.executable, "-c", REFERENCE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def importing_mb() -> float:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import service.app\nstatus = open('/proc/self/status').read()\n"
            "print(int(status.split('VmRSS:')[1].split()[0]))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def per_second(load: Load) -> float:
    return load.requests / load.seconds if load.seconds else 0.0


def report(
    runs: list[dict[str, Any]],
    reference: float,
    imported: float,
    clients: int = CLIENTS,
    database: str = "sqlite",
) -> tuple[str, bool]:
    ok = True
    lines = [
        f"Each worker of `meetscout serve --workers N` over a generated {SECTIONS[database][0]} "
        "store "
        "(`benchmarks.search`'s events around real cities), measured from `/proc`: RSS counts "
        "the pages of the libraries a worker has mapped (shared with every other process), "
        "USS only what the worker alone holds. "
        f"Load run: {SEARCHES} distinct `/events` searches and {FEEDS} distinct feeds from "
        f"{clients} client threads. 2 cores, shared with `wrk` and with other work on the "
        "machine: throughput figures are ratios within this run.",
        "",
        f"Reference in the same run: importing the app alone, {imported:.0f} MB resident; "
        f"importing it and holding the gazetteer as Python objects (every worker before the "
        f"indexed file), {reference:.0f} MB.",
        "",
        "### Resident memory per worker (MB)",
        "",
        "| events | workers | idle RSS | idle heap | after load RSS | heap | mapped files "
        "| USS | PSS | after wrk RSS | heap | goal <= 150 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        for workers, memory in run["memory"].items():
            idle = max(memory["idle"], key=lambda m: m.rss_mb)
            worst = max(memory["loaded"], key=lambda m: m.rss_mb)
            after = max(memory["after_wrk"], key=lambda m: m.rss_mb)
            rss_met = max(worst.rss_mb, after.rss_mb) <= GOAL_RSS_MB
            heap_met = max(worst.anon_mb, after.anon_mb) <= GOAL_RSS_MB
            ok &= heap_met
            verdict = "met" if rss_met else ("heap met, RSS not" if heap_met else "MISSED")
            lines.append(
                f"| {run['size']:,} | {workers} | {idle.rss_mb:.0f} | {idle.anon_mb:.0f} "
                f"| {worst.rss_mb:.0f} | {worst.anon_mb:.0f} | {worst.file_mb:.0f} "
                f"| {worst.uss_mb:.0f} | {worst.pss_mb:.0f} | {after.rss_mb:.0f} "
                f"| {after.anon_mb:.0f} | {verdict} |"
            )
    lines += [
        "",
        "Heap is RssAnon, what the worker alone holds in memory"
        + (
            ", SQLite's page cache of 2 MB a connection among it (the store is read from the "
            "kernel's page cache, not mapped); "
            if database == "sqlite"
            else " (PostgreSQL's own memory is the server's, not counted here); "
        )
        + "mapped files (RssFile) are the pages of libraries, shared with every other worker and "
        "process. (The largest worker of each run; load-run answers by status: "
        + "; ".join(
            f"{run['size']:,}/{w}: {dict(sorted(m['statuses'].items()))}"
            for run in runs
            for w, m in run["memory"].items()
        )
        + ".)",
        "",
        "### Throughput, 1 and 2 workers (wrk, 2 threads, 8 connections)",
        "",
        "| events | request | 1 worker req/s | p50 ms | 2 workers req/s | p50 ms | 2 vs 1 "
        "| goal >= 1.5x |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        if set(run["throughput"]) != {1, 2}:
            continue
        for key, label in (("events", f"GET {EVENTS_PATH}"), ("304", f"GET {FEED_PATH} (304)")):
            one, two = run["throughput"][1][key], run["throughput"][2][key]
            ratio = per_second(two) / per_second(one) if per_second(one) else 0.0
            met = ratio >= GOAL_SPEEDUP
            ok &= met
            lines.append(
                f"| {run['size']:,} | `{label}` | {per_second(one):.0f} | {one.p50_ms:.1f} "
                f"| {per_second(two):.0f} | {two.p50_ms:.1f} | {ratio:.2f}x "
                f"| {'met' if met else 'MISSED'} |"
            )
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], choices=(1, 2))
    parser.add_argument(
        "--memory-only", action="store_true", help="the load run only, no wrk (no throughput)"
    )
    parser.add_argument(
        "--stores",
        type=Path,
        help="keep each generated store in this folder and use it again when there",
    )
    parser.add_argument(
        "--clients", type=int, default=CLIENTS, help="client threads of the load run"
    )
    parser.add_argument(
        "--print-only", action="store_true", help="print the figures, leave RESULTS.md as it is"
    )
    parser.add_argument(
        "--database",
        choices=sorted(SECTIONS),
        default="sqlite",
        help="the store the workers serve (postgresql: a new database of the server that "
        "MEETSCOUT_BENCH_POSTGRES names, dropped afterwards; --stores keeps SQLite files only)",
    )
    args = parser.parse_args(argv)
    imported, reference = importing_mb(), reference_mb()
    runs = []
    with tempfile.TemporaryDirectory(prefix="meetscout-workers-") as tmp:
        folder = Path(tmp)
        script = folder / "report.lua"
        script.write_text(WRK_REPORT)
        for size in args.sizes:

            def measure(url: str, built: float, size: int = size) -> dict[str, Any]:
                return run_size(
                    url,
                    folder,
                    size,
                    built,
                    script,
                    args.workers,
                    throughput=not args.memory_only,
                    clients=args.clients,
                )

            if args.database == "postgresql":
                with postgres_database() as url:
                    runs.append(measure(url, postgres_store(url, size)))
                continue
            kept = args.stores is not None
            if kept:
                args.stores.mkdir(parents=True, exist_ok=True)
            database = (args.stores if kept else folder) / f"events-{size}.db"
            runs.append(measure(f"sqlite:///{database}", sqlite_store(database, size)))
            if not kept:
                database.unlink()
    body, ok = report(runs, reference, imported, args.clients, args.database)
    if not args.print_only:
        write_section(SECTIONS[args.database][1], body)
    print(body)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
