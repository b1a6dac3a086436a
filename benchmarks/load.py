"""Load: ``meetscout serve`` at 1e5 events under a realistic mix, with a crawl writing meanwhile.

The store is the feed benchmark's (:func:`benchmarks.feeds.build_store`:
1e5 events around twelve cities, the same on every run). The server is the
real command, ``meetscout serve --host 127.0.0.1 --workers N``, replaying
the store's moment (``MEETSCOUT_REPLAY_AT``). While it is under load,
``meetscout crawl`` runs again and again against the crawl benchmark's
local site (saved real feeds and pages on 127.0.0.1,
:func:`benchmarks.crawl.build_site`), writing into the same store; one
crawl runs before the load, as a running service has crawled its sources
before (a crawl that finds new events empties the server's kept totals
and feed plans at each commit; one that finds them again does not).

``wrk`` offers a fixed rate: a Lua script spaces the requests of each of
its threads evenly in time (``delay()``), over enough connections that a
slow answer does not hold the next one back, and picks each request from
a mix that people and calendar apps make:

- a search near a place (``/events?near=...``, some with a sector or a kind),
- the web page of a search (``/?near=...``),
- an event's page (``/e/{id}``),
- a calendar feed polled with ``If-None-Match`` (304), and without it (200).

The main run holds ``--rate`` (500 requests/s) for ``--seconds`` (60 s);
then short steps at higher rates (or, when it is not held, lower ones)
find the highest one held with p99 under 100 ms, no error and at least
95 % of the offered rate answered; before each step the server is left
to finish what the last run left queued. This is done for each count
of server processes in ``--workers`` (1 and 2), over the same store, one
after the other; the load average is read before and after each. Every
answer that is not 2xx or 304 counts as an error, as does every socket
error. Figures go to the "Reliability" section of ``benchmarks/RESULTS.md``
(between markers, leaving the rest of that section as it is).

Run: ``python -m benchmarks.load`` (``--help`` for the options); it needs
``wrk`` (Debian: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from benchmarks.crawl import QuietHandler, build_site
from benchmarks.feeds import CITIES, NOW, SECTORS, build_store, free_port
from benchmarks.results import RESULTS, load_average
from service.model import make_event_id

SIZE = 100_000
RATE = 500
SECONDS = 60
STEP_SECONDS = 10
STEPS = (750, 1000, 1500, 2000, 3000)
LOWER = (250, 200, 150, 100, 75, 50, 25, 10)
"""Rates tried, highest first, when the main run's rate is not held."""
WORKERS = (1, 2)
THREADS = 2
CONNECTIONS = 64
WARM_RATE = 100
WARM_SECONDS = 20
"""Before the main run, the mix at this rate: every worker has read, planned and rendered
what a server running for days keeps (each worker its own), and is counted apart."""
KEEP_BUSY_S = 2.0
"""Fewer connections at low rates, so that each carries a request at least this often: an idle
one is closed by the server (uvicorn's keep-alive is 5 s) and wrk counts the next request on
it as a socket error, which no real client would see."""
GOAL_P99_MS = 100.0
HELD = 0.95
SEED = 20261205
CRAWL_SOURCES = 6
MIX = {"search": 35, "page": 15, "event": 20, "feed_304": 20, "feed_200": 10}
"""Requests of each kind in a hundred."""
LABELS = {
    "search": "search near a place",
    "page": "search page",
    "event": "event page",
    "feed_304": "feed with If-None-Match",
    "feed_200": "feed (200)",
}
SECTION = "Reliability"
BEGIN = "<!-- load: written by python -m benchmarks.load -->"
END = "<!-- /load -->"

