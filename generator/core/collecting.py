"""Reading large values without Python's cycle collector running through them.

Parsing a 100,000-post archive, or unpickling a site's write-ups from the cache,
makes hundreds of thousands of objects in one go. Each few hundred allocations the
cycle collector walks the young objects, and as they survive, the old ones too:
on a 100,000-post archive that was a third of the read (0.3 s of 0.8). What these
reads make holds no reference cycles (JSON values, frozen dataclasses), so nothing
is left for the collector to find: it is paused while they run, and runs as usual
afterwards (reference counting frees everything either way).

The collector's switch is one per process, so the pauses are counted here, once per
process too: overlapping pauses (threads of a preview, nested reads) resume it when
the last one ends, and only if it was on when the first began.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _Pauses:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.resume = False

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        with self.lock:
            if self.running == 0:
                self.resume = gc.isenabled()
                gc.disable()
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if self.running == 0 and self.resume:
                    gc.enable()


_PAUSES = _Pauses()  # mirrors gc's own process-wide switch (see above)


def collector_paused() -> contextlib.AbstractContextManager[None]:
    """The cycle collector off for the block, unless it was off already."""
    return _PAUSES.paused()
