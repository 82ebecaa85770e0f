"""What the preview server knows about the site, shared by the rebuild and request threads.

One value, replaced as a whole under a lock: a request thread reads a consistent
(site, generation, errors, quick pages) value, and the event stream wakes on each
replacement.

Quick pages (generator/serve/quick) are an edited write-up's page made ahead of the
full rebuild, served in place of the built file until a rebuild that saw the same
save is in. Saves are numbered as they are seen; a quick page is offered with the
number of the save it shows, and a finished rebuild with the number of the last save
it had seen when it started. So a quick page never outlives the rebuild that made it
true, and a rebuild that started before a save never hides that save's quick page.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from generator.core.frozenmap import FrozenMap
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
    # The files (site-relative) this generation changed from the one before, so an
    # open page reloads only if it is one of them; None: any may have (reload all).
    changed: tuple[str, ...] | None = None
    # Quick pages by site-relative path: served instead of the file in `site`.
    quick: FrozenMap[str, bytes] = FrozenMap()
    indexing: bool = False  # the pages are in; the search index is being made for them

    def event(self) -> bytes:
        """This state as one server-sent event (the live-reload script reads it).
        `pages`: no quick page waits for its rebuild (every page is built);
        `complete`: nor is the search index being made (the site is whole)."""
        data = json.dumps(
            {
                "generation": self.generation,
                "errors": list(self.errors),
                "changed": None if self.changed is None else list(self.changed),
                "pages": not self.quick,
                "complete": not self.quick and not self.indexing,
            }
        )
        return f"event: state\ndata: {data}\n\n".encode()


# Beyond this many changed files an event says "reload every page" instead of
# listing them; and any change to a file pages load (a stylesheet, a script, an
# image) reloads every page, whichever pages use it.
_MOST_LISTED = 500
_PAGE_SUFFIXES = (".html", ".xml", ".ics", ".txt", ".json")


class LiveState:
    """The current Snapshot, whether a build is running, and waiting for either."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._snapshot = Snapshot(0, (), None)
        self._building = False
        self._closed = False
        self._quick: dict[str, tuple[int, bytes]] = {}  # path -> (save number, bytes)
        self._covered = 0  # the last save the newest finished rebuild had seen

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

    def built(
        self,
        site: Path,
        changed: tuple[str, ...] | None = None,
        covered: int = 0,
        indexing: bool = False,
    ) -> Snapshot:
        """A build succeeded into `site`, changing the files `changed` (None: any),
        having seen every save up to number `covered`: a new generation, no errors.
        `indexing`: its search index is still to be made (a `built` follows)."""
        with self._changed:
            self._covered = max(self._covered, covered)
            shown = set(changed) if changed is not None else None
            for path, (save, data) in list(self._quick.items()):
                if save > self._covered:  # newer than this build: still shown instead
                    if shown is not None:
                        shown.discard(path)
                    continue
                del self._quick[path]
                if shown is not None:  # what the page showed is what it now shows?
                    if _read(site / path) == data:
                        shown.discard(path)
                    else:
                        shown.add(path)
            listed = None if shown is None else _listable(shown)
            self._snapshot = Snapshot(
                self._snapshot.generation + 1, (), site, listed, self._quick_pages(), indexing
            )
            self._building = False
            self._changed.notify_all()
            return self._snapshot

    def offer_quick(self, save: int, pages: dict[str, bytes]) -> Snapshot | None:
        """Quick pages showing save number `save`; the new Snapshot, or None when they
        are not shown: a rebuild that saw that save is already in, there is no site
        yet, or the site has errors (the overlay stays until a rebuild clears them)."""
        with self._changed:
            current = self._snapshot
            if save <= self._covered or current.site is None or current.errors:
                return None
            shown = tuple(
                sorted(
                    path
                    for path, data in pages.items()
                    if data != (current.quick.get(path) or _read(current.site / path))
                )
            )
            if not shown:
                return None
            for path in shown:
                self._quick[path] = (save, pages[path])
            self._snapshot = replace(
                current,
                generation=current.generation + 1,
                changed=shown,
                quick=self._quick_pages(),
            )
            self._changed.notify_all()
            return self._snapshot

    def _quick_pages(self) -> FrozenMap[str, bytes]:
        return FrozenMap({path: data for path, (_, data) in sorted(self._quick.items())})

    def failed(self, errors: tuple[str, ...], covered: int = 0) -> Snapshot:
        """A build that had seen every save up to number `covered` failed: the same
        site, these errors. The quick pages of those saves go (the build refused
        them: the last good build is shown again), and only then is there a new
        generation, naming their pages, so those reload to the last good build."""
        with self._changed:
            gone = tuple(sorted(p for p, (save, _) in self._quick.items() if save <= covered))
            for path in gone:
                del self._quick[path]
            current = self._snapshot
            generation = current.generation + 1 if gone else current.generation
            changed = gone if gone else current.changed
            self._snapshot = replace(
                current,
                generation=generation,
                errors=errors,
                changed=changed,
                quick=self._quick_pages(),
                indexing=False,
            )
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


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _listable(changed: set[str]) -> tuple[str, ...] | None:
    if len(changed) > _MOST_LISTED or not all(p.endswith(_PAGE_SUFFIXES) for p in changed):
        return None
    return tuple(sorted(changed))
