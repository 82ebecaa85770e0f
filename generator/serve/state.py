"""What the preview server knows about the site, shared by the rebuild and request threads.

One value, replaced as a whole under a lock: a request thread reads a consistent
(site, generation, errors) triple, and the event stream wakes on each replacement.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from generator.core.pickling import fast_pickle


@fast_pickle
@dataclass(frozen=True, slots=True)
class Snapshot:
    # Bumped by every successful build. A served page carries the generation it came
    # from, so a page that missed a rebuild (its tab was asleep) reloads on reconnect.
    generation: int
    # The last rebuild's error messages, one per diagnostic; () when it built. While
    # there are errors, `site` is still the last good build, served as it was.
    errors: tuple[str, ...]
    site: Path | None  # None until the first build succeeds

    def event(self) -> bytes:
        """This state as one server-sent event (the live-reload script reads it)."""
        data = json.dumps({"generation": self.generation, "errors": list(self.errors)})
        return f"event: state\ndata: {data}\n\n".encode()


class LiveState:
    """The current Snapshot, whether a build is running, and waiting for either."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._snapshot = Snapshot(0, (), None)
        self._building = False
        self._closed = False

    def current(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    @property
    def closed(self) -> bool:
        with self._changed:
            return self._closed

    def building(self) -> None:
        with self._changed:
            self._building = True

    def built(self, site: Path) -> Snapshot:
        """A build succeeded into `site`: a new generation with no errors."""
        with self._changed:
            self._snapshot = Snapshot(self._snapshot.generation + 1, (), site)
            self._building = False
            self._changed.notify_all()
            return self._snapshot

    def failed(self, errors: tuple[str, ...]) -> Snapshot:
        """A build failed: same generation and site, these errors."""
        with self._changed:
            self._snapshot = replace(self._snapshot, errors=errors)
            self._building = False
            self._changed.notify_all()
            return self._snapshot

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for_change(self, seen: Snapshot, timeout: float) -> Snapshot | None:
        """The next Snapshot after `seen`, or None after `timeout` s or on close."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot != seen or self._closed, timeout)
            if self._closed or self._snapshot == seen:
                return None
            return self._snapshot

    def wait_until_idle(self, timeout: float) -> None:
        """Until the running build (if any) has ended: a request that finds no file in
        the moment the build swaps the folders in place asks again after it."""
        with self._changed:
            self._changed.wait_for(lambda: not self._building or self._closed, timeout)