WRK_SCRIPT = textwrap.dedent(
    """
    local ffi = require("ffi")
    ffi.cdef[[
      typedef struct { long tv_sec; long tv_usec; } load_timeval;
      int gettimeofday(load_timeval *tv, void *tz);
    ]]
    local clock = ffi.new("load_timeval")
    local function now_ms()
      ffi.C.gettimeofday(clock, nil)
      return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
    end

    local requests = dofile("@REQUESTS@")
    local interval = @INTERVAL@
    local threads = {}
    local counter = 1
    local next_at = nil
    local position = 1
    bad = 0
    server_errors = 0
    statuses = {}

    setup = function(thread)
      thread:set("offset", counter * 7919)
      counter = counter + 1
      table.insert(threads, thread)
    end

    init = function(args)
      position = (offset % #requests) + 1
    end

    delay = function()
      local now = now_ms()
      if next_at == nil then next_at = now end
      local slot = math.max(next_at, now)
      next_at = slot + interval
      return slot - now
    end

    request = function()
      local item = requests[position]
      position = (position % #requests) + 1
      return wrk.format("GET", item[1], item[2])
    end

    response = function(status, headers, body)
      if status >= 500 then server_errors = server_errors + 1 end
      if status ~= 304 and (status < 200 or status > 299) then
        bad = bad + 1
        statuses[status] = (statuses[status] or 0) + 1
      end
    end

    done = function(summary, latency, requests)
      local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout
      local total_bad, total_5xx = 0, 0
      local by_status = {}
      for _, thread in ipairs(threads) do
        total_bad = total_bad + thread:get("bad")
        total_5xx = total_5xx + thread:get("server_errors")
        for status, count in pairs(thread:get("statuses")) do
          by_status[status] = (by_status[status] or 0) + count
        end
      end
      local parts = {}
      for status, count in pairs(by_status) do
        table.insert(parts, string.format('"%d": %d', status, count))
      end
      io.write(string.format(
        '\\nWRK_JSON {"requests": %d, "seconds": %.3f, "errors": %d, "timeouts": %d, '
        .. '"bad_status": %d, "server_errors": %d, "statuses": {%s}, '
        .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
        summary.requests, summary.duration / 1e6, errors, summary.errors.timeout,
        total_bad, total_5xx, table.concat(parts, ", "),
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
    end
    """
)


@dataclass(frozen=True)
class Run:
    """One wrk run at an offered rate."""

    rate: int
    requests: int
    seconds: float
    errors: int
    timeouts: int
    bad_status: int
    server_errors: int
    statuses: dict[str, int]
    """Answers other than 2xx and 304, by status."""
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def held(self) -> bool:
        """The rate answered, nothing failed, p99 under the goal."""
        return (
            self.errors == 0
            and self.bad_status == 0
            and self.p99_ms < GOAL_P99_MS
            and self.per_second >= HELD * self.rate
        )


