"""Themes: a site overrides any template by name; content URLs are filtered."""

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator import ContentError, build
from generator.output.render import safe_url
from tests.conftest import NOW, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]


def test_site_template_overrides_the_builtin_one(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.md": chat_md(title="Mentors"),
            "themes/default/templates/chat.html": (
                '{% extends "base.html" %}{% block content %}'
                '<p id="custom">Custom: {{ chat.title }}</p>{% endblock %}'
            ),
        }
    )
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert doc.get_element_by_id("custom").text == "Custom: Mentors"
    assert doc.xpath("//header[@class='site-header']"), "base.html still comes from the default"
    home = lxml_html.fromstring((source / "output/index.html").read_bytes())
    assert home.xpath("//section[@aria-labelledby='latest']"), "other templates are untouched"


def test_named_theme_can_wrap_the_default_and_add_static_files(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": "title: T\nbase_url: https://x.example/\ntheme: branded\n",
            "content/chats/a.md": chat_md(),
            "themes/branded/templates/base.html": (
                '{% extends "default/base.html" %}'
                "{% block head %}<link rel=stylesheet "
                "href=\"{{ urls.static('brand.css') | rel }}\">"
                "{% endblock %}"
            ),
            "themes/branded/static/brand.css": "body { color: purple; }",
            "themes/branded/static/style.css": "/* replaced */",
        }
    )
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert "../../static/brand.css" in [link.get("href") for link in doc.xpath("//link")]
    assert (source / "output/static/brand.css").read_text() == "body { color: purple; }"
    assert (source / "output/static/style.css").read_text() == "/* replaced */"


def test_unknown_theme_is_a_config_error(tmp_site: MakeSite) -> None:
    source = tmp_site({"site.yaml": "title: T\nbase_url: https://x.example/\ntheme: brand\n"})
    with pytest.raises(ContentError) as exc:
        build(source, source / "output", NOW)
    assert exc.value.diagnostics[0].format().startswith("site.yaml:3: theme: expected a theme")


def test_titles_and_summaries_are_escaped(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.md": chat_md(
                title="<script>alert(1)</script>",
                summary='"<img src=x onerror=alert(1)>"',
                hosts='["<b>Ann</b>"]',
            )
        }
    )
    build(source, source / "output", NOW)
    for rel in ("index.html", "chats/index.html", "chats/a/index.html"):
        doc = lxml_html.fromstring((source / "output" / rel).read_bytes())
        assert not doc.xpath("//body//script | //img | //b"), rel
        assert "<script>alert(1)</script>" in doc.text_content()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cilip.org.uk/", "https://www.cilip.org.uk/"),
        ("mailto:a@example.org", "mailto:a@example.org"),
        ("../chats/x/", "../chats/x/"),
        ("javascript:alert(1)", "#"),
        (" JaVaScRiPt:alert(1)", "#"),
        ("java\tscript:alert(1)", "#"),
        ("data:text/html,<script>", "#"),
        ("vbscript:x", "#"),
    ],
)
def test_safe_url(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_times_written_with_a_bare_offset_read_in_the_site_zone(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md(date="2012-05-17T20:00+01:00")})
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    start = doc.xpath("//time[contains(@class, 'dt-start')]")[0]
    assert start.text_content() == "Thursday 17 May 2012, 20:00 BST"


# --- quotes of posts no archive holds --------------------------------------------------

OLD_WRITE_UP = chat_md(
    title="Mentors",
    body=(
        "The best of the night:\n\n"
        '[blackbirdpie url="http://twitter.com/#!/kitashworth/status/170241968802574342"]\n'
    ),
)


def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, [*args, "--now", "2026-11-23T12:00Z"])
    return result.exit_code, result.stdout, result.stderr


def _unarchived_cards(source: Path) -> list[lxml_html.HtmlElement]:
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    return list(doc.xpath("//figure[contains(@class, 'is-unarchived')]"))


