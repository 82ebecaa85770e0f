"""`chatwiki new chat` for a date still to come writes an announcement; for a past
date, a write-up skeleton. Both are read back the way a build reads them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.core.model import Chat, stage
from generator.sources.content import load_chats
from generator.sources.files import read_site_config

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

SERIES = """\
name: "Thursday chat"
hashtag: "#thursdaychat"
start: 2026-11-05T20:00
rrule: FREQ=WEEKLY;BYDAY=TH
hosts: ["@host", "@cohost"]
"""
NOW = "2026-11-20T12:00Z"


def new_chat(source: Path, date: str) -> Path:
    result = CliRunner().invoke(
        main,
        ["new", "chat", "Winter reading", "--date", date, "--hashtag", "#ThursdayChat"]
        + ["--now", NOW, "--source", str(source)],
    )
    assert result.exit_code == 0, result.output
    return source / f"content/chats/{date[:10]}-winter-reading.md"


def loaded(source: Path) -> list[Chat]:
    config, _ = read_site_config(source)
    chats, problems = load_chats(source, config)
    assert not problems
    return list(chats)


def test_a_future_date_makes_an_announcement(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/series/thursday.yaml": SERIES})
    path = new_chat(source, "2026-11-26T20:00")
    text = path.read_text()
    assert "draft: true" not in text
    assert "## First topic" not in text  # no write-up skeleton
    [chat] = loaded(source)
    assert chat.announcement and not chat.draft
    assert chat.hosts == ("@host", "@cohost")  # from the series with the hashtag
    assert stage(chat, datetime(2026, 11, 20, tzinfo=UTC)) == "upcoming"
    # After the chat it is not taken for a write-up.
    assert stage(chat, datetime(2026, 11, 27, tzinfo=UTC)) == "awaiting_write_up"
    assert "Thursday 26 November 2026, 20:00" in text


def test_a_past_date_keeps_the_write_up_skeleton(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    path = new_chat(source, "2026-11-12T20:00")
    assert "draft: true" in path.read_text()
    [chat] = loaded(source)
    assert chat.draft and not chat.announcement
    assert stage(chat, datetime(2026, 11, 20, tzinfo=UTC)) == "written_up"
