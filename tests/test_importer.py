"""`chatwiki import`, post shortcodes and opt-outs, through the CLI and the built pages."""

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from generator.cli import main
from tests.conftest import chat_md, real_fixture

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

HEADER = (
    "id_str,from_user,text,created_at,time,geo_coordinates,user_lang,in_reply_to_user_id_str,"
    "in_reply_to_screen_name,from_user_id_str,in_reply_to_status_id_str,source,"
    "profile_image_url,user_followers_count,user_friends_count,user_location,status_url,"
    "entities_str\n"
)


def tags_row(id_: str, user: str, text: str, minute: int, reply_to: str = "") -> str:
    created = f"Thu Feb 16 20:{minute:02d}:00 +0000 2012"
    text = text.replace('"', '""')
    return (
        f'{id_},{user},"{text}",{created},,,,,,,{reply_to},,,,,,'
        f"http://twitter.com/{user}/statuses/{id_},\n"
    )


ARCHIVE = HEADER + "".join(
    [
        tags_row("1001", "host", "Q1 How did you find your mentor? #chartership", 0),
        tags_row("1002", "ann", "A1 I asked at a branch event #chartership", 2),
        tags_row("1003", "quiet_cat", "A1 my boss introduced us #chartership", 3),
        tags_row("1004", "bob", "@quiet_cat same here! #chartership", 4, reply_to="1003"),
        tags_row(  # as TAGS stores it: the v1.1 API's escaped text
            "1005",
            "eve",
            'A1 &lt;script&gt;alert("x")&lt;/script&gt; &amp;amp; &lt;b&gt;bold&lt;/b&gt;',
            5,
        ),
        tags_row("1006", "host", "Q2 What do you talk about? #chartership", 20),
        tags_row("1007", "ann", "A2 Mostly the PKSB #chartership", 22),
    ]
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_import_writes_posts_json_and_reports(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({"content/chats/2012-02-16-mentors.md": chat_md(hashtag='"#chartership"')})
    raw = tmp_path / "export.csv"
    raw.write_text(ARCHIVE)
    code, out = run("import", str(raw), "--chat", "2012-02-16-mentors", "--source", str(source))
    assert code == 0, out
    assert "TAGS Archive sheet (CSV): 7 posts" in out
    bundle = source / "content/chats/2012-02-16-mentors"
    assert (bundle / "index.md").is_file()  # the single file became a bundle, not lost
    assert not (source / "content/chats/2012-02-16-mentors.md").exists()
    doc = json.loads((bundle / "posts.json").read_text())
    assert doc["chatwiki_archive"] == 1
    assert [p["id"] for p in doc["posts"]] == [f"100{i}" for i in range(1, 8)]
    # Importing again adds nothing and says so; the file is byte-identical.
    before = (bundle / "posts.json").read_bytes()
    code, out = run("import", str(raw), "--chat", "2012-02-16-mentors", "--source", str(source))
    assert code == 0 and "(0 new, 7 already there)" in out
    assert (bundle / "posts.json").read_bytes() == before


def test_import_merges_formats_and_refuses_unknown_files(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/x/index.md": chat_md()})
    v2 = real_fixture("twitter-v2/streaming_output_with_error.jsonl")
    tags = real_fixture("tags/sample-data.csv")
    code, out = run("import", str(v2), str(tags), "--chat", "x", "--source", str(source))
    assert code == 0, out
    assert "1 skipped" in out and "skipped line 8" in out
    doc = json.loads((source / "content/chats/x/posts.json").read_text())
    times = [p["created_at"] for p in doc["posts"]]
    assert times == sorted(times)
    assert len({p["id"] for p in doc["posts"]}) == len(doc["posts"])
    code, out = run("import", str(source / "site.yaml"), "--chat", "x", "--source", str(source))
    assert code == 2 and "not a chat archive" in out
    code, out = run("import", str(tags), "--chat", "nope", "--source", str(source))
    assert code == 2 and "there is no chat 'nope'" in out


def build_site(tmp_site: MakeSite, extra_yaml: str = "", body: str = "") -> Path:
    source = tmp_site(
        {
            "site.yaml": "title: T\nbase_url: https://x.example/\ntimezone: Europe/London\n"
            + extra_yaml,
            "content/chats/c/index.md": chat_md(
                title="Mentors",
                hashtag='"#chartership"',
                hosts='["@host"]',
                archive="archive.csv",
                body=body
                or "Intro.\n\n## Best posts\n\n"
                '{{< post "1002" >}}\n\n[blackbirdpie url=“https://twitter.com/x/status/1007”]\n',
            ),
            "content/chats/c/archive.csv": ARCHIVE,
        }
    )
    code, out = run("build", str(source), "--now", "2026-11-23T12:00Z")
    assert code == 0, out
    return source / "output"


def test_chat_page_shows_questions_quotes_and_escapes_post_text(tmp_site: MakeSite) -> None:
    out = build_site(tmp_site)
    doc = lxml_html.fromstring((out / "chats/c/index.html").read_bytes())
    quotes = doc.xpath("//figure[@class='post-quote']//blockquote")
    assert [q.text_content().strip() for q in quotes] == [
        "A1 I asked at a branch event #chartership",
        "A2 Mostly the PKSB #chartership",
    ]
    groups = doc.xpath("//section[@class='group']/h3")
    assert [g.text_content() for g in groups][-2:] == ["Q1", "Q2"]
    hostile = doc.xpath("//article[@id='post-1005']//div[@class='post-text']")[0]
    assert hostile.text_content() == 'A1 <script>alert("x")</script> &amp; <b>bold</b>'
    assert not doc.xpath("//body//script | //article//b")


def test_unknown_post_id_is_an_error_with_file_and_line(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/c/index.md": chat_md(
                archive="archive.csv", body='Intro.\n\n{{< post "999" >}}\n'
            ),
            "content/chats/c/archive.csv": ARCHIVE,
            "content/chats/d.md": chat_md(
                body="[blackbirdpie id='5']\n"  # no URL: nothing to link to instead
            ),
        }
    )
    code, out = run("check", str(source))
    assert code == 1
    assert "content/chats/c/index.md:8: post: no post with id '999' in this chat's archive" in out
    assert "content/chats/d.md:5: post: quotes post '5', but this chat has no archive" in out


def test_opted_out_handle_appears_nowhere_in_the_output(tmp_site: MakeSite) -> None:
    out = build_site(tmp_site, 'privacy:\n  opt_out: ["@Quiet_Cat"]\n')
    for f in out.rglob("*"):
        if f.is_file():
            assert b"quiet_cat" not in f.read_bytes().lower(), f
    doc = lxml_html.fromstring((out / "chats/c/index.html").read_bytes())
    assert "(post withheld)" in doc.text_content()
    assert "same here!" in doc.text_content()  # the reply to them is still shown


def test_display_names_only_hides_handles(tmp_site: MakeSite) -> None:
    out = build_site(tmp_site, "privacy:\n  show_handles: false\n")
    page = (out / "chats/c/index.html").read_text()
    for handle in ("@ann", "@eve", "twitter.com/ann"):
        assert handle not in page


def test_long_conversations_continue_on_linked_pages(
    tmp_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.plan

    monkeypatch.setattr(generator.plan, "POSTS_PER_PAGE", 3)
    out = build_site(tmp_site)
    first = lxml_html.fromstring((out / "chats/c/index.html").read_bytes())
    later = first.xpath("//nav[contains(@class, 'conversation-pager')]//a[@rel='next']/@href")
    assert later and later[0] == "conversation/2/"
    second = lxml_html.fromstring((out / "chats/c/conversation/2/index.html").read_bytes())
    assert "page 2 of" in second.findtext(".//h1")
    shown = [
        a.get("id")
        for p in (
            "chats/c/index.html",
            "chats/c/conversation/2/index.html",
            "chats/c/conversation/3/index.html",
        )
        if (out / p).exists()
        for a in lxml_html.fromstring((out / p).read_bytes()).xpath("//article[@id]")
    ]
    assert sorted(shown) == sorted(f"post-100{i}" for i in range(1, 8))


def test_import_into_a_write_up_that_is_not_utf8_names_it_and_changes_nothing(
    tmp_site: MakeSite, tmp_path: Path
) -> None:
    source = tmp_site({"content/chats/a.md": b"---\ntitle: caf\xe9\ndate: 2012-02-16T20:00\n---\n"})
    (tmp_path / "x.csv").write_text(ARCHIVE)
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "x.csv"), "--chat", "a", "--source", str(source)]
    )
    assert result.exit_code == 1
    assert "content/chats/a.md:2: expected UTF-8 text" in result.stderr
    assert (source / "content/chats/a.md").is_file()
    assert not (source / "content/chats/a").exists()


