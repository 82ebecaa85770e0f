"""The preview's quick page: an edited write-up's page made at once from the last plan.

What matters to the organiser: the page made at once is the very page the full
rebuild makes (else the browser would show one thing, then another), and an edit
it cannot show exactly is left to the rebuild rather than shown wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import Prepared, build
from generator.serve.quick import quick_pages
from tests.conftest import NOW, copy_example_site

CHAT = "content/chats/2012-05-17-beyond-description.md"
BUNDLE = "content/chats/2012-02-16-mentors/index.md"  # a chat with an archive
UPCOMING = "content/chats/2027-01-14-new-year-new-portfolio.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example_site(tmp_path / "site")


def planned(site: Path, out: Path) -> Prepared:
    kept: list[Prepared] = []
    build(site, out, NOW, drafts=True, keep=kept.append)
    assert len(kept) == 1
    return kept[0]


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("rel", "old", "new", "shown"),
    [
        (CHAT, "Nineteen people took part", "Twenty-one people took part", "Twenty-one"),
        # A new line above the body's wiki link and headings: their lines move.
        (CHAT, "Reflection came top", "A note first.\n\nReflection came top", "A note first"),
        (BUNDLE, "\n## ", "\nAn added paragraph, with *emphasis*.\n\n## ", "<em>emphasis"),
        # The summary shows on other pages, which the rebuild remakes.
        (CHAT, 'summary: "How to stop', 'summary: "Learn how to stop', "Learn how to stop"),
        # A chat to come: its "add to calendar" link carries the summary too.
        (UPCOMING, 'summary: "A January chat', 'summary: "A new-year chat', "A new-year chat"),
    ],
)
def test_an_edit_of_the_text_makes_the_page_the_rebuild_makes(
    site: Path, tmp_path: Path, rel: str, old: str, new: str, shown: str
) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, rel, old, new)
    made = quick_pages(prepared, site, [rel])
    assert made is not None and len(made) == 1
    ((path, data),) = made.items()
    build(site, tmp_path / "out", NOW, drafts=True)
    assert data == (tmp_path / "out" / path).read_bytes()
    assert shown.encode() in data


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('title: "Beyond description', 'title: "Past description'),  # on other pages
        ("date: 2012-05-17T20:00", "date: 2012-05-18T20:00"),  # moves it in the calendar
        ("topics: [reflective-practice, evidence]", "topics: [evidence]"),
        ("## Reflective practice", "## Practising reflection"),  # topic sections
        ("[[Finding and working with a mentor|", "[[Chartership|"),  # another link target
        # A heading links may name (`[[#...]]` here or from another page), at any level.
        ("\n## Reflective practice", "\n### A subheading\n\n## Reflective practice"),
        ("date: 2012-05-17T20:00+01:00", "date: not a date"),  # an error: the rebuild says
    ],
)
def test_an_edit_that_moves_the_chat_waits_for_the_rebuild(
    site: Path, tmp_path: Path, old: str, new: str
) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, CHAT, old, new)
    assert quick_pages(prepared, site, [CHAT]) is None


def test_any_other_change_waits_for_the_rebuild(site: Path, tmp_path: Path) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, CHAT, "Nineteen", "Twenty")
    base = site / "themes/default/templates/base.html"
    base.write_text(base.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert quick_pages(prepared, site, [CHAT, "themes/default/templates/base.html"]) is None
    assert quick_pages(prepared, site, [CHAT, "site.yaml"]) is None
    (site / "content/chats/2030-01-01-new.md").write_text("---\ntitle: New\n---\n")
    assert quick_pages(prepared, site, [CHAT, "content/chats/2030-01-01-new.md"]) is None
    assert quick_pages(prepared, site, ["content/wiki/index.md"]) is None


def test_a_swap_file_gone_by_the_time_it_is_seen_is_passed_over(site: Path, tmp_path: Path) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, CHAT, "Nineteen", "Twenty")
    (site / "content/chats/.beyond.md.swp").write_text("vim's, open all along")
    made = quick_pages(prepared, site, [CHAT, "content/chats/.beyond.md.swp", "content/chats/4913"])
    assert (
        made is not None
        and b"Twenty people" in made["chats/2012-05-17-beyond-description/index.html"]
    )


WIKI = "content/wiki/etiquette.md"


def test_a_wiki_page_edit_of_the_text_makes_the_page_the_rebuild_makes(
    site: Path, tmp_path: Path
) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, WIKI, "Our chats are friendly", "Our chats are very friendly")
    made = quick_pages(prepared, site, [WIKI])
    assert made is not None
    ((path, data),) = made.items()
    assert path == "wiki/etiquette/index.html" and b"very friendly" in data
    build(site, tmp_path / "out", NOW, drafts=True)
    assert data == (tmp_path / "out" / path).read_bytes()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('title: "Chat etiquette"', 'title: "Chat manners"'),  # how links name it
        ("aliases: [Etiquette]", "aliases: [Manners]"),
        ("## Use the hashtag on every post", "## Always use the hashtag"),  # anchors
    ],
)
def test_a_wiki_page_edit_that_moves_it_waits_for_the_rebuild(
    site: Path, tmp_path: Path, old: str, new: str
) -> None:
    prepared = planned(site, tmp_path / "out")
    edit(site, WIKI, old, new)
    assert quick_pages(prepared, site, [WIKI]) is None
