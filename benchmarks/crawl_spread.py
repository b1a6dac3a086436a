"""Crawl throughput on Redis: one ``meetscout crawl`` process against two sharing the crawl.

The crawl benchmark's site (saved real iCalendar feeds, schema.org event
pages and confs.tech files served from 127.0.0.1, here in more copies)
is crawled with ``MEETSCOUT_REDIS_URL`` set, in its raw setting (no
latency, 16 requests at once: the crawl is bound by parsing and storing),
first by one process, then by two started together that share the crawl
through Redis and one SQLite store. The figure is pages per minute from
the processes' start to the last one's end (start-up included), and the
goal is two processes at 1.5 times one or better. Each count is the
median of a few rounds.

Run: ``python -m benchmarks.crawl_spread`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from benchmarks.crawl import NETWORK, NOW, ROOT, QuietHandler, build_site
from benchmarks.results import write_section

REDIS_URL = os.environ.get("MEETSCOUT_BENCH_REDIS", "redis://127.0.0.1:6379/0")
COPIES = 24
ROUNDS = 3
GOAL = 1.5

PROCESS = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from crawlers.runner import run_crawl
from crawlers.sources import load_sources
from service.settings import Settings

database, sources, network, now, redis_url, prefix = sys.argv[1:7]
settings = Settings(database_url=database, sources=Path(sources), log_level="WARNING",
                    fetch_allow=("127.0.0.1",), redis_url=redis_url, redis_prefix=prefix)
began = time.perf_counter()
reports = run_crawl(settings, load_sources(settings.sources), now=datetime.fromisoformat(now),
                    overrides=json.loads(network))
print(json.dumps({"seconds": time.perf_counter() - began, "sources": len(reports),
                  "stored": sum(r.stored for r in reports),
                  "failed": [r.source for r in reports if r.outcome.value == "failed"]}))
"""

MIGRATE = (
    "import sys; from service.store import make_engine, migrate; migrate(make_engine(sys.argv[1]))"
)


def crawl_with(processes: int, tmp: Path, sources: Path) -> dict[str, float]:
    """One crawl by ``processes`` processes started together; pages, seconds, what they did."""
    database = tmp / f"spread-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{database}"
    subprocess.run([sys.executable, "-c", MIGRATE, url], check=True, cwd=ROOT)
    prefix = f"meetscout-bench-{uuid.uuid4().hex[:8]}"
    QuietHandler.served = []
    began = time.perf_counter()
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PROCESS,
                url,
                str(sources),
                json.dumps(NETWORK),
                NOW,
                REDIS_URL,
                prefix,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    outputs = []
    for process in running:
        out, err = process.communicate(timeout=1800)
        if process.returncode:
            raise SystemExit(f"a crawl process failed:\n{err[-3000:]}")
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - began
    served = Counter(QuietHandler.served)
    for leftover in tmp.glob(f"{database.name}*"):
        leftover.unlink()
    return {
        "pages": len(QuietHandler.served),
        "repeated": float(sum(count - 1 for count in served.values())),
        "seconds": seconds,
        "rate": len(QuietHandler.served) / seconds * 60,
        "stored": float(sum(output["stored"] for output in outputs)),
        "failed": float(sum(len(output["failed"]) for output in outputs)),
        "least_sources": float(min(output["sources"] for output in outputs)),
    }


def median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round of median speed (its counts kept together)."""
    ordered = sorted(rounds, key=lambda result: result["rate"])
    return ordered[len(ordered) // 2]


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    options = parse_args(argv)
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except Exception as error:  # no Redis, or no client: nothing to measure
        raise SystemExit(f"no Redis at {REDIS_URL} ({error}); set MEETSCOUT_BENCH_REDIS") from None
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        site = tmp / "site"
        site.mkdir()
        paths, template = build_site(site, options.copies)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        sources = tmp / "sources.toml"
        sources.write_text(
            template.replace("{base}", f"http://127.0.0.1:{httpd.server_address[1]}")
        )
        try:
            QuietHandler.latency = 0.0
            rounds: dict[int, list[dict[str, float]]] = {1: [], 2: []}
            for _ in range(options.rounds):
                for processes in (1, 2):
                    rounds[processes].append(crawl_with(processes, tmp, sources))
        finally:
            httpd.shutdown()
    load_after = os.getloadavg()[0]
    one, two = median_round(rounds[1]), median_round(rounds[2])
    results = {"one": one, "two": two}
    ratio = two["rate"] / one["rate"]
    spread = [f"{result['rate']:,.0f}" for result in rounds[2]]
    cores = os.cpu_count() or 1
    shared = max(load_before, load_after) > 0.5
    lines = [
        f"The crawl benchmark's site in {options.copies} copies: {len(paths)} saved real pages "
        "served from 127.0.0.1, raw setting (no latency, 16 requests at once), "
        "`MEETSCOUT_REDIS_URL` set, one SQLite store; pages per minute from the processes' "
        f"start to the last one's end, start-up included; the median of {options.rounds} rounds.",
        "",
        "| processes | pages | seconds | pages/min | events stored | pages fetched twice |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| 1 | {one['pages']:.0f} | {one['seconds']:.1f} | {one['rate']:,.0f} | "
        f"{one['stored']:.0f} | {one['repeated']:.0f} |",
        f"| 2 | {two['pages']:.0f} | {two['seconds']:.1f} | {two['rate']:,.0f} | "
        f"{two['stored']:.0f} | {two['repeated']:.0f} |",
        "",
        f"Two processes: **{ratio:.2f}** times one (goal ≥ {GOAL}; every round of two: "
        f"{', '.join(spread)} pages/min). The process that crawled fewer sources of the two "
        f"took {two['least_sources']:.0f}; failed sources: "
        f"{one['failed'] + two['failed']:.0f}. The machine has {cores} cores; load average "
        f"{load_before:.2f} before, {load_after:.2f} after"
        + (
            ": it was shared with other work while this ran, so two processes had less than "
            "two cores to themselves."
            if shared
            else "."
        ),
    ]
    if options.write:
        write_section("Crawl on Redis: one process and two", "\n".join(lines))
    print("\n".join(lines))
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crawl_spread", description=__doc__)
    parser.add_argument("--copies", type=int, default=COPIES, help="copies of the saved site")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of one and two")
    parser.add_argument(
        "--no-write",
        dest="write",
        action="store_false",
        help="print the figures only; do not rewrite the section of RESULTS.md",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
