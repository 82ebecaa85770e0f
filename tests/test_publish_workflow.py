"""The shipped GitHub Actions workflow: rebuilds on push, daily and on demand.

It is a file for users, not run here; parse it as YAML and check what matters.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github/workflows/publish.yml"


def load() -> dict[Any, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); accept either spelling.
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_workflow_runs_on_push_daily_and_by_hand() -> None:
    data = load()
    triggers = data.get("on", data.get(True))
    assert triggers["push"]["branches"] == ["main"]
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*"), "once a day"
    assert minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in triggers


def test_workflow_builds_and_deploys_to_pages() -> None:
    data = load()
    steps = data["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    checkout = steps[uses.index("actions/checkout@v4")]
    assert checkout["with"]["fetch-depth"] == 0, "git dates need the full history"
    setup = steps[[u.split("@")[0] for u in uses].index("actions/setup-python")]
    assert setup["with"]["python-version"] == "3.11"
    runs = [s.get("run", "") for s in steps]
    assert "pip install ." in runs
    [build] = [r for r in runs if r.startswith("chatwiki build")]
    assert "--now" not in build, "the daily build must use the time it runs"
    assert "--strict" in build.split(), "a broken link fails the run, not the site"
    upload = steps[[u.split("@")[0] for u in uses].index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] in build.split()
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_workflow_has_least_privilege() -> None:
    data = load()
    assert data.get("permissions") in ({}, None, "{}"), "no permissions by default"
    assert data["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    steps = data["jobs"]["build"]["steps"]
    [checkout] = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["persist-credentials"] is False
    [setup] = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    # `cache: pip` fails in a site repository with no requirements file or pyproject.
    assert "cache" not in setup["with"]
