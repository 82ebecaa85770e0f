"""One broken site per folder in tests/sites/invalid/, each with the exact message a user sees.

Add a case by adding a folder: site.yaml, content/, and expected.txt holding the
diagnostics (one per line) that `chatwiki check` must print.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

CASES = sorted((Path(__file__).parent / "sites" / "invalid").iterdir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_site_reports_expected_diagnostics(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip().splitlines()
    result = CliRunner().invoke(main, ["check", str(case), "--now", "2026-11-23T12:00Z"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:-1] == expected
    assert lines[-1].endswith("nothing was written.")
    assert not (case / "output").exists()
