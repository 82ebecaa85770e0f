"""End to end: the example site's wiki, its links and backlinks, read as a reader would.

The expected backlinks are worked out here from the Markdown sources with the test's
own small reading of `[[...]]`, not by calling the code under test.
"""

import re
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from generator import build
from tests.conftest import NOW, ROOT

LINK = re.compile(r"\[\[([^\[\]|#]*)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")
CODE = re.compile(r"`[^`\n]*`|^(?:```|~~~).*?^(?:```|~~~)", re.M | re.S)


def split(path: Path) -> tuple[dict[str, object], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.casefold()).strip()


def wiki_files() -> list[Path]:
    return sorted((ROOT / "content/wiki").rglob("*.md"))


def wiki_url(path: Path) -> str:
    rel = path.relative_to(ROOT / "content/wiki").with_suffix("").as_posix()
    return f"wiki/{rel.removesuffix('/index')}/"


def chat_files() -> list[Path]:
    chats = ROOT / "content/chats"
    return sorted([*chats.glob("*.md"), *chats.glob("*/index.md")])


def chat_url(path: Path) -> str:
    return f"chats/{path.parent.name if path.name == 'index.md' else path.stem}/"


def pages() -> dict[str, tuple[str, Path]]:
    """url -> (title, source) for every published page that can hold links."""
    found = {}
    for path in wiki_files():
        meta, _ = split(path)
        found[wiki_url(path)] = (str(meta["title"]), path)
    for path in chat_files():
        meta, _ = split(path)
        if not meta.get("draft"):
            found[chat_url(path)] = (str(meta["title"]), path)
    return found


def names() -> dict[str, str]:
    """Every name a link may use -> the URL it means (the example has no clashes)."""
    table: dict[str, str] = {}
    for path in wiki_files():
        meta, _ = split(path)
        url = wiki_url(path)
        for name in [meta["title"], *meta.get("aliases", []), path.stem]:
            table[key(str(name))] = url
    for url, (title, _) in pages().items():
        if url.startswith("chats/"):
            table[key(title)] = url
            table[key(url.split("/")[1])] = url
    site = yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))
    for topic in site.get("topics", []):
        url = f"topics/{topic['slug']}/"
        for name in [topic["name"], topic["slug"], *topic.get("aliases", [])]:
            table[key(str(name))] = url
    for path in sorted((ROOT / "content/series").glob("*.yaml")):
        declared = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name in [declared["name"], path.stem]:
            table[key(f"series:{name}")] = f"series/{path.stem}/"
    return table


def expected_backlinks() -> dict[str, set[str]]:
    """target URL -> titles of the other pages whose source links to it."""
    table = names()
    linking: dict[str, set[str]] = {}
    for url, (title, path) in pages().items():
        _, body = split(path)
        for target in LINK.findall(CODE.sub("", body)):
            resolved = table[key(target)] if target.strip() else url
            if resolved != url:
                linking.setdefault(resolved, set()).add(title)
    return linking


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example-wiki") / "output"
    report = build(ROOT, out, NOW)
    assert [w.format() for w in report.warnings] == []
    return out


def page(out: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


def backlinks_on(out: Path, url: str) -> list[tuple[str, str]]:
    """(title, target URL) of each link under "Pages that link here"."""
    found = []
    for a in page(out, url).xpath("//section[@class='backlinks']//a"):
        target = (out / url / a.get("href")).resolve().relative_to(out.resolve()).as_posix()
        found.append((a.text_content(), target + "/"))
    return found


def test_every_link_in_the_sources_resolves() -> None:
    table = names()
    for _, path in pages().values():
        _, body = split(path)
        for target in LINK.findall(CODE.sub("", body)):
            assert not target.strip() or key(target) in table, f"{path}: [[{target}]]"


@pytest.mark.parametrize("path", wiki_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_backlinks_on_each_wiki_page_list_exactly_the_linking_pages(site: Path, path: Path) -> None:
    url = wiki_url(path)
    titles = {u: t for u, (t, _) in pages().items()}
    wanted = sorted(
        ((title, u) for u, title in titles.items() if title in expected_backlinks().get(url, ())),
        key=lambda pair: (pair[0].casefold(), pair[1]),
    )
    assert backlinks_on(site, url) == wanted


def test_chat_pages_list_the_wiki_pages_that_link_to_them(site: Path) -> None:
    expected = expected_backlinks()
    checked = 0
    for url, _ in pages().items():
        if not url.startswith("chats/"):
            continue
        assert sorted(t for t, _ in backlinks_on(site, url)) == sorted(
            expected.get(url, ()), key=str
        ), url
        checked += bool(expected.get(url))
    assert checked >= 5, "the example's wiki links into its chats"


def test_no_missing_links_and_links_are_relative(site: Path) -> None:
    for html_file in site.rglob("*.html"):
        doc = lxml_html.fromstring(html_file.read_bytes())
        assert not doc.xpath("//a[contains(@class, 'missing')]"), html_file
        for a in doc.xpath("//a[contains(@class, 'wikilink')]"):
            assert not a.get("href").startswith(("/", "http")), html_file
        assert b"chatwiki:wikilink" not in html_file.read_bytes(), html_file


def test_links_to_headings_land_on_an_existing_anchor(site: Path) -> None:
    guide = page(site, "wiki/qualifications/chartership")
    href = guide.xpath("//a[@class='wikilink' and contains(@href, '#')]/@href")
    assert href, "the example links to a heading"
    for h in href:
        target, anchor = h.split("#")
        doc = lxml_html.fromstring(
            (site / "wiki/qualifications/chartership" / target / "index.html").read_bytes()
        )
        assert doc.xpath(f"//*[@id='{anchor}']"), h


def test_the_example_wiki_covers_the_issue(site: Path) -> None:
    organise = page(site, "wiki/how-to-organise-a-chat")
    headings = " ".join(h.text_content().lower() for h in organise.xpath("//h2"))
    for step in ("time", "publicise", "reminders", "host", "archive", "write"):
        assert step in headings, step
    assert page(site, "wiki/etiquette").xpath("//h1")[0].text_content() == "Chat etiquette"
    chartership = page(site, "wiki/qualifications/chartership")
    hrefs = chartership.xpath("//div[@class='prose']//a[@class='wikilink']/@href")
    assert any("/chats/" in h for h in hrefs) and any("/topics/" in h for h in hrefs)


def test_wiki_index_lists_every_page_by_section(site: Path) -> None:
    index = page(site, "wiki")
    listed = index.xpath("//section[contains(@class, 'wiki-section')]//li/a/text()")
    titles = sorted(str(split(p)[0]["title"]) for p in wiki_files())
    assert sorted(listed) == titles
    assert index.xpath("//h2[@id='s-qualifications']/text()") == ["Qualifications"]


def test_wiki_page_has_contents_from_its_headings(site: Path) -> None:
    doc = page(site, "wiki/how-to-organise-a-chat")
    toc = doc.xpath("//nav[@class='toc']//a")
    headings = doc.xpath("//div[@class='prose']/h2")
    assert [a.text_content() for a in toc] == [h.text_content() for h in headings]
    assert [a.get("href") for a in toc] == [f"#{h.get('id')}" for h in headings]
