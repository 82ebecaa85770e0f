"""The `[[...]]` Markdown rule: what it records, where, and the markers it leaves.

Fixtures in fixtures/wikilinks.md are input/expected-HTML blocks, markdown-it style;
the rule knows nothing of the site, so every expectation is about the text alone.
"""

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it.utils import read_fixture_file

from generator.core.model import WikiLinkRef
from generator.markdown.bodies import render
from generator.markdown.wikilinks import parse_link

FIXTURES = Path(__file__).parent / "fixtures" / "wikilinks.md"


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"),
    read_fixture_file(FIXTURES),
    ids=[case[1] for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, source: str, expected: str) -> None:
    assert render(source).html == expected, f"{FIXTURES.name}:{line}: {title}"


@pytest.mark.parametrize(
    ("text", "target", "anchor", "label"),
    [
        ("Page", "Page", None, None),
        ("Page|label", "Page", None, "label"),
        ("Page#Heading", "Page", "Heading", None),
        ("Page#Heading|label", "Page", "Heading", "label"),
        ("#Heading", "", "Heading", None),
        ("  Page  name # Heading |  a  label ", "Page name", "Heading", "a label"),
        ("Page|", "Page", None, None),
        ("Page#", "Page", None, None),
        ("Beyond description: writing about what you learned", None, None, None),
        # Names that start with `#`, like the example site's series.
        ("#uklibcpd lunchtime chat", "", "uklibcpd lunchtime chat", None),  # resolver decides
        ("series:#chartership evening chat", "series:#chartership evening chat", None, None),
        (
            "Chat: #uklibcpd lunchtime chat # Heading",
            "Chat:#uklibcpd lunchtime chat",
            "Heading",
            None,
        ),
        ("#uklibcpd lunchtime chat#Heading|lunch", "#uklibcpd lunchtime chat", "Heading", "lunch"),
        ("chat:Page#Heading", "chat:Page", "Heading", None),
        # An escaped pipe separates the label too (it is how a table cell holds one).
        ("Page\\|label", "Page", None, "label"),
        ("#Heading\\|label", "", "Heading", "label"),
    ],
)
def test_parts_of_a_link(
    text: str, target: str | None, anchor: str | None, label: str | None
) -> None:
    parsed = parse_link(text)
    assert parsed is not None
    assert (parsed.target, parsed.anchor, parsed.label) == (
        target if target is not None else text,
        anchor,
        label,
    )


@pytest.mark.parametrize("text", ["", " ", "|label", "#", "a[b", "a]b"])
def test_not_a_link(text: str) -> None:
    assert parse_link(text) is None


def test_links_are_recorded_with_their_file_lines() -> None:
    body = (
        "Intro [[Chat etiquette]].\n"  # 1
        "\n"  # 2
        "A paragraph that runs\n"  # 3
        "on to [[How to organise a chat#Archive the posts|the guide]] here\n"  # 4
        "and [[#Same page]] there.\n"  # 5
        "\n"  # 6
        "> quoted\n"  # 7
        "> [[Past chats]]\n"  # 8
        "\n"  # 9
        "- one\n"  # 10
        "- two [[Chartership]]\n"  # 11
        "\n"  # 12
        "| a |\n"  # 13
        "|---|\n"  # 14
        "| x |\n"  # 15
        "| [[Topic]] |\n"  # 16
        "\n"  # 17
        "## Heading [[Target]]\n"  # 18
        "\n"  # 19
        "Note[^1].\n"  # 20
        "\n"  # 21
        "[^1]: See [[Footnoted]].\n"  # 22
    )
    # The body starts on line 6 of its file (five lines of front matter).
    links = render(body, line_offset=5).links
    assert links == (
        WikiLinkRef("Chat etiquette", None, None, 6, "Chat etiquette"),
        WikiLinkRef(
            "How to organise a chat",
            "Archive the posts",
            "the guide",
            9,
            "How to organise a chat#Archive the posts|the guide",
        ),
        WikiLinkRef("", "Same page", None, 10, "#Same page"),
        WikiLinkRef("Past chats", None, None, 13, "Past chats"),
        WikiLinkRef("Chartership", None, None, 16, "Chartership"),
        WikiLinkRef("Topic", None, None, 21, "Topic"),
        WikiLinkRef("Target", None, None, 23, "Target"),
        WikiLinkRef("Footnoted", None, None, 27, "Footnoted"),
    )


