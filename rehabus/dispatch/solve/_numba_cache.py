"""Keep numba's on-disk cache honest.

numba invalidates a cached function when its own source file changes, but not when a compiled
function it calls lives in another file that changed: `_alns` would keep running a stale copy of
`_kernels`. This drops the folder's cache whenever any kernel source differs from the sources
the cache was built from.

`kernel_args` calls `refresh_cache` (once per process) before any kernel can run, as no
kernel runs without the arrays it makes: importing the package does no work.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["refresh_cache"]

_SOURCES = ("_kernels.py", "_alns.py")


@functools.cache
def refresh_cache() -> None:
    """Drop the compiled kernels' cache files if their sources changed since it was built."""
    here = Path(__file__).parent
    digest = hashlib.sha256(b"".join((here / name).read_bytes() for name in _SOURCES))
    cache = here / "__pycache__"
    stamp = cache / "numba-sources.sha256"
    try:
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return
        for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            path.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:
        pass  # a read-only install: numba falls back to compiling in memory
