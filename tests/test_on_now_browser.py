"""A site built before a chat, read in a real browser while the chat is on and after.

The build decides "upcoming"; chatwiki.js corrects it in the reader's browser for a
site nobody rebuilt. During the chat the home page keeps the chat as its next one,
marked "On now", and the chat page says "On now"; after the end both let it go.
Without JavaScript the pages still show what the build wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, serve
from tests.test_lifecycle import AFTER, BEFORE, DURING, built, site_files

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
CHAT_PAGE = "chats/2026-11-26-winter/"
NEXT_CARD = "section[aria-labelledby='next-chat'] .next-chat"


@pytest.fixture
def before(tmp_site: MakeSite) -> Path:
    return built(tmp_site(site_files()), BEFORE)


@contextmanager
def reader(site: Path, clock: datetime | None, javascript: bool = True) -> Iterator[Any]:
    """A browser page on `site` whose clock says `clock` (None: the real clock)."""
    with serve(site) as base, chromium() as browser:
        context = browser.new_context(java_script_enabled=javascript, base_url=base)
        page = context.new_page()
        if clock is not None:
            page.clock.set_fixed_time(clock)
        yield page


def shown(page: Any, selector: str) -> list[str]:
    found = page.locator(selector)
    return [
        " ".join(found.nth(i).inner_text().split())
        for i in range(found.count())
        if found.nth(i).is_visible()
    ]


def test_during_the_chat_the_home_page_keeps_it_and_says_on_now(before: Path) -> None:
    with reader(before, DURING) as page:
        page.goto("")
        [card] = shown(page, NEXT_CARD)
        assert card.startswith("On now") and "Winter reading" in card
        page.goto(CHAT_PAGE)
        assert shown(page, "p.kicker")[0].startswith("On now")


def test_after_the_chat_the_home_page_lets_it_go(before: Path) -> None:
    with reader(before, AFTER) as page:
        page.goto("")
        assert shown(page, NEXT_CARD) == []
        page.goto(CHAT_PAGE)
        assert "On now" not in shown(page, "p.kicker")[0]
        assert "Upcoming" not in shown(page, "p.kicker")[0]


def test_before_the_chat_and_without_javascript_the_page_is_as_built(before: Path) -> None:
    for clock, javascript in ((BEFORE, True), (DURING, False)):
        with reader(before, clock, javascript) as page:
            page.goto("")
            [card] = shown(page, NEXT_CARD)
            assert card.startswith("Winter reading"), (clock, javascript)
            page.goto(CHAT_PAGE)
            assert shown(page, "p.kicker")[0].startswith("Upcoming chat")
