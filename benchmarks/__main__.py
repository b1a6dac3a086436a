"""``python -m benchmarks`` (``make bench``): every benchmark, each in its own process.

Each writes its section of ``benchmarks/RESULTS.md``. Name some to run only those.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "crawl",
    "crawl_spread",
    "search",
    "distinct",
    "feeds",
    "stores",
    "digest",
    "sectors",
    "discovery",
    "hosts",
    "series",
)


def main(names: list[str]) -> int:
    failed = []
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        print(f"== benchmarks.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"goals missed or errors in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
