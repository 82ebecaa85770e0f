"""When chats happen relative to the build's "now": the index behind every
"upcoming"/"past" list. "Now" is an input, never read from the clock here, so a
build with `--now` is reproducible and tests can stand anywhere in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.model import Chat


@dataclass(frozen=True, slots=True)
class Timeline:
    upcoming: tuple[Chat, ...]  # soonest first
    past: tuple[Chat, ...]  # newest first

    @property
    def next_chat(self) -> Chat | None:
        return self.upcoming[0] if self.upcoming else None


def build_timeline(chats: Sequence[Chat], now: datetime) -> Timeline:
    """A chat is upcoming until it starts."""
    ordered = sorted(chats, key=lambda c: (c.start, c.slug))
    upcoming = tuple(c for c in ordered if c.start > now)
    past = tuple(reversed([c for c in ordered if c.start <= now]))
    return Timeline(upcoming=upcoming, past=past)
