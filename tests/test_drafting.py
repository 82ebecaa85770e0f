"""`chatwiki new chat --from-archive`: a write-up drafted from the chat's own posts."""

import csv
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
ARCHIVE = ROOT / "content/chats/2012-02-16-mentors/archive.csv"


def test_draft_from_a_tags_export_is_a_valid_edit_ready_write_up(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    result = CliRunner().invoke(
        main, ["new", "chat", "Mentors", "--from-archive", str(ARCHIVE), "--source", str(source)]
    )
    assert result.exit_code == 0, result.output
    bundle = source / "content/chats/2012-02-16-mentors"
    text = (bundle / "index.md").read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    rows = list(csv.DictReader(ARCHIVE.open(encoding="utf-8")))
    questions = [r for r in rows if re.match(r"Q\d", r["text"])]
    assert meta["date"] == "2012-02-16T20:00"
    assert meta["hashtag"] == "#chartership"
    assert meta["hosts"] == sorted({f"@{q['from_user']}" for q in questions})
    assert meta["draft"] is True
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert [h.split(":")[0] for h in headings if h.startswith("Q")] == [
        f"Q{n}" for n in range(1, len(questions) + 1)
    ]
    assert headings[-2:] == ["Resources shared", "Next chat"]
    quoted = re.findall(r'\{\{< post "(\d+)" >\}\}', text)
    ids = {r["status_url"].rsplit("/", 1)[1] for r in rows}
    assert quoted and set(quoted) <= ids
    assert (bundle / "posts.json").is_file()
    assert CliRunner().invoke(main, ["check", str(source)]).exit_code == 0
    again = CliRunner().invoke(
        main, ["new", "chat", "Mentors", "--from-archive", str(ARCHIVE), "--source", str(source)]
    )
    assert again.exit_code == 1 and "already exists" in again.output
    assert (bundle / "index.md").read_text() == text


def test_options_override_what_the_archive_says(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    result = CliRunner().invoke(
        main,
        [
            "new",
            "chat",
            "Mentors",
            "--from-archive",
            str(ARCHIVE),
            "--date",
            "2012-02-16T19:55",
            "--duration",
            "90m",
            "--hashtag",
            "#mentors",
            "--source",
            str(source),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (source / "content/chats/2012-02-16-mentors/index.md").read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert (meta["date"], meta["duration"], meta["hashtag"]) == (
        "2012-02-16T19:55",
        "1h30m",
        "#mentors",
    )
