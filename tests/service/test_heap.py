"""A server worker's heap gives a large block back to the system when it is freed."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

LARGE_BLOCK_MAPPED = """
import ctypes, sys
from fastapi.testclient import TestClient
from service.app import create_app
from service.settings import Settings

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
if sys.argv[1] == "serving":
    TestClient(create_app(Settings(database_url=sys.argv[2]))).__enter__()
freed = bytearray(8 * 1024 * 1024)
del freed  # glibc's own thresholds rise to 8 MB here
mapped = libc.mallinfo2().hblkhd
block = bytearray(1024 * 1024)
print(libc.mallinfo2().hblkhd - mapped >= len(block))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator")
@pytest.mark.parametrize(("started", "mapped"), [("serving", "True"), ("imported", "False")])
def test_a_started_worker_keeps_large_blocks_in_mappings_of_their_own(
    tmp_path: Path, started: str, mapped: str
) -> None:
    """Mapped on its own, a freed block goes back at once; from the heap, it stays."""
    url = f"sqlite:///{tmp_path / 'meetscout.db'}"
    done = subprocess.run(
        [sys.executable, "-c", LARGE_BLOCK_MAPPED, started, url],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[-1] == mapped
