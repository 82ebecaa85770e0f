"""The link index: how `[[...]]` resolves, what is reported, and backlinks.

Unit tests build the index from parsed pages (explicit inputs, no I/O); the CLI tests
build throw-away sites to check the messages and exit codes an organiser sees.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html

from generator.cli import main
from generator.core.model import Chat, Series, WikiPage
from generator.index.wiki import (
    LinkIndex,
    ResolvedLink,
    breadcrumbs,
    build_link_index,
    chat_target,
    link_sources,
    link_targets,
    normalise,
    rewrite_links,
    wiki_sections,
)
from generator.sources.config import parse_config
from generator.sources.content import parse_chat, parse_wiki_page
from tests.conftest import MINIMAL_SITE_YAML, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

SITE_YAML = (
    MINIMAL_SITE_YAML
    + """\
topics:
  - name: Choosing a mentor
    slug: mentoring
    aliases: [Finding a mentor, Mentors]
  - name: Revalidation
"""
)
CONFIG, _ = parse_config(SITE_YAML)
assert CONFIG is not None


def wiki_md(title: str, body: str = "Text.\n", aliases: str | None = None) -> str:
    lines = ["---", f'title: "{title}"']
    if aliases:
        lines.append(f"aliases: {aliases}")
    return "\n".join([*lines, "---", body])


def page(path: str, title: str, body: str = "Text.\n", aliases: str | None = None) -> WikiPage:
    parsed, problems = parse_wiki_page(path, wiki_md(title, body, aliases))
    assert parsed is not None, problems
    return parsed


def chat(slug: str, title: str, body: str = "Hello.\n", draft: bool = False) -> Chat:
    extra = {"draft": "true"} if draft else {}
    parsed, problems = parse_chat(
        f"content/chats/{slug}.md", chat_md(title=title, body=body, **extra), CONFIG, frozenset()
    )
    assert parsed is not None, problems
    return parsed


def series(slug: str, name: str, hashtag: str | None = None) -> Series:
    london = ZoneInfo("Europe/London")
    return Series(
        slug=slug,
        source_path=f"content/series/{slug}.yaml",
        name=name,
        hashtag=hashtag,
        description="",
        timezone=london,
        start=datetime(2012, 1, 12, 20, 0, tzinfo=london),
        duration=timedelta(hours=1),
        rrule="FREQ=MONTHLY;BYDAY=2TH",
    )


ETIQUETTE = page(
    "content/wiki/etiquette.md",
    "Chat etiquette",
    "Intro.\n\n## Privacy and the archive\n\nText.\n\n## Privacy and the archive\n\nAgain.\n",
    aliases="[Etiquette, House rules]",
)
GUIDE = page(
    "content/wiki/guides/how-to-organise-a-chat.md",
    "How to organise a chat",
    "## Archive the posts\n\nText.\n",
)
MENTORS = chat(
    "2012-02-16-mentors", "Finding and working with a mentor", "## Working with your mentor\n"
)


def index_for(
    body: str, extra_pages: Sequence[WikiPage] = (), series: Sequence[Series] = ()
) -> LinkIndex:
    """The index of a site whose page content/wiki/source.md holds `body`."""
    source = page("content/wiki/source.md", "Source page", body)
    pages = (ETIQUETTE, GUIDE, source, *extra_pages)
    return build_link_index(
        link_targets(pages, (MENTORS,), CONFIG.topics, series),
        link_sources(pages, (MENTORS,)),
    )


def urls_of(index: LinkIndex, path: str = "content/wiki/source.md") -> list[str | None]:
    return [link.url for link in index.links_in(path)]


def messages(index: LinkIndex) -> list[str]:
    return [d.format() for d in index.diagnostics]


# --- resolution -------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "Chat etiquette",  # title
        "chat etiquette",  # any case
        "CHAT   ETIQUETTE",  # any spacing
        "chat-etiquette",  # hyphens for spaces
        "Chat_etiquette",  # underscores for spaces
        "Etiquette",  # an alias, which is also the file name
        "house rules",  # another alias
        "wiki:Chat etiquette",  # kind prefix
    ],
)
def test_a_wiki_page_by_title_alias_or_file_name(link: str) -> None:
    index = index_for(f"[[{link}]]\n")
    assert urls_of(index) == ["wiki/etiquette/"]
    assert index.diagnostics == ()


@pytest.mark.parametrize(
    "link", ["how-to-organise-a-chat", "guides/how-to-organise-a-chat", "How to Organise a Chat"]
)
def test_a_nested_page_by_file_name_or_path(link: str) -> None:
    index = index_for(f"[[{link}]]\n")
    assert urls_of(index) == ["wiki/guides/how-to-organise-a-chat/"]


def test_chats_topics_and_series_by_title_slug_and_alias() -> None:
    body = (
        "[[Finding and working with a mentor]] [[2012-02-16-mentors]] "
        "[[Choosing a mentor]] [[Finding a mentor]] [[mentoring]] [[revalidation]] "
        "[[The chartership chat]] [[chartership]] [[series:chartership]]\n"
    )
    index = index_for(body, series=(series("chartership", "The chartership chat", "#chartership"),))
    assert urls_of(index) == [
        "chats/2012-02-16-mentors/",
        "chats/2012-02-16-mentors/",
        "topics/mentoring/",
        "topics/mentoring/",
        "topics/mentoring/",
        "topics/revalidation/",
        "series/chartership/",
        "series/chartership/",
        "series/chartership/",
    ]
    assert index.diagnostics == ()


def test_anchors_by_heading_text_or_id_and_on_the_same_page() -> None:
    body = (
        "## Local heading\n\n"
        "[[Chat etiquette#privacy and the archive]] "
        "[[Chat etiquette#privacy-and-the-archive-1]] "
        "[[How to organise a chat#Archive the posts|archiving]] "
        "[[Finding and working with a mentor#working-with-your-mentor]] "
        "[[#Local heading]] "
        "[[Revalidation#Anything]]\n"
    )
    index = index_for(body)
    assert urls_of(index) == [
        "wiki/etiquette/#privacy-and-the-archive",
        "wiki/etiquette/#privacy-and-the-archive-1",
        "wiki/guides/how-to-organise-a-chat/#archive-the-posts",
        "chats/2012-02-16-mentors/#working-with-your-mentor",
        "wiki/source/#local-heading",
        "topics/revalidation/#anything",  # topic pages' headings are not known: unchecked
    ]
    assert index.diagnostics == ()


def test_a_missing_page_is_a_warning_with_file_line_and_a_suggestion() -> None:
    index = index_for("Intro.\n\nSee [[Chat etiquete]] and\n[[Nowhere at all|this]].\n")
    assert urls_of(index) == [None, None]
    # Front matter is three lines, so body line 3 is file line 6.
    assert messages(index) == [
        'content/wiki/source.md:6: warning: [[Chat etiquete]]: no page called "Chat etiquete"; '
        'did you mean "Chat etiquette"?',
        "content/wiki/source.md:7: warning: [[Nowhere at all|this]]: no page called "
        '"Nowhere at all"',
    ]
    assert all(d.severity == "warning" for d in index.diagnostics)


def test_a_missing_heading_is_a_warning_and_the_link_goes_to_the_page() -> None:
    index = index_for("[[Chat etiquette#Privacy]] [[#Nope]]\n")
    assert urls_of(index) == ["wiki/etiquette/", "wiki/source/"]
    assert messages(index) == [
        "content/wiki/source.md:4: warning: [[#Nope]]: 'Source page' has no heading \"Nope\"",
        "content/wiki/source.md:4: warning: [[Chat etiquette#Privacy]]: 'Chat etiquette' has no "
        'heading "Privacy"; did you mean "Privacy and the archive"?',
    ]


def test_a_renamed_page_reports_its_old_links_until_the_old_name_is_an_alias() -> None:
    before = page("content/wiki/hosting.md", "How to host a chat")
    linking = "Read [[How to host a chat]].\n"
    assert index_for(linking, [before]).diagnostics == ()
    # Renamed in place (title and file): the old name no longer resolves.
    renamed = page("content/wiki/organising.md", "How to organise a chat, in full")
    index = index_for(linking, [renamed])
    assert messages(index) == [
        "content/wiki/source.md:4: warning: [[How to host a chat]]: no page called "
        '"How to host a chat"; did you mean "How to organise a chat"?'
    ]
    # Keeping the old title as an alias keeps old links working.
    kept = page(
        "content/wiki/organising.md",
        "How to organise a chat, in full",
        aliases='["How to host a chat"]',
    )
    index = index_for(linking, [kept])
    assert urls_of(index) == ["wiki/organising/"] and index.diagnostics == ()


def test_an_ambiguous_name_warns_naming_both_files_and_prefers_the_wiki_page() -> None:
    mentors_page = page("content/wiki/mentors.md", "Mentors")
    index = index_for("[[Mentors]] [[topic:Mentors]]\n", [mentors_page])
    assert urls_of(index) == ["wiki/mentors/", "topics/mentoring/"]
    assert messages(index) == [
        'content/wiki/source.md:4: warning: [[Mentors]]: "Mentors" could be the wiki page '
        "'Mentors' (content/wiki/mentors.md) or the topic 'Choosing a mentor' (site.yaml); "
        "linking to the wiki page (write [[topic:Mentors]] for the other, or give the pages "
        "different names)"
    ]


def test_two_pages_sharing_an_alias_resolve_the_same_way_every_build() -> None:
    a = page("content/wiki/b-page.md", "B page", aliases="[Shared]")
    b = page("content/wiki/a-page.md", "A page", aliases="[Shared]")
    first = index_for("[[Shared]]\n", [a, b])
    again = index_for("[[Shared]]\n", [b, a])
    assert urls_of(first) == urls_of(again) == ["wiki/a-page/"]  # by slug, never by order
    assert messages(first) == [
        'content/wiki/source.md:4: warning: [[Shared]]: "Shared" could be the wiki page '
        "'A page' (content/wiki/a-page.md) or the wiki page 'B page' (content/wiki/b-page.md); "
        "linking to the wiki page (give the pages different names)"
    ]


def test_a_title_beats_an_alias_within_one_kind() -> None:
    a = page("content/wiki/zebra.md", "Shared name")
    b = page("content/wiki/aardvark.md", "Aardvark", aliases='["Shared name"]')
    assert urls_of(index_for("[[Shared name]]\n", [a, b])) == ["wiki/zebra/"]


def test_a_link_to_an_unpublished_draft_says_so() -> None:
    draft = chat("2027-01-14-draft", "A draft chat", draft=True)
    source = page("content/wiki/source.md", "Source page", "[[A draft chat]]\n")
    index = build_link_index(
        link_targets((source,), (), ()),
        link_sources((source,), ()),
        unpublished=(chat_target(draft),),
    )
    assert urls_of(index) == [None]
    assert (
        "is the chat 'A draft chat' (content/chats/2027-01-14-draft.md), a draft"
        in (messages(index)[0])
    )


def test_normalise() -> None:
    assert normalise("  How_to-organise   a CHAT ") == "how to organise a chat"


# --- backlinks --------------------------------------------------------------------


def test_backlinks_are_sorted_unique_and_never_the_page_itself() -> None:
    one = page("content/wiki/zz.md", "Zed page", "[[Chat etiquette]] [[Etiquette]] [[zz]]\n")
    two = page("content/wiki/aa.md", "a page", "[[chat etiquette#Privacy and the archive]]\n")
    writeup = chat("2013-01-01-x", "Beta chat", "[[Chat etiquette]] [[Mentors]]\n")
    pages = (ETIQUETTE, one, two)
    index = build_link_index(
        link_targets(pages, (writeup,), CONFIG.topics), link_sources(pages, (writeup,))
    )
    assert [(b.title, b.url, b.kind) for b in index.backlinks_to("wiki", "etiquette")] == [
        ("a page", "wiki/aa/", "wiki"),
        ("Beta chat", "chats/2013-01-01-x/", "chat"),
        ("Zed page", "wiki/zz/", "wiki"),
    ]
    assert index.backlinks_to("wiki", "zz") == ()  # its own [[zz]] does not count
    assert [b.title for b in index.backlinks_to("topic", "mentoring")] == ["Beta chat"]
    assert index.backlinks_to("chat", "nothing") == ()


# --- rendering the markers ----------------------------------------------------------


def test_rewrite_links_makes_relative_links_and_visible_missing_ones() -> None:
    index = index_for("[[Chat etiquette|the <rules>]] [[Missing & gone]]\n")
    out = rewrite_links(
        page(
            "content/wiki/source.md", "S", "[[Chat etiquette|the <rules>]] [[Missing & gone]]\n"
        ).body.html,
        index.links_in("content/wiki/source.md"),
        lambda url: "../../" + url,
    )
    tree = lxml_html.fragment_fromstring(out, create_parent="div")
    found, missing = tree.iter("a")
    assert found.get("href") == "../../wiki/etiquette/" and found.text == "the <rules>"
    assert found.get("class") == "wikilink"
    assert missing.get("href") is None
    assert missing.get("class") == "wikilink missing"
    assert missing.get("title") == 'No page called "Missing & gone" yet'
    assert "does not exist yet" in missing.text_content()
    assert "chatwiki:wikilink" not in out


def test_a_marker_without_a_resolution_keeps_its_label() -> None:
    html = page("content/wiki/x.md", "X", "[[Anything]]\n").body.html
    assert rewrite_links(html, (), lambda u: u) == "<p>Anything</p>\n"


def test_resolved_link_carries_its_target() -> None:
    link = index_for("[[Etiquette]]\n").links_in("content/wiki/source.md")[0]
    assert isinstance(link, ResolvedLink)
    assert link.target is not None and link.target.title == "Chat etiquette"


# --- sections and breadcrumbs --------------------------------------------------------


def test_wiki_sections_nest_folders_and_name_them_by_their_index_page() -> None:
    pages = (
        page("content/wiki/zeta.md", "Zeta"),
        page("content/wiki/alpha.md", "alpha"),
        page("content/wiki/qualifications/index.md", "Professional qualifications"),
        page("content/wiki/qualifications/chartership.md", "Chartership"),
        page("content/wiki/qualifications/uk-and-ireland/ala.md", "ALA"),
        page("content/wiki/deep/er/page.md", "Deep page"),
    )
    sections = wiki_sections(pages)
    assert [(s.path, s.title, s.depth, [p.title for p in s.pages]) for s in sections] == [
        ("", "", 0, ["alpha", "Professional qualifications", "Zeta"]),
        ("deep", "Deep", 1, []),
        ("deep/er", "Er", 2, ["Deep page"]),
        ("qualifications", "Professional qualifications", 1, ["Chartership"]),
        ("qualifications/uk-and-ireland", "Uk and ireland", 2, ["ALA"]),
    ]
    ala = pages[4]
    assert breadcrumbs(ala, sections) == (
        ("Wiki", "wiki/"),
        ("Professional qualifications", "wiki/qualifications/"),
        ("Uk and ireland", "wiki/#s-qualifications-uk-and-ireland"),
    )
    assert breadcrumbs(pages[0], sections) == (("Wiki", "wiki/"),)


# --- the command line ---------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


BROKEN_SITE = {
    "site.yaml": SITE_YAML,
    "content/wiki/guide.md": wiki_md("Guide", "Intro.\n\nSee [[Etiquete]] and [[Mentors]].\n"),
    "content/wiki/etiquette.md": wiki_md("Etiquette"),
    "content/chats/a.md": chat_md(title="A chat", body="See [[Guide#Nope]].\n"),
}
EXPECTED_WARNINGS = [
    "content/chats/a.md:5: warning: [[Guide#Nope]]: 'Guide' has no heading \"Nope\"",
    'content/wiki/guide.md:6: warning: [[Etiquete]]: no page called "Etiquete"; '
    'did you mean "Etiquette"?',
]


def test_build_warns_with_file_and_line_and_still_builds(tmp_site: MakeSite) -> None:
    source = tmp_site(BROKEN_SITE)
    code, out, err = run("build", str(source), "--now", "2026-11-23T12:00Z")
    assert code == 0, err
    assert err.splitlines() == EXPECTED_WARNINGS
    assert "2 warnings" in out
    doc = lxml_html.fromstring((source / "output/wiki/guide/index.html").read_bytes())
    missing = doc.xpath("//a[contains(@class, 'missing')]")
    assert [a.text_content() for a in missing] == ["Etiquete (page does not exist yet)"]
    assert doc.xpath("//a[@class='wikilink' and text()='Mentors']/@href") == [
        "../../topics/mentoring/"
    ]


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_turns_link_warnings_into_errors(tmp_site: MakeSite, command: str) -> None:
    source = tmp_site(BROKEN_SITE)
    code, _, err = run(command, str(source), "--strict", "--now", "2026-11-23T12:00Z")
    assert code == 1
    assert err.splitlines() == [w.replace(": warning: ", ": ") for w in EXPECTED_WARNINGS] + [
        "2 errors found; nothing was written."
    ]
    assert not (source / "output").exists()


def test_strict_passes_a_clean_site(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": SITE_YAML,
            "content/wiki/guide.md": wiki_md("Guide", "See [[A chat]] and [[Mentors]].\n"),
            "content/chats/a.md": chat_md(title="A chat", body="See [[Guide]].\n"),
        }
    )
    code, out, err = run("build", str(source), "--strict", "--now", "2026-11-23T12:00Z")
    assert code == 0 and err == "", err
    chat_page = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert chat_page.xpath("//section[@class='backlinks']//a/text()") == ["Guide"]
    assert chat_page.xpath("//section[@class='backlinks']//a/@href") == ["../../wiki/guide/"]


def test_edit_url_must_name_the_path() -> None:
    _, problems = parse_config(MINIMAL_SITE_YAML + "edit_url: https://example.org/edit/\n")
    assert [d.format() for d in problems] == [
        "site.yaml:5: edit_url: expected an http(s) URL containing {path}, like "
        '{repo_url}/edit/main/{path}, got "https://example.org/edit/"'
    ]
    _, problems = parse_config(MINIMAL_SITE_YAML + "edit_url: '{repo_url}/edit/x/{path}'\n")
    assert "edit_url: uses {repo_url}, but there is no repo_url" in problems[0].format()
    config, problems = parse_config(
        MINIMAL_SITE_YAML + "repo_url: https://gitlab.example/a/b\n"
        "edit_url: '{repo_url}/-/edit/main/site/{path}'\n"
    )
    assert problems == [] and config is not None
    assert config.edit_url == "{repo_url}/-/edit/main/site/{path}"


def test_the_wiki_index_outside_git_has_no_recent_changes(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/wiki/a.md": wiki_md("A page"),
            "content/wiki/quals/b.md": wiki_md("B page"),
        }
    )
    code, _, err = run("build", str(source), "--now", "2026-11-23T12:00Z")
    assert code == 0, err
    doc = lxml_html.fromstring((source / "output/wiki/index.html").read_bytes())
    assert doc.xpath("//h2/text()") == ["Quals"]
    assert doc.xpath("//ul[@class='page-list']//a/text()") == ["A page", "B page"]
    assert not doc.xpath("//*[@id='recent']")
    wiki_page = lxml_html.fromstring((source / "output/wiki/quals/b/index.html").read_bytes())
    assert not wiki_page.xpath("//*[contains(@class, 'page-history')]")


def test_the_index_is_a_pure_function_of_its_inputs() -> None:
    assert index_for("[[Etiquette]] [[Nowhere]]\n") == index_for("[[Etiquette]] [[Nowhere]]\n")


# --- names that start with `#` and tables ---------------------------------------------

REPO = Path(__file__).parent.parent


def example_series(slug: str) -> Series:
    """A series named as the example site names it (content/series/<slug>.yaml)."""
    text = (REPO / "content" / "series" / f"{slug}.yaml").read_text(encoding="utf-8")
    declared = yaml.safe_load(text)
    return series(slug, declared["name"], declared["hashtag"])


EXAMPLE_SERIES = (example_series("chartership"), example_series("uklibcpd"))


def test_the_example_series_are_called_by_hashtag_names() -> None:
    # What the tests below rely on: if the example renames its series, they must follow.
    assert [s.name for s in EXAMPLE_SERIES] == [
        "#chartership evening chat",
        "#uklibcpd lunchtime chat",
    ]


def test_a_name_starting_with_a_hash_links_by_name_when_no_heading_matches() -> None:
    body = (
        "## Local heading\n\n"
        "[[#uklibcpd lunchtime chat]] [[#Chartership evening chat|the evening chat]] "
        "[[series:#chartership evening chat]] [[Series: #uklibcpd lunchtime chat]] "
        "[[#local heading]]\n"
    )
    index = index_for(body, series=EXAMPLE_SERIES)
    assert urls_of(index) == [
        "series/uklibcpd/",
        "series/chartership/",
        "series/chartership/",
        "series/uklibcpd/",
        "wiki/source/#local-heading",  # a heading on the page is still a heading link
    ]
    assert index.diagnostics == ()
    shown = [link.text for link in index.links_in("content/wiki/source.md")]
    # The Markdown stage read `[[#Name]]` as a heading ("Name"); the page shows its name.
    assert shown == ["#uklibcpd lunchtime chat", None, None, None, None]
    assert index.backlinks_to("series", "uklibcpd")[0].title == "Source page"


def test_a_chat_title_starting_with_a_hash_links_with_and_without_chat_prefix() -> None:
    tagged = chat("2027-03-02-tagged", "#uklibcpd lunchtime chat special", "## Notes\n")
    source = page(
        "content/wiki/source.md",
        "Source page",
        "[[#uklibcpd lunchtime chat special]] [[chat:#uklibcpd lunchtime chat special#Notes]]\n",
    )
    index = build_link_index(
        link_targets((source,), (tagged,), ()), link_sources((source,), (tagged,))
    )
    assert urls_of(index) == ["chats/2027-03-02-tagged/", "chats/2027-03-02-tagged/#notes"]
    assert index.diagnostics == ()


def test_a_heading_and_a_hash_name_alike_link_the_heading_and_warn_with_the_prefix() -> None:
    body = "## uklibcpd lunchtime chat\n\nSee [[#uklibcpd lunchtime chat]].\n"
    index = index_for(body, series=EXAMPLE_SERIES)
    assert urls_of(index) == ["wiki/source/#uklibcpd-lunchtime-chat"]
    assert messages(index) == [
        "content/wiki/source.md:6: warning: [[#uklibcpd lunchtime chat]]: "
        '"#uklibcpd lunchtime chat" could be the heading "uklibcpd lunchtime chat" on this '
        "page or the series '#uklibcpd lunchtime chat' (content/series/uklibcpd.yaml); "
        "linking to the heading (write [[series:#uklibcpd lunchtime chat]] for the series)"
    ]


def test_a_near_miss_of_a_hash_name_suggests_it() -> None:
    index = index_for("[[#uklibcpd lunch chat]]\n", series=EXAMPLE_SERIES)
    assert urls_of(index) == ["wiki/source/"]
    assert messages(index) == [
        "content/wiki/source.md:4: warning: [[#uklibcpd lunch chat]]: 'Source page' has no "
        'heading "uklibcpd lunch chat"; did you mean "#uklibcpd lunchtime chat"?'
    ]


def test_a_link_cut_by_a_table_is_an_error_even_without_strict() -> None:
    body = "| Chat |\n|---|\n| [[#uklibcpd lunchtime chat|lunch]] |\n"
    index = index_for(body, series=EXAMPLE_SERIES)
    assert [d.severity for d in index.diagnostics] == ["error"]
    assert messages(index) == [
        'content/wiki/source.md:6: [[#uklibcpd lunchtime chat|lunch]]: in a table, "|" ends '
        "the cell, so this link is cut in two; write [[#uklibcpd lunchtime chat\\|lunch]]"
    ]


def test_a_site_links_series_by_their_hash_names_from_a_table(tmp_site: MakeSite) -> None:
    files: dict[str, str] = {
        f"content/series/{s}.yaml": (REPO / "content/series" / f"{s}.yaml").read_text("utf-8")
        for s in ("chartership", "uklibcpd")
    }
    files["content/wiki/guide.md"] = wiki_md(
        "Guide",
        "| Series | When |\n|---|---|\n"
        "| [[#chartership evening chat\\|Evenings]] | Thursdays |\n"
        "| [[series:#uklibcpd lunchtime chat]] | Tuesdays |\n\n"
        "Or [[#uklibcpd lunchtime chat]].\n",
    )
    source = tmp_site(files)
    code, _, err = run("build", str(source), "--strict", "--now", "2027-01-01T12:00Z")
    assert code == 0, err
    doc = lxml_html.fromstring((source / "output/wiki/guide/index.html").read_bytes())
    cells = doc.xpath("//tbody/tr/td[1]/a[@class='wikilink']")
    assert [(a.text_content(), a.get("href")) for a in cells] == [
        ("Evenings", "../../series/chartership/"),
        ("#uklibcpd lunchtime chat", "../../series/uklibcpd/"),
    ]
    after = doc.xpath("//p[starts-with(., 'Or ')]/a[@class='wikilink']")
    assert [(a.text_content(), a.get("href")) for a in after] == [
        ("#uklibcpd lunchtime chat", "../../series/uklibcpd/")
    ]


def test_a_site_with_a_link_cut_by_a_table_fails_naming_file_and_line(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/wiki/guide.md": wiki_md("Guide", "| A |\n|---|\n| [[Guide|here]] |\n"),
        }
    )
    code, _, err = run("build", str(source), "--now", "2027-01-01T12:00Z")
    assert code == 1
    assert "content/wiki/guide.md:6: [[Guide|here]]: " in err
    assert "write [[Guide\\|here]]" in err
    assert not (source / "output").exists()
