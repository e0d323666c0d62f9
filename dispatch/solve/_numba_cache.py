"""Keep numba's on-disk cache honest.

numba invalidates a cached function when its own source file changes, but not when a compiled
function it calls lives in another file that changed: `_alns` would keep running a stale copy of
`_kernels`. This drops the folder's cache whenever any kernel source differs from the sources
the cache was built from.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["refresh_cache"]

_SOURCES = ("_kernels.py", "_alns.py")


def refresh_cache() -> None:
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
