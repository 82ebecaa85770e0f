"""`language:` in site.yaml: the theme's words and its dates follow the site's language.

English and Welsh are shipped; a language with no catalogue gets the theme in
English, marked as English, with the writing marked in the site's language.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html as lxml_html

from generator import ContentError, build
from generator.output.render import format_datetime
from generator.publish.search import search_language
from tests.browser import chromium, serve
from tests.conftest import NOW, ROOT, chat_md

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


# --- the catalogue --------------------------------------------------------------------

LOCALES = ROOT / "themes/default/locales"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def catalogue(name: str) -> Catalog:
    with (LOCALES / name).open("rb") as f:
        return read_po(f)


def msgids(cat: Catalog) -> dict[str, Message]:
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in cat if m.id}


def test_the_english_template_lists_every_string_the_theme_and_nav_use() -> None:
    """messages.pot is what translators work from: it must be current."""
    with (LOCALES / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }
    assert {"Home", "Subscribe", "On now", "(%(time)s your time)"} <= found
    assert found == set(msgids(catalogue("messages.pot"))), (
        "run the README's `pybabel extract` command to update messages.pot"
    )


def test_welsh_translates_every_string_and_keeps_its_placeholders() -> None:
    english = msgids(catalogue("messages.pot"))
    welsh = msgids(catalogue("cy.po"))
    assert set(welsh) == set(english)
    for key, message in welsh.items():
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and "fuzzy" not in message.flags, key
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(source)), key
            assert re.findall(r"</?\w+", form) == re.findall(
                r"</?\w+", message.id[0] if isinstance(message.id, tuple) else message.id
            ), key


# Names Welsh writes as English does: products and formats.
KEPT_NAMES = {"Apple Calendar, Outlook, Thunderbird", "Google Calendar", "GIF", "RSS", "Atom"}


def english_fragments() -> list[str]:
    """The English words of the catalogue, between its placeholders and tags."""
    fragments = set()
    for message in msgids(catalogue("messages.pot")).values():
        forms = message.id if isinstance(message.id, tuple) else (message.id,)
        for form in forms:
            for piece in re.split(r"%\([a-z_]+\)s|<[^>]*>|\[[A-Z_]+\]", form):
                piece = piece.strip(" .,:;()@#·→←-")
                if re.search(r"[A-Za-z]{2}", piece) and piece not in KEPT_NAMES:
                    fragments.add(piece)
    return sorted(fragments)


# Text a reader wrote or a participant posted: English in the example site, not UI.
CONTENT = (
    "//*[contains(@class, 'prose')] | //article[contains(@class, 'post ')]"
    " | //figure[contains(@class, 'post-quote')] | //h1 | //*[contains(@class, 'lede')]"
    " | //*[@class='site-title'] | //footer[@class='site-footer']//p[1]"
    " | //*[contains(@class, 'hashtag')] | //*[@class='description']"
    # Headings of the writing, and the titles of pages that link here or come next.
    " | //nav[contains(@class, 'toc')]//li | //section[@class='backlinks']//li/a"
    " | //nav[@class='pager']/a | //*[contains(@class, 'page-list')]//a"
)


def ui_text(doc: lxml_html.HtmlElement) -> tuple[str, list[str]]:
    """The page's text outside the writing (one string), and its separate text nodes,
    including the names and descriptions that only assistive technology reads."""
    # A write-up's page is titled by the writing, which heads it: its <h1>.
    headings = [h.text_content() for h in doc.xpath("//h1")]
    for element in doc.xpath(CONTENT):
        if element.getparent() is not None:
            element.drop_tree()
    nodes = [" ".join(t.split()) for t in doc.xpath("//body//text()")]
    attributes = doc.xpath("//@aria-label | //@title | //@data-pagefind-meta")
    attributes += [
        functools.reduce(lambda text, h: text.replace(h, ""), headings, t)
        for t in doc.xpath("//title/text()")
    ]
    nodes += [" ".join(str(a).split()) for a in attributes]
    return " ".join(n for n in nodes if n), [n for n in nodes if n]


@pytest.fixture(scope="module")
def welsh_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's example site, with `language: cy`."""
    source = tmp_path_factory.mktemp("welsh") / "site"
    shutil.copytree(ROOT / "content", source / "content")
    yaml = (ROOT / "site.yaml").read_text(encoding="utf-8")
    assert "language: en-GB\n" in yaml
    (source / "site.yaml").write_text(yaml.replace("language: en-GB\n", "language: cy\n"))
    build(source, source / "output", NOW)
    return source / "output"


def test_a_welsh_build_shows_no_english_ui_strings(welsh_site: Path) -> None:
    fragments = english_fragments()
    assert len(fragments) > 100
    pages = sorted(welsh_site.rglob("*.html"))
    assert len(pages) > 50
    found: dict[str, set[str]] = {}
    for path in pages:
        doc = lxml_html.fromstring(path.read_bytes())
        assert doc.get("lang") == "cy", path
        text, nodes = ui_text(doc)
        for fragment in fragments:
            # One word ("When", "Posts") only counts as a whole label; a phrase anywhere.
            hit = fragment in nodes if " " not in fragment else fragment in text
            if hit:
                found.setdefault(fragment, set()).add(str(path.relative_to(welsh_site)))
    assert found == {}


