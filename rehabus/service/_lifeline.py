"""A child process that ends when its parent does, however the parent ended.

The job workers (`rehabus.service.jobs._processes`) are started with ``spawn``: fresh
interpreters that the kernel lets live on, reparented, when the server process dies without
stopping them (SIGKILL, an unhandled SIGTERM, a crash), one still solving at full speed. So
each of them runs `exit_with_parent` first: a thread that waits for the parent to go and then
ends the process at once. The parent's pipe (`multiprocessing.parent_process`'s sentinel) tells
when it closes; the parent id changing tells too, should some other process hold that pipe.

It lives apart from the jobs package so that a child that needs nothing else (the manager of
the shared flags and queues) need not import the solvers to run it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import wait

__all__ = ["EXIT_CODE", "exit_with_parent"]

EXIT_CODE = 75
"""What a child ends with when its parent has gone."""

CHECK_EVERY_S = 1.0
"""How often the thread also looks at the parent's id."""


def _watch(sentinel: int, parent_pid: int) -> None:
    # Wakes at once when the parent's end of the pipe closes, and each second to check its id.
    while os.getppid() == parent_pid and not wait([sentinel], timeout=CHECK_EVERY_S):
        pass
    os._exit(EXIT_CODE)  # nothing here is worth finishing: its result has nobody to go to


def exit_with_parent() -> None:
    """In a child process (started by `multiprocessing`), start a daemon thread that ends this
    process as soon as its parent is gone; a no-op in a process that has no such parent.

    Meant as the ``initializer`` of a `concurrent.futures.ProcessPoolExecutor` or of a
    `multiprocessing.managers.BaseManager.start`.
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return
    threading.Thread(
        target=_watch,
        args=(parent.sentinel, parent.pid),
        name="rehabus-exit-with-parent",
        daemon=True,
    ).start()
