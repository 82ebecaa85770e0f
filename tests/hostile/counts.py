"""What the hostile suite tried, tallied for the end of the run.

A hardening test that quietly tries less (a generator that stops producing vectors,
a mutator whose loop ends early) still passes; printing how much was tried makes
such a regression visible in CI's log. Tests call `record`; tests/hostile/conftest.py
prints the totals in pytest's terminal summary.
"""

from __future__ import annotations

TRIED: dict[str, int] = {}


def record(what: str, n: int = 1) -> None:
    TRIED[what] = TRIED.get(what, 0) + n