def test_marker_numbers_match_the_recorded_links() -> None:
    out = render("[[B]]\n\n[^n]\n\n[^n]: [[C]]\n\n## Part\n\n[[D]]\n")
    numbers = [int(n) for n in re.findall(r"<!--chatwiki:wikilink:(\d+)-->", out.html)]
    labels = re.findall(r"<!--chatwiki:wikilink:\d+-->(.*?)<!--/", out.html)
    assert sorted(numbers) == list(range(len(out.links)))
    by_number = dict(zip(numbers, labels, strict=True))
    assert [by_number[i] for i in range(len(out.links))] == [r.target for r in out.links]
    # Footnotes move to the end of the page, and their links with them.
    assert [r.target for r in out.links] == ["B", "D", "C"]
    # A section (what topic pages excerpt) keeps the document's numbers.
    assert "<!--chatwiki:wikilink:1-->D" in out.sections[0].html


def test_rendering_is_a_pure_function_of_the_text() -> None:
    text = "[[A]] [[B#c|d]]\n"
    assert render(text) == render(text)


# --- tables -------------------------------------------------------------------------

TABLE = (
    "| Chat | Notes |\n"  # 1
    "|---|---|\n"  # 2
    "| [[#uklibcpd lunchtime chat\\|the lunchtime chat]] | fine |\n"  # 3
    "| [[Chat etiquette|the rules]] | cut |\n"  # 4
)


def test_an_escaped_pipe_in_a_table_cell_keeps_the_link_whole() -> None:
    rendered = render(TABLE, line_offset=3)
    doc = lxml_html.fromstring(rendered.html)
    first_row = doc.xpath("//tbody/tr[1]/td")
    assert [td.text_content() for td in first_row] == ["the lunchtime chat", "fine"]
    ref = rendered.links[0]
    assert (ref.target, ref.anchor, ref.label, ref.line, ref.problem) == (
        "",
        "uklibcpd lunchtime chat",
        "the lunchtime chat",
        6,
        None,
    )


def test_an_unescaped_pipe_in_a_table_row_is_a_broken_link_saying_how_to_write_it() -> None:
    rendered = render(TABLE, line_offset=3)
    # The table rule cut it: the cell holds "[[Chat etiquette" and "the rules]]" is gone.
    doc = lxml_html.fromstring(rendered.html)
    assert doc.xpath("//tbody/tr[2]/td[1]")[0].text_content() == "[[Chat etiquette"
    broken = [ref for ref in rendered.links if ref.problem]
    assert [(ref.line, ref.target, ref.label) for ref in broken] == [
        (7, "Chat etiquette", "the rules")
    ]
    assert "[[Chat etiquette\\|the rules]]" in (broken[0].problem or "")
    # It has no marker: the markers still number the links that exist.
    assert rendered.html.count("<!--chatwiki:wikilink:") == 1
    assert rendered.links[-1] is broken[0]


@pytest.mark.parametrize(
    "body",
    [
        "A paragraph with [[Page|label]].\n",  # outside tables `|` is fine
        "| a |\n|---|\n| [[Page\\|label]] |\n",
        "| a | b |\n|---|---|\n| [[One]] | [[Two]] |\n",  # two links, one per cell
        "| a |\n|---|\n| \\[[not|a link]] |\n",  # escaped: literal text, not a link
        "```\n| [[a|b]] |\n|---|\n```\n",  # a code block, not a table
    ],
)
def test_no_broken_link_where_nothing_is_cut(body: str) -> None:
    assert [ref for ref in render(body).links if ref.problem] == []
