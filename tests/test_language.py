"""`language:` in site.yaml: the theme's words and its dates follow the site's language.

English and Welsh are shipped; a language with no catalogue gets the theme in
English, marked as English, with the writing marked in the site's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from generator.output.render import format_datetime

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
LONDON = ZoneInfo("Europe/London")
WINTER = datetime(2012, 2, 16, 20, 0, tzinfo=LONDON)
SUMMER = datetime(2012, 9, 20, 20, 0, tzinfo=LONDON)


def site_yaml(language: str) -> str:
    return (
        f"title: Test Chat\nbase_url: https://chat.example.org/\n"
        f"timezone: Europe/London\nlanguage: {language}\n"
    )


def page(out: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "en-GB", "en-US"])
def test_english_dates_read_as_they_always_have(language: str) -> None:
    assert format_datetime(WINTER, "long", language) == "Thursday 16 February 2012, 20:00 GMT"
    assert format_datetime(SUMMER, "long", language) == "Thursday 20 September 2012, 20:00 BST"
    assert format_datetime(WINTER, "date", language) == "Thursday 16 February 2012"
    assert format_datetime(WINTER, "day", language) == "16 February 2012"
    assert format_datetime(WINTER, "short", language) == "16 Feb 2012"
    assert format_datetime(WINTER, "time", language) == "20:00 GMT"
    assert format_datetime(date(2012, 2, 1), "month_year", language) == "February 2012"


def test_british_english_abbreviates_september_as_britons_do() -> None:
    # CLDR's en-GB data: a deliberate change from the C library's "Sep".
    assert format_datetime(SUMMER, "short", "en-GB") == "20 Sept 2012"
    assert format_datetime(SUMMER, "short", "en") == "20 Sep 2012"


def test_welsh_dates_are_welsh() -> None:
    assert format_datetime(WINTER, "long", "cy") == "Dydd Iau, 16 Chwefror 2012, 20:00 GMT"
    assert format_datetime(WINTER, "date", "cy-GB") == "Dydd Iau, 16 Chwefror 2012"
    assert format_datetime(SUMMER, "day", "cy") == "20 Medi 2012"
    assert format_datetime(date(2012, 2, 1), "month", "cy") == "Chwefror"
    assert format_datetime(date(2012, 2, 1), "month_year", "cy") == "Chwefror 2012"


def test_other_languages_keep_their_own_order() -> None:
    assert format_datetime(WINTER, "date", "de") == "Donnerstag, 16. Februar 2012"
    assert format_datetime(WINTER, "date", "fr") == "jeudi 16 février 2012"


def test_a_language_cldr_does_not_know_gets_english_dates() -> None:
    assert format_datetime(WINTER, "long", "tlh") == "Thursday 16 February 2012, 20:00 GMT"


def test_a_date_format_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown date format"):
        format_datetime(WINTER, "longest", "en")