@pytest.mark.parametrize("target_inside_the_site", [False, True])
def test_a_linked_bundle_folder_is_refused_by_build_and_import_alike(
    tmp_site: MakeSite, tmp_path: Path, target_inside_the_site: bool
) -> None:
    """build used to skip a symlinked bundle in silence while import wrote posts.json
    through it, into a folder outside the site. Both now refuse it, naming it."""
    source = tmp_site({"content/chats/a.md": chat_md()})
    elsewhere = (source / "drafts" if target_inside_the_site else tmp_path / "elsewhere") / "b"
    elsewhere.mkdir(parents=True)
    (elsewhere / "index.md").write_text(chat_md(title="Linked"))
    (source / "content/chats/b").symlink_to(elsewhere, target_is_directory=True)
    raw = tmp_path / "export.csv"
    raw.write_text(ARCHIVE)

    code, out = run("build", str(source))
    assert code == 1, out
    assert "content/chats/b: " in out and "symbolic link to a folder" in out
    assert not (source / "output").exists()

    code, out = run("import", str(raw), "--chat", "b", "--source", str(source))
    assert code == 2, out
    assert "content/chats/b is a symbolic link to a folder" in out
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index.md"]


def test_new_chat_does_not_write_through_a_linked_chats_folder(
    tmp_site: MakeSite, tmp_path: Path
) -> None:
    source = tmp_site({})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (source / "content").mkdir(exist_ok=True)
    (source / "content/chats").symlink_to(elsewhere, target_is_directory=True)
    code, out = run("new", "chat", "Mentors", "--date", "2027-01-14T20:00", "--source", str(source))
    assert code == 2, out
    assert "symbolic link to a folder" in out
    assert list(elsewhere.iterdir()) == []
