"""Site search: build the example site and read its Pagefind bundle as a browser would."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from generator import build
from generator.core.errors import OutputError
from generator.publish.search import search_language
from tests.browser import chromium, serve
from tests.conftest import MINIMAL_SITE_YAML, NOW, ROOT, chat_md


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "output"
    build(ROOT, out, NOW)
    return out


def doc(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def pagefind_files(site: Path) -> dict[str, bytes]:
    """Every file of the bundle as the browser reads it: Pagefind's own data files
    (.pf_meta, .pf_index, .pf_fragment, .pf_filter) are gzip."""
    files = {}
    for f in sorted((site / "pagefind").rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            files[f.relative_to(site).as_posix()] = (
                gzip.decompress(data) if f.suffix.startswith(".pf_") else data
            )
    return files


def indexed_pages(site: Path) -> dict[str, dict[str, object]]:
    """url -> the fragment Pagefind stores for it (content, meta, ...)."""
    pages = {}
    for path, data in pagefind_files(site).items():
        if path.endswith(".pf_fragment"):
            assert data.startswith(b"pagefind_dcd")
            fragment = json.loads(data.removeprefix(b"pagefind_dcd"))
            pages[fragment["url"]] = fragment
    return pages


def test_bundle_is_written_inside_the_output(site: Path) -> None:
    for name in ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css"):
        assert (site / "pagefind" / name).is_file(), name
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"], "one index for the site, in its language"
    assert entry["languages"]["en"]["page_count"] == len(indexed_pages(site))


def test_only_write_ups_topics_wiki_and_series_are_indexed(site: Path) -> None:
    pages = indexed_pages(site)
    expected = {
        "/" + f.parent.relative_to(site).as_posix() + "/"
        for f in site.rglob("index.html")
        if f.relative_to(site).parts[0] in ("chats", "topics", "wiki", "series")
        and doc(f).xpath("//main[@data-pagefind-body]")
    }
    assert set(pages) == expected
    kinds = {url: page["meta"]["kind"] for url, page in pages.items()}  # type: ignore[index]
    assert kinds["/topics/reflective-practice/"] == "Topic"
    assert {"Chat", "Topic", "Wiki", "Series"} <= set(kinds.values())
    for listing in ("/", "/chats/", "/topics/", "/wiki/", "/calendar/", "/search/"):
        assert listing not in pages, f"{listing} is a list, not something to find"
    assert not [u for u in pages if u.startswith("/calendar/") or "/conversation/" in u]


def test_results_have_the_page_title_and_leave_out_the_archive(site: Path) -> None:
    pages = indexed_pages(site)
    topic = pages["/topics/reflective-practice/"]
    assert topic["meta"]["title"] == "Reflective practice"  # type: ignore[index]
    chat = pages["/chats/2012-02-16-mentors/"]
    title = doc(site / "chats/2012-02-16-mentors/index.html").findtext(".//h1").strip()
    assert chat["meta"]["title"] == title  # type: ignore[index]
    # The conversation (thousands of posts on a big chat) and the page's git footer
    # are data-pagefind-ignore: the write-up is what a search should find.
    assert "The conversation" not in str(chat["content"])
    assert "Archived posts from" not in str(chat["content"])


def test_search_page_loads_only_our_own_files(site: Path) -> None:
    page = site / "search/index.html"
    tree = doc(page)
    loaded = tree.xpath("//script/@src | //link[@rel='stylesheet']/@href")
    assert "../pagefind/pagefind-ui.js" in loaded
    assert "../pagefind/pagefind-ui.css" in loaded
    for url in loaded:
        assert "//" not in url and not url.startswith("/"), f"search page loads {url}"
        assert (page.parent / url).resolve().is_file(), f"search page loads missing {url}"


def test_search_page_without_javascript_says_so_and_offers_the_lists(site: Path) -> None:
    tree = doc(site / "search/index.html")
    main = tree.xpath("//main")[0]
    assert "Search needs JavaScript" in main.text_content()
    assert {"../topics/", "../chats/"} <= set(main.xpath(".//a/@href"))


def test_every_page_has_search_in_the_nav(site: Path) -> None:
    for url in ("", "chats/", "topics/reflective-practice/"):
        nav = doc(site / url / "index.html").xpath("//nav[@aria-label='Site']//a")
        assert "Search" in [a.text_content() for a in nav], url


def test_opted_out_participants_are_not_in_the_search_index(site: Path) -> None:
    settings = yaml.safe_load((ROOT / "site.yaml").read_text())
    opted_out = [h.lstrip("@").split("@")[0].lower() for h in settings["privacy"]["opt_out"]]
    assert opted_out
    files = pagefind_files(site)
    assert any(p.endswith(".pf_fragment") for p in files)
    for path, data in files.items():
        for handle in opted_out:
            assert handle.encode() not in data.lower(), f"{handle} is in {path}"


def test_two_builds_are_byte_identical_including_the_index(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "output"
    build(ROOT, again, NOW)

    def tree(root: Path) -> dict[str, bytes]:
        return {
            f.relative_to(root).as_posix(): f.read_bytes() for f in root.rglob("*") if f.is_file()
        }

    first, second = tree(site), tree(again)
    assert any(p.startswith("pagefind/fragment/") for p in first)
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_search_false_builds_no_index_no_page_and_no_nav_entry(
    tmp_site: Callable[[Mapping[str, str | bytes]], Path], tmp_path: Path
) -> None:
    source = tmp_site(
        {
            "site.yaml": MINIMAL_SITE_YAML + "search: false\n",
            "content/chats/2012-02-16.md": chat_md(),
        }
    )
    out = tmp_path / "output"
    build(source, out, NOW)
    assert not (out / "pagefind").exists()
    assert not (out / "search").exists()
    chat = doc(out / "chats/2012-02-16/index.html")
    assert "Search" not in [a.text_content() for a in chat.xpath("//nav//a")]
    assert not chat.xpath("//*[@data-pagefind-body]")


def test_a_failed_index_keeps_the_previous_site(
    tmp_site: Callable[[Mapping[str, str | bytes]], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_site({"content/chats/2012-02-16.md": chat_md(title="First")})
    out = tmp_path / "output"
    build(source, out, NOW)
    before = (out / "chats/2012-02-16/index.html").read_bytes()
    (source / "content/chats/2012-02-16.md").write_text(chat_md(title="Second"))
    # Where Pagefind looks first for its binary: here, nowhere.
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(OutputError, match="search index"):
        build(source, out, NOW)
    assert (out / "chats/2012-02-16/index.html").read_bytes() == before
    assert (out / "pagefind/pagefind-entry.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".output")) == [
        ".output.lock"
    ], "no staging directory is left behind"


@pytest.mark.parametrize(("tag", "code"), [("en-GB", "en"), ("pt", "pt"), ("zh-Hant-TW", "zh")])
def test_search_language_is_the_primary_subtag(tag: str, code: str) -> None:
    assert search_language(tag) == code


# --- in a real browser ------------------------------------------------------------------


def test_searching_a_topic_name_in_the_browser_finds_its_page(site: Path) -> None:
    with serve(site) as base, chromium() as browser:
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "search/")
        page.wait_for_selector(".pagefind-ui__search-input")
        assert page.locator("[data-search-needs-js]").is_hidden()
        page.fill(".pagefind-ui__search-input", "Reflective practice")
        page.wait_for_selector(".pagefind-ui__result-link")
        links = page.eval_on_selector_all(
            ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))"
        )
        assert "/topics/reflective-practice/" in links
        assert page.locator(".pagefind-ui__result-link").first.inner_text() == (
            "Reflective practice"
        )
        assert errors == []
        assert requested and all(u.startswith(base) for u in requested), requested


def test_search_works_when_the_site_is_served_under_a_sub_path(site: Path, tmp_path: Path) -> None:
    """Pagefind's result links start at the bundle's folder, not at the host root."""
    (tmp_path / "sub").symlink_to(site, target_is_directory=True)
    with serve(tmp_path) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "sub/search/")
        page.fill(".pagefind-ui__search-input", "Reflective practice")
        page.wait_for_selector(".pagefind-ui__result-link")
        links = page.eval_on_selector_all(
            ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))"
        )
        assert "/sub/topics/reflective-practice/" in links


def test_indexing_called_off_stops_pagefind_and_leaves_no_bundle(
    tmp_site: Callable[[Mapping[str, str | bytes]], Path], tmp_path: Path
) -> None:
    """serve calls a search index off when the pages change again: Pagefind is
    stopped, nothing is left half-written, and an index not called off is whole."""
    import threading

    from generator.publish import search

    source = tmp_site({"content/chats/a.md": chat_md(title="Mentors")})
    out = tmp_path / "out"
    build(source, out, NOW)
    called_off = threading.Event()
    called_off.set()
    with pytest.raises(search.Cancelled):
        search.index_site(out, "en", tmp_path / "bundle", cancel=called_off)
    assert not (tmp_path / "bundle" / "pagefind-entry.json").exists()
    search.index_site(out, "en", tmp_path / "whole", cancel=threading.Event())
    search.verify_bundle(tmp_path / "whole")