def test_a_quote_no_archive_holds_is_a_warning_and_a_card_linking_the_original(
    tmp_site: MakeSite,
) -> None:
    source = tmp_site({"content/chats/a.md": OLD_WRITE_UP})
    code, _, err = _cli("build", str(source))
    assert code == 0, err
    assert err.splitlines() == [
        "content/chats/a.md:7: warning: post: quotes post '170241968802574342' by "
        "@kitashworth, but this chat has no archive; it is shown as a link to "
        "https://twitter.com/kitashworth/status/170241968802574342, marked as not archived "
        "(add an archive that holds it (chatwiki import) to show the post itself)"
    ]
    [card] = _unarchived_cards(source)
    assert "@kitashworth" in card.text_content()
    assert "not in the archive" in card.text_content()
    assert card.xpath(".//figcaption")[0].text_content() == "Not archived"
    assert card.xpath(".//a/@href") == ["https://twitter.com/kitashworth/status/170241968802574342"]


def test_a_quote_missing_from_the_chats_own_archive_is_shown_the_same_way(
    tmp_site: MakeSite,
) -> None:
    archive = (
        "id_str,from_user,text,created_at,status_url\n"
        '5,ann,"A1 hello #chat",Thu Feb 16 20:05:00 +0000 2012,'
        "http://twitter.com/ann/statuses/5\n"
    )
    source = tmp_site(
        {
            "content/chats/a/index.md": chat_md(
                archive="archive.csv",
                body='{{< post "5" >}}\n\n[blackbirdpie url="https://twitter.com/bob/status/6"]\n',
            ),
            "content/chats/a/archive.csv": archive,
        }
    )
    code, _, err = _cli("build", str(source))
    assert code == 0, err
    assert "this chat's archive (content/chats/a/archive.csv) does not hold it" in err
    [card] = _unarchived_cards(source)
    assert card.xpath(".//a/@href") == ["https://twitter.com/bob/status/6"]
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert "A1 hello #chat" in doc.xpath("//figure[@class='post-quote']")[0].text_content()


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_makes_a_quote_no_archive_holds_an_error(tmp_site: MakeSite, command: str) -> None:
    source = tmp_site({"content/chats/a.md": OLD_WRITE_UP})
    code, _, err = _cli(command, str(source), "--strict")
    assert code == 1
    assert err.splitlines()[0].startswith("content/chats/a.md:7: post: quotes post ")
    assert not (source / "output").exists()


def test_a_quote_by_id_alone_with_no_archive_is_still_an_error(tmp_site: MakeSite) -> None:
    # Nothing to show and nowhere to link: the author has to fix it.
    source = tmp_site({"content/chats/a.md": chat_md(body='[blackbirdpie id="5"]\n')})
    code, _, err = _cli("check", str(source))
    assert code == 1
    assert "content/chats/a.md:5: post: quotes post '5', but this chat has no archive" in err


def test_unarchived_quotes_follow_show_handles_and_opt_outs(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": "title: T\nbase_url: https://x.example/\nprivacy:\n"
            "  show_handles: false\n",
            "content/chats/a.md": OLD_WRITE_UP,
        }
    )
    code, _, err = _cli("build", str(source))
    assert code == 0, err
    [card] = _unarchived_cards(source)
    # The URL names its author, so like an archived post's time it is not linked.
    assert "kitashworth" not in lxml_html.tostring(card).decode()
    assert "not in the archive" in card.text_content()


def test_an_unarchived_quote_of_someone_who_opted_out_names_nobody() -> None:
    from generator.core.model import PostRef, Rendered
    from generator.output.render import Renderer, theme_dirs
    from generator.sources.config import parse_config
    from tests.conftest import MINIMAL_SITE_YAML, ROOT

    config, _ = parse_config(MINIMAL_SITE_YAML + "privacy:\n  opt_out: ['@KitAshworth']\n")
    assert config is not None
    ref = PostRef("17", 5, "kitashworth", "https://twitter.com/kitashworth/status/17")
    renderer = Renderer(theme_dirs(ROOT, "default"), {"config": config})
    template = renderer.env.from_string("{{ html | embed_posts(chat) }}")
    chat = type("C", (), {"archive": None, "body": Rendered("", (), (), post_refs=(ref,))})()
    html = template.render(html="<!--chatwiki:post:17-->", chat=chat)
    assert "is-unarchived" in html
    assert "kitashworth" not in html.lower() and "<a " not in html