def test_a_welsh_build_has_welsh_dates_labels_and_search(welsh_site: Path) -> None:
    chat = page(welsh_site, "chats/2012-02-16-mentors")
    start = chat.xpath("//time[contains(@class, 'dt-start')]")[0].text_content()
    assert start == "Dydd Iau, 16 Chwefror 2012, 20:00 GMT"
    nav = [a.text_content() for a in chat.xpath("//nav[@aria-label='Gwefan']//a")]
    assert nav == ["Hafan", "Sgyrsiau", "Calendr", "Pynciau", "Wici", "Chwilio"]
    month = page(welsh_site, "calendar/2012/02")
    assert month.xpath("//h1")[0].text_content() == "Chwefror 2012"
    assert [th.text_content() for th in month.xpath("//thead//abbr")][:2] == ["Llun", "Maw"]
    search = page(welsh_site, "search")
    words = json.loads(search.xpath("//*[@data-search-ui]")[0].get("data-search-translations"))
    assert words["placeholder"] == "Chwilio"
    # Pagefind has no Welsh stemmer: the index is still written, under Welsh.
    entry = json.loads((welsh_site / "pagefind/pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["cy"]
    assert search_language("cy-GB") == "cy"


def test_an_english_build_keeps_its_english(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md()})
    build(source, source / "output", NOW)
    doc = page(source / "output", "chats/a")
    assert doc.get("lang") == "en-GB"
    assert doc.xpath("//nav[@aria-label='Site']//a")[0].text_content() == "Home"
    assert doc.xpath("//dt")[0].text_content() == "When"
    assert doc.xpath("//*[contains(@class, 'prose')]")[0].get("lang") is None


def test_a_language_without_a_catalogue_gets_english_marked_as_english(
    tmp_site: MakeSite,
) -> None:
    source = tmp_site({"site.yaml": site_yaml("fr"), "content/chats/a.md": chat_md()})
    build(source, source / "output", NOW)
    doc = page(source / "output", "chats/a")
    assert doc.get("lang") == "en", "the theme's words are English, and say so"
    assert doc.xpath("//dt")[0].text_content() == "When"
    start = doc.xpath("//time[contains(@class, 'dt-start')]")[0].text_content()
    assert start == "Thursday 16 February 2012, 20:00 GMT", "dates are the theme's words too"
    assert doc.xpath("//*[contains(@class, 'prose')]")[0].get("lang") == "fr"
    assert doc.xpath("//h1")[0].get("lang") == "fr"
    assert doc.xpath("//meta[@property='og:locale']")[0].get("content") == "fr"


def test_a_site_theme_can_add_a_language_and_reword_the_default(tmp_site: MakeSite) -> None:
    po = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "When"\nmsgstr "Quand"\n'
    source = tmp_site(
        {
            "site.yaml": site_yaml("fr") + "theme: mine\n",
            "content/chats/a.md": chat_md(),
            "themes/mine/locales/fr.po": po,
        }
    )
    build(source, source / "output", NOW)
    doc = page(source / "output", "chats/a")
    assert doc.get("lang") == "fr"
    assert doc.xpath("//dt")[0].text_content() == "Quand"
    home = doc.xpath("//nav[@aria-label='Site']//a")[0].text_content()
    assert home == "Home", "a string the site's catalogue leaves out stays English"
    start = doc.xpath("//time[contains(@class, 'dt-start')]")[0].text_content()
    assert start == "jeudi 16 février 2012, 20:00 GMT"


def test_a_broken_site_catalogue_names_its_file(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": site_yaml("fr") + "theme: mine\n",
            "content/chats/a.md": chat_md(),
            "themes/mine/locales/fr.po": (
                'msgid "When"\nmsgstr "Quand"\n\n'
                'msgid "Page %(number)s of %(count)s"\nmsgstr "Page %(nombre)s sur %(count)s"\n'
            ),
        }
    )
    with pytest.raises(ContentError) as caught:
        build(source, source / "output", NOW)
    assert "themes/mine/locales/fr.po:4" in str(caught.value)
    assert not (source / "output").exists()


def test_a_site_template_without_the_i18n_functions_still_works(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": site_yaml("cy"),
            "content/chats/a.md": chat_md(title="Mentora"),
            "themes/default/templates/chat.html": (
                '{% extends "base.html" %}{% block content %}'
                '<p id="custom">{{ config.language }}: {{ chat.title }}, '
                "{{ chat.start | datetime }}</p>{% endblock %}"
            ),
        }
    )
    build(source, source / "output", NOW)
    doc = page(source / "output", "chats/a")
    assert (
        doc.get_element_by_id("custom").text == "cy: Mentora, Dydd Iau, 16 Chwefror 2012, 20:00 GMT"
    )


def test_welsh_search_finds_pages_and_speaks_welsh_in_the_browser(welsh_site: Path) -> None:
    with serve(welsh_site) as base, chromium() as browser:
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(base + "search/")
        box = tab.wait_for_selector(".pagefind-ui__search-input")
        assert box is not None and box.get_attribute("placeholder") == "Chwilio"
        tab.fill(".pagefind-ui__search-input", "Reflective practice")
        tab.wait_for_selector(".pagefind-ui__result-link")
        links = tab.eval_on_selector_all(
            ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))"
        )
        assert "/topics/reflective-practice/" in links
        message = tab.locator(".pagefind-ui__message").inner_text()
        assert "canlyniad ar gyfer" in message, message
        tab.fill(".pagefind-ui__search-input", "zzzqqq")
        tab.wait_for_function(
            "document.querySelector('.pagefind-ui__message')?.innerText.startsWith('Dim')"
        )
        assert errors == []
