"""The hostile suite prints what it tried at the end of the run (see counts.py)."""

from __future__ import annotations

import pytest

from tests.hostile.counts import TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("hostile inputs tried")
    for what, n in sorted(TRIED.items()):
        terminalreporter.write_line(f"{what}: {n:,}")