@dataclass
class Crawls:
    """``meetscout crawl`` run again and again until stopped; what each run ended with."""

    env: dict[str, str]
    exits: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "service", "crawl"],
                env=self.env,
                capture_output=True,
                text=True,
                check=False,
            )
            self.exits.append(done.returncode)
            self.seconds.append(time.perf_counter() - began)
            if done.returncode:
                self.stderr.append(done.stderr[-2000:])

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def crawl_once(env: dict[str, str]) -> float:
    """One ``meetscout crawl`` of the sources before any load: a running service has crawled
    its sources before, so the crawls during the load find their events again. Seconds."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "service", "crawl"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the first crawl failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - began


class Serve:
    """``meetscout serve`` on 127.0.0.1 with ``workers`` processes."""

    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "service", "serve"),
                *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("meetscout serve did not start")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


Request = tuple[str, str, dict[str, str]]
"""(kind of request in :data:`MIX`, path, headers)."""


def mix(server: Serve, size: int, seed: int = SEED) -> list[Request]:
    """A shuffled list of requests in the proportions of :data:`MIX` (1,000 of them)."""
    rng = random.Random(seed)
    cities = [city for city, *_ in CITIES]
    etags: dict[str, str] = {}
    for index, city in enumerate(cities):
        sector = SECTORS[index % len(SECTORS)]
        path = f"/feeds/events.ics?near={urllib.parse.quote(city)}&radius_km=25&sector={sector}"
        status, headers = server.get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} before the load")
        etags[path] = headers["etag"]
    made: list[Request] = []
    for kind, share in MIX.items():
        for _ in range(share * 10):
            city = urllib.parse.quote(rng.choice(cities))
            if kind == "search":
                extra = rng.choice(["", f"&sector={rng.choice(SECTORS)}", "&kind=meetup"])
                made.append((kind, f"/events?near={city}&radius_km=25{extra}", {}))
            elif kind == "page":
                made.append((kind, f"/?near={city}&radius_km=25", {}))
            elif kind == "event":
                made.append((kind, f"/e/{make_event_id('bench', str(rng.randrange(size)))}", {}))
            else:
                path = rng.choice(sorted(etags))
                headers = {"If-None-Match": etags[path]} if kind == "feed_304" else {}
                made.append((kind, path, headers))
    rng.shuffle(made)
    return made


def service_times(server: Serve, requests: Sequence[Request], each: int = 10) -> dict[str, float]:
    """Median milliseconds of each kind of request, one at a time, before the load."""
    times: dict[str, list[float]] = {}
    for kind, path, headers in requests:
        if len(times.setdefault(kind, [])) < each:
            began = time.perf_counter()
            server.get(path, headers)
            times[kind].append((time.perf_counter() - began) * 1000)
    return {kind: statistics.median(values) for kind, values in times.items()}


def lua_table(requests: Sequence[Request]) -> str:
    def quoted(text: str) -> str:
        return json.dumps(text)  # a JSON string of ASCII is a Lua string too

    rows = []
    for _, path, headers in requests:
        pairs = ", ".join(f"[{quoted(name)}] = {quoted(value)}" for name, value in headers.items())
        rows.append(f"  {{{quoted(path)}, {{{pairs}}}}},")
    return "return {\n" + "\n".join(rows) + "\n}\n"


def connections(rate: int) -> int:
    """Up to :data:`CONNECTIONS`, each busy at least every :data:`KEEP_BUSY_S` seconds."""
    return max(THREADS, min(CONNECTIONS, int(rate * KEEP_BUSY_S)))


def wrk(server: Serve, folder: Path, rate: int, seconds: int) -> Run:
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    script = folder / f"load-{rate}.lua"
    per_thread = rate / THREADS
    script.write_text(
        WRK_SCRIPT.replace("@REQUESTS@", str(folder / "requests.lua")).replace(
            "@INTERVAL@", f"{1000.0 / per_thread:.6f}"
        )
    )
    done = subprocess.run(
        [
            *(binary, f"-t{THREADS}", f"-c{connections(rate)}", f"-d{seconds}s"),
            *("--timeout", "10s"),
            *("-s", str(script), server.base + "/"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return Run(
        rate=rate,
        requests=raw["requests"],
        seconds=raw["seconds"],
        errors=raw["errors"],
        timeouts=raw["timeouts"],
        bad_status=raw["bad_status"],
        server_errors=raw["server_errors"],
        statuses=raw["statuses"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
    )


def drain(server: Serve, within_ms: float = 50.0, wait: float = 120.0) -> float:
    """Wait until the server answers its health check within ``within_ms`` three times in a
    row: what a run left queued (requests wrk gave up on are still served) is done. Returns
    the seconds waited."""
    began = time.monotonic()
    quick = 0
    while quick < 3 and time.monotonic() - began < wait:
        asked = time.perf_counter()
        server.get("/healthz")
        quick = quick + 1 if (time.perf_counter() - asked) * 1000 < within_ms else 0
        time.sleep(0.2)
    return time.monotonic() - began


@dataclass
class Trial:
    """Everything measured with one count of server processes."""

    workers: int
    alone: dict[str, float]
    warm: Run
    main: Run
    steps: list[Run]
    crawl_runs: int
    crawl_failures: int
    load_before: str
    load_after: str

    @property
    def held(self) -> list[int]:
        return [run.rate for run in [self.main, *self.steps] if run.held]


def trial(env: dict[str, str], folder: Path, workers: int, options: argparse.Namespace) -> Trial:
    """Serve the store with ``workers`` processes; the main run, then the steps, crawling."""
    load_before = load_average()
    port = free_port()
    env = {**env, "MEETSCOUT_BASE_URL": f"http://127.0.0.1:{port}"}
    server = Serve(env, port, workers)
    crawls = Crawls(env)
    steps: list[Run] = []
    crawling = options.crawl
    try:
        requests = mix(server, options.size)
        (folder / "requests.lua").write_text(lua_table(requests))
        alone = service_times(server, requests)
        print(f"{workers} worker(s), alone: {alone}", flush=True)
        if crawling:
            crawls.start()
        warm = wrk(server, folder, min(WARM_RATE, options.rate), WARM_SECONDS)
        print(row(f"{workers} (warm-up)", warm), flush=True)
        drain(server)
        print(f"{options.rate}/s for {options.seconds} s, crawling: {crawling}", flush=True)
        main_run = wrk(server, folder, options.rate, options.seconds)
        print(row(f"{workers}", main_run), flush=True)
        # Upward from a held rate, else downward to one that is held.
        tried = options.steps if main_run.held else LOWER
        for rate in tried:
            waited = drain(server)
            step = wrk(server, folder, rate, options.step_seconds)
            print(row(f"{workers}", step), f"(after {waited:.0f} s of draining)", flush=True)
            steps.append(step)
            if step.held != main_run.held:
                break
    finally:
        crawls.stop()
        server.stop()
    if crawls.stderr:
        print("a crawl failed:\n" + crawls.stderr[0], file=sys.stderr)
    return Trial(
        workers=workers,
        alone=alone,
        warm=warm,
        main=main_run,
        steps=steps,
        crawl_runs=len(crawls.exits),
        crawl_failures=sum(1 for code in crawls.exits if code),
        load_before=load_before,
        load_after=load_average(),
    )


def write_load(block: str, path: Path = RESULTS) -> None:
    """Put ``block`` between the load markers in the Reliability section, keeping the rest."""
    text = path.read_text()
    marked = f"{BEGIN}\n{block.strip()}\n{END}"
    if BEGIN in text:
        pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _: marked, text, count=1)
    else:
        heading = re.search(rf"^## {SECTION}\n", text, re.M)
        if heading is None:
            text = text.rstrip("\n") + f"\n\n## {SECTION}\n\n{marked}\n"
        else:
            following = re.search(r"^## ", text[heading.end() :], re.M)
            at = heading.end() + following.start() if following else len(text)
            text = text[:at].rstrip("\n") + f"\n\n{marked}\n\n" + text[at:]
    path.write_text(text.rstrip("\n") + "\n")


def row(label: str, run: Run) -> str:
    refused = "".join(f", {count} {status}" for status, count in sorted(run.statuses.items()))
    return (
        f"| {label} | {run.rate:,} | {run.per_second:,.0f} | {run.requests:,} | "
        f"{run.errors + run.bad_status} ({run.timeouts} timed out, "
        f"{run.errors - run.timeouts} other socket errors, {run.server_errors} 5xx{refused}) | "
        f"{run.p50_ms:.1f} | {run.p90_ms:.1f} | "
        f"**{run.p99_ms:.1f}** | {run.max_ms:.0f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"building a store of {options.size:,} events", flush=True)
        settings, build_seconds = build_store(folder, options.size)
        site = folder / "site"
        site.mkdir()
        _, sources_template = build_site(site)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        sources = folder / "sources.toml"
        # A few of the crawl benchmark's sources, so that one crawl takes seconds, not minutes.
        blocks = sources_template.split("[[source]]")[1 : CRAWL_SOURCES + 1]
        sources.write_text(
            "".join(f"[[source]]{block}" for block in blocks).replace(
                "{base}", f"http://127.0.0.1:{httpd.server_address[1]}"
            )
        )
        env = {
            **os.environ,
            "MEETSCOUT_DATABASE_URL": settings.database_url,
            "MEETSCOUT_SOURCES": str(sources),
            "MEETSCOUT_DATA_DIR": str(folder / "data"),
            "MEETSCOUT_REPLAY_AT": NOW.isoformat(),
            "MEETSCOUT_FETCH_ALLOW": "127.0.0.1",
            "MEETSCOUT_LOG_LEVEL": "WARNING",
        }
        env.pop("MEETSCOUT_SMTP_URL", None)
        try:
            first_crawl = crawl_once(env) if options.crawl else None
            trials = [trial(env, folder, workers, options) for workers in options.workers]
        finally:
            httpd.shutdown()
    text = report(trials, options, build_seconds, first_crawl)
    print(text)
    if options.write:
        write_load(text)
    ok = all(
        (t.main.held or (t.main.errors == 0 and t.main.bad_status == 0)) and not t.crawl_failures
        for t in trials
    )
    return 0 if ok else 1


def report(
    trials: Sequence[Trial],
    options: argparse.Namespace,
    build_seconds: float,
    first_crawl: float | None = None,
) -> str:
    """The Reliability section's load paragraph and table."""
    counts = " and ".join(str(t.workers) for t in trials)
    crawled = "; ".join(
        f"{t.crawl_runs} time{'s' if t.crawl_runs != 1 else ''} with {t.workers} "
        f"worker{'s' if t.workers != 1 else ''} ({t.crawl_failures} failed)"
        for t in trials
    )
    lines = [
        f"- **Load** (`python -m benchmarks.load`): `meetscout serve --workers N` (N = "
        f"{counts}, one after the other) on 127.0.0.1 over {options.size:,} events (the feed "
        f"benchmark's store, built in {build_seconds:.0f} s), `wrk` offering a fixed rate "
        f"({THREADS} threads, {CONNECTIONS} connections, fewer below {CONNECTIONS // 2}/s so "
        f"that none stays idle past {KEEP_BUSY_S:.0f} s; requests spaced evenly) of a mix: "
        f"{MIX['search']} % searches near a place, {MIX['page']} % search pages, "
        f"{MIX['event']} % event pages, {MIX['feed_304']} % calendar feeds polled with "
        f"If-None-Match (304) and {MIX['feed_200']} % without (200). "
        + (
            f"Before the load, `meetscout crawl` of {CRAWL_SOURCES} sources (iCalendar feeds "
            "and a listing of event pages, from the crawl benchmark's local site) ran once "
            f"into the store ({first_crawl or 0:.0f} s), as a running service has crawled its "
            "sources before; meanwhile it ran again and again, writing into the same store "
            "(each event found again is written as seen again, and each source's health): "
            f"{crawled}. "
            if options.crawl
            else "No crawl ran meanwhile (`--no-crawl`). "
        )
        + f"Each count of workers first served the mix at {WARM_RATE}/s for {WARM_SECONDS} s "
        "(a warm-up, counted apart: each worker reads, plans and renders what a server "
        "running for days keeps). "
        "Before each step the server finished what the run before left queued. The "
        "server, wrk, the crawl and its site all ran on the machine's 2 cores.",
        "",
        "| workers | run | offered /s | answered /s | requests | errors | p50 ms | p90 ms "
        "| p99 ms | max ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in trials:
        lines.append(row(f"{t.workers} | {WARM_SECONDS} s warm-up (not counted)", t.warm))
        lines.append(row(f"{t.workers} | {options.seconds} s", t.main))
        lines.extend(row(f"{t.workers} | {options.step_seconds} s step", s) for s in t.steps)
    lines.append("")
    for t in trials:
        alone = ", ".join(f"{LABELS[kind]} {t.alone[kind]:.0f}" for kind in MIX)
        held = (
            f"highest rate held (every request answered, none failed, p99 under "
            f"{GOAL_P99_MS:.0f} ms, at least {HELD:.0%} of the offered rate): "
            f"**{max(t.held):,}/s**"
            if t.held
            else f"no rate tried was held with p99 under {GOAL_P99_MS:.0f} ms and no error"
        )
        lines.append(
            f"- {t.workers} worker{'s' if t.workers != 1 else ''}: {held}; at "
            f"{t.main.rate}/s, p99 {t.main.p99_ms:,.0f} ms, {t.main.errors + t.main.bad_status} "
            f"errors ({t.main.timeouts} timed out, {t.main.server_errors} 5xx). Each kind of "
            f"request alone, before the load (median of 10, ms): {alone}. Load average "
            f"(1, 5, 15 min) before {t.load_before}, after {t.load_after}."
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--size", type=int, default=SIZE, help="events in the store")
    parser.add_argument("--rate", type=int, default=RATE, help="requests per second offered")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="length of the main run")
    parser.add_argument(
        "--workers",
        type=lambda text: tuple(int(part) for part in text.split(",") if part),
        default=WORKERS,
        help="server processes, comma-separated: each count is run in turn",
    )
    parser.add_argument(
        "--steps",
        type=lambda text: tuple(int(part) for part in text.split(",") if part),
        default=STEPS,
        help="higher rates to try after the main run, comma-separated ('' for none)",
    )
    parser.add_argument("--step-seconds", type=int, default=STEP_SECONDS)
    parser.add_argument(
        "--no-crawl",
        dest="crawl",
        action="store_false",
        help="no crawl writing meanwhile (to see what the crawl costs the server)",
    )
    parser.add_argument(
        "--no-write",
        dest="write",
        action="store_false",
        help="print the figures only; leave RESULTS.md as it is",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
