"""Write-up and wiki validation: file:line:key messages, all errors collected."""

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

import pytest

from generator import ContentError, load_site
from generator.sources.config import parse_config
from generator.sources.content import parse_chat
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md

CONFIG, _ = parse_config(MINIMAL_SITE_YAML)
assert CONFIG is not None
PATH = "content/chats/2012-02-16-mentors.md"

MakeSite = Callable[[Mapping[str, str | bytes]], Path]


def errors_for(text: str, path: str = PATH, files: frozenset[str] = frozenset()) -> list[str]:
    chat, diagnostics = parse_chat(path, text, CONFIG, files)
    return [d.format() for d in diagnostics]


def test_valid_chat_in_site_timezone() -> None:
    chat, diagnostics = parse_chat(
        PATH, chat_md(date="2012-06-14T20:00", duration="90m"), CONFIG, frozenset()
    )
    assert diagnostics == []
    assert chat is not None
    assert chat.slug == "2012-02-16-mentors"
    assert chat.start.isoformat() == "2012-06-14T20:00:00+01:00"  # BST in June
    assert chat.duration == timedelta(minutes=90)


def test_bad_date_message_names_file_line_key_and_value() -> None:
    text = '---\ntitle: "Mentors"\nhashtag: "#chartership"\ndate: next thurs\n---\nBody\n'
    assert errors_for(text) == [
        f"{PATH}:4: date: expected an ISO date and time like 2012-02-16T20:00 "
        '(optionally with +01:00), got "next thurs"'
    ]


def test_every_problem_in_one_file_is_reported() -> None:
    text = (
        "---\ntitle: Mentors\ndate: 2012-02-16T20:00\nduraton: 1h\ndraft: yes\nhosts: {a: 1}\n---\n"
    )
    assert errors_for(text) == [
        f"{PATH}:4: duraton: unknown key; expected one of announced, announcement, archive, "
        "date, draft, duration, end, hashtag, hosts, series, summary, title, topics "
        "(did you mean 'duration'?)",
        f'{PATH}:5: draft: expected true or false, got "yes"',
        f"{PATH}:6: hosts: expected a list of names, like [Anna, Tom], got a mapping",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"date": "2013-03-31T01:30"}, "a time that exists in Europe/London"),
        ({"date": "2012-02-16"}, "an ISO date and time"),
        ({"end": "2012-02-16T19:00"}, "expected a time after the start"),
        ({"end": "2012-02-16T21:00", "duration": "1h"}, "either end or duration"),
        ({"duration": "forever"}, "a duration like 1h, 90m or 1h30m"),
        ({"hashtag": '"not a tag"'}, "a hashtag like #chartership"),
        ({"archive": "../../../etc/passwd"}, "expected a path inside content/chats/"),
        ({"archive": "missing.csv"}, "archive file not found"),
    ],
)
def test_invalid_values(extra: dict[str, str], expected: str) -> None:
    fields = {"date": "2012-02-16T20:00", **extra}
    date = fields.pop("date")
    messages = errors_for(chat_md(date=date, **fields))
    assert len(messages) == 1, messages
    assert expected in messages[0]
    assert messages[0].startswith(f"{PATH}:")


def test_missing_front_matter_and_unclosed_front_matter() -> None:
    assert errors_for("# Just a heading\n") == [
        f"{PATH}:1: expected front matter: the file must start with a line '---'"
    ]
    assert errors_for("---\ntitle: x\n") == [
        f"{PATH}:1: front matter is not closed: add a line '---' after it"
    ]


@pytest.mark.parametrize("announced", ["0005-01-01", "0005-01-01T10:00"])
def test_a_date_and_a_date_time_obey_the_same_year_bound(announced: str) -> None:
    # Regression: `announced: 0005-01-01` was accepted, `0005-01-01T10:00` refused.
    assert errors_for(chat_md(announced=announced)) == [
        f'{PATH}:4: announced: expected a year between 1900 and 2200, got "{announced}"'
    ]


def test_file_name_must_be_a_slug() -> None:
    messages = errors_for(chat_md(), path="content/chats/My Chat.md")
    assert messages == [
        "content/chats/My Chat.md: file name 'My Chat' is not a URL slug; expected lowercase "
        "letters, digits and hyphens, like 'my-chat'"
    ]


def test_heading_lines_are_file_lines() -> None:
    chat, _ = parse_chat(
        PATH, chat_md(body="Intro\n\n## Choosing a mentor\n\nText\n"), CONFIG, frozenset()
    )
    assert chat is not None
    heading = chat.body.toc[0]
    assert (heading.title, heading.anchor, heading.line) == (
        "Choosing a mentor",
        "choosing-a-mentor",
        7,
    )


def test_errors_from_all_files_are_collected(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.md": chat_md(date="soon"),
            "content/chats/b.md": chat_md(),  # fine
            "content/chats/c/index.md": chat_md(titel="x"),
            "content/wiki/guide.md": "---\nsummary: no title\n---\n",
        }
    )
    with pytest.raises(ContentError) as exc:
        load_site(source, NOW)
    found = [(d.path, d.key) for d in exc.value.diagnostics]
    assert found == [
        ("content/chats/a.md", "date"),
        ("content/chats/c/index.md", "titel"),
        ("content/wiki/guide.md", "title"),
    ]
    assert str(exc.value).endswith("3 errors found; nothing was written.")


def test_bundle_archive_and_duplicate_slug(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/x/index.md": chat_md(),
            "content/chats/x/notes.txt": "bundle files other than index.md are not chats",
            "content/chats/x.md": chat_md(),
        }
    )
    with pytest.raises(ContentError) as exc:
        load_site(source, NOW)
    (problem,) = exc.value.diagnostics
    assert "defined twice" in problem.message


def test_drafts_are_validated_but_not_published(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {"content/chats/a.md": chat_md(draft="true"), "content/chats/b.md": chat_md()}
    )
    site, _ = load_site(source, NOW)
    assert [c.slug for c in site.chats] == ["b"]
    site, _ = load_site(source, NOW, drafts=True)
    assert [c.slug for c in site.chats] == ["a", "b"]


def test_markdown_files_that_are_not_read_are_warned(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.MD": chat_md(),
            "content/chats/b/notes.md": "notes",
            "content/chats/b/index.md": chat_md(),
            "content/chats/c/d/index.md": chat_md(),
        }
    )
    site, diagnostics = load_site(source, NOW)
    assert [c.slug for c in site.chats] == ["b"]
    assert sorted(d.path for d in diagnostics if d.severity == "warning") == [
        "content/chats/a.MD",
        "content/chats/b/notes.md",
        "content/chats/c/d/index.md",
    ]
