"""Keep freed memory in the process while benchmarking (Linux/glibc only).

By default glibc returns large freed blocks to the operating system and takes them back on
the next allocation, paying a page fault for every 4 KiB page. A training step allocates
and frees many multi-megabyte arrays, so on virtual machines those page faults can cost more
than the arithmetic (we measured 5x on a 784x256 update). That cost hits every library in
the comparison, but it is noise about the allocator, not about autodiff, so the benchmarks
switch it off. Your own programs can do the same with the environment variables
``MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824``.
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> str:
    """Ask glibc to reuse freed memory instead of unmapping it. Returns a one-line status."""
    if not sys.platform.startswith("linux"):
        return "allocator: default (not Linux)"
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, 1 << 30) and libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):
        return "allocator: default (glibc mallopt not available)"
    return "allocator: glibc keeps freed memory (mallopt)" if ok else "allocator: default"
