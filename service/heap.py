"""How a server worker's heap gives memory back to the system once freed (glibc's allocator)."""

from __future__ import annotations

import ctypes
import platform

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
THRESHOLD_BYTES = 128 * 1024
"""glibc's own starting value of both thresholds, kept from then on."""


def hold_heap_tight() -> bool:
    """Keep glibc's thresholds where they start: blocks of 128 KiB and more in mappings of
    their own, and the heap's free top given back above 128 KiB. Whether glibc took them.

    glibc raises both each time a large block is freed (up to 32 MB), so
    after the first large answer or store read, such blocks come from the
    heap, and there the memory they leave, between objects still alive,
    stays with the worker. Fixed, a freed large block goes back to the
    system at once, for an ``mmap`` per large block.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return all(
        libc.mallopt(option, THRESHOLD_BYTES) == 1
        for option in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD)
    )
