"""Allocators that give memory back (内存占用): what a big check's peak is made of is partly memory freed but
kept by the allocators for reuse, and what its time is made of is partly memory given back too eagerly and
taken again (every fresh page is zeroed by the kernel).

Two allocators hold on to freed memory: glibc's, whose threshold for serving a large block from a mapping
of its own (returned on free) grows after every such block is freed, up to 32 MiB, so the temporaries of a
million-row column end up on the heap and stay there; and the pool pyarrow allocates from. On the 1M-row,
250k-site round they made ~0.3 GB of scoring's 1.47 GiB peak. So a check, once the evidence is read, fixes
glibc's threshold (:func:`lean_heap`): reading, which makes many short-lived blocks and is not where the
peak is, keeps the fast reuse. And on Linux, Arrow allocates from jemalloc (:func:`lean_arrow`, read when
pyarrow loads; a value the user set is kept): its pages are given back after a short decay, where
mimalloc, pyarrow's default, either kept them (a higher peak) or, told to give them back at once, had the
kernel zero fresh pages all through scoring (kernel time of a JSON check of the 250k-site round 4.5–5.6 s
against 3.1–3.7 s with jemalloc, scoring ~0.5 s slower, the peak ~60 MB higher). Elsewhere mimalloc stays,
asked to return pages at once. Figures in ``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD = 256 * 1024


# The pyarrow wheels for Linux have jemalloc built in; a pyarrow without it logs one line naming the
# backends it has and keeps its default (set ARROW_DEFAULT_MEMORY_POOL=mimalloc to choose quietly).
ARROW_POOL = "jemalloc"


def lean_arrow() -> None:
    """Choose Arrow's pool (jemalloc on Linux; mimalloc, returning freed pages at once, elsewhere); effective
    only before pyarrow is imported, and inherited by the reading workers, which start later."""
    if sys.platform.startswith("linux"):
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", ARROW_POOL)
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")


def lean_heap() -> bool:
    """Map (and unmap on free) every C-heap block of 256 KiB or more; True when the C library took it."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc; other C libraries have no such knob
    except (AttributeError, OSError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_memory() -> None:
    """Give memory freed so far back to the system: Arrow's pool and the C heap keep freed blocks for reuse
    (~0.26 GB after reading a 1M-row round, which scoring would otherwise stack its peak on; scoring calls
    it too, after its million-row frames)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        import ctypes

        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the process's C library: glibc has it
        if trim is not None:
            trim(0)
