"""The one step that lists and reads a site's files, and the guards every kind shares."""

from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import pytest

from generator import ContentError, load_site
from generator.core.errors import Collector, UsageError
from generator.sources import files
from tests.conftest import NOW, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
OUTSIDE = "is a symbolic link to a file outside the site"
SERIES = "name: Weekly\nstart: 2026-10-01T20:00\nrrule: FREQ=WEEKLY;BYDAY=TH\n"


def messages(out: Collector) -> list[str]:
    return [d.format() for d in out.items]


# --- which files count ----------------------------------------------------------------


def test_chats_are_single_files_and_bundle_indexes(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/b.md": chat_md(),
            "content/chats/a/index.md": chat_md(),
            "content/chats/a/archive.csv": "id\n",
            "content/chats/a/notes.md": "notes",
            "content/chats/.draft.md": chat_md(),
            "content/chats/.a.tmp-1/index.md": chat_md(),
            "content/chats/c.txt": "not a chat",
        }
    )
    out = Collector()
    listing = files.list_chats(source, out)
    assert listing.sources == ("content/chats/a/index.md", "content/chats/b.md")
    assert listing.files == (
        "content/chats/a/archive.csv",
        "content/chats/a/index.md",
        "content/chats/a/notes.md",
        "content/chats/b.md",
        "content/chats/c.txt",
    )
    assert [(d.path, d.severity) for d in out.items] == [("content/chats/a/notes.md", "warning")]


def test_wiki_pages_are_markdown_files_at_any_depth(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/wiki/index.md": "x",
            "content/wiki/guides/mentors.md": "x",
            "content/wiki/guides/picture.png": "x",
        }
    )
    out = Collector()
    assert files.list_wiki(source, out).sources == (
        "content/wiki/guides/mentors.md",
        "content/wiki/index.md",
    )
    assert out.items == []


def test_series_are_yaml_files_directly_in_the_folder(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/series/weekly.yaml": SERIES,
            "content/series/monthly.yml": SERIES,
            "content/series/README.txt": "x",
            "content/series/old/retired.yaml": SERIES,
            "content/series/.hidden.yaml": SERIES,
        }
    )
    out = Collector()
    assert files.list_series(source, out).sources == (
        "content/series/monthly.yml",
        "content/series/weekly.yaml",
    )
    assert messages(out) == [
        "content/series/README.txt: warning: ignored: expected series files to end in .yaml or .yml"
    ]


def test_a_missing_folder_lists_nothing(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    out = Collector()
    for listed in (files.list_chats, files.list_wiki, files.list_series):
        assert listed(source, out) == files.Listing((), ())
    assert out.items == []


# --- the symbolic-link guard ----------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "path"),
    [
        (files.list_chats, "content/chats/leak.md"),
        (files.list_wiki, "content/wiki/leak.md"),
        (files.list_series, "content/series/leak.yaml"),
    ],
    ids=["chats", "wiki", "series"],
)
def test_every_kind_refuses_a_link_out_of_the_site(
    tmp_site: MakeSite,
    tmp_path: Path,
    listed: Callable[[Path, Collector], files.Listing],
    path: str,
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("TOKEN=hunter2")
    source = tmp_site({})
    (source / path).parent.mkdir(parents=True)
    (source / path).symlink_to(secret)
    out = Collector()
    listing = listed(source, out)
    assert listing.sources == () and listing.files == ()
    assert listing.refused == (path,)
    (problem,) = out.items
    assert (problem.path, problem.severity) == (path, "error")
    assert problem.message.startswith(OUTSIDE)


def test_a_link_to_a_file_inside_the_site_is_read(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/shared/weekly.yaml": SERIES})
    (source / "content/series").mkdir()
    (source / "content/series/weekly.yaml").symlink_to(source / "content/shared/weekly.yaml")
    out = Collector()
    assert files.list_series(source, out).sources == ("content/series/weekly.yaml",)
    assert files.read_text(source, "content/series/weekly.yaml", out) == SERIES
    assert out.items == []


def test_read_text_refuses_a_link_out_of_the_site(tmp_site: MakeSite, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("TOKEN=hunter2")
    source = tmp_site({})
    (source / "notes.md").symlink_to(tmp_path / "secret")
    out = Collector()
    assert files.read_text(source, "notes.md", out) is None
    assert messages(out)[0].startswith(f"notes.md: {OUTSIDE}")


# --- reading text ---------------------------------------------------------------------


def test_read_text_drops_a_bom_and_reads_any_line_ending(tmp_site: MakeSite) -> None:
    source = tmp_site({"a.md": b"\xef\xbb\xbfone\r\ntwo\rthree\n"})
    out = Collector()
    assert files.read_text(source, "a.md", out) == "one\ntwo\nthree\n"
    assert out.items == []


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"caf\xe9\n", 1),
        (b"---\ntitle: ok\nsummary: caf\xe9\n---\n", 3),
        (b"\xef\xbb\xbfa\r\nb\r\n\xff\n", 3),
        (b"a\rb\r\xc3", 3),
    ],
)
def test_text_that_is_not_utf8_names_the_line_of_the_first_bad_byte(
    tmp_site: MakeSite, data: bytes, line: int
) -> None:
    source = tmp_site({"content/chats/a.md": data})
    out = Collector()
    assert files.read_text(source, "content/chats/a.md", out) is None
    (problem,) = out.items
    assert (problem.path, problem.line) == ("content/chats/a.md", line)
    assert problem.message.startswith("expected UTF-8 text, found a byte that is not")


def test_chats_wiki_pages_series_and_site_yaml_all_get_the_utf8_guard(
    tmp_site: MakeSite,
) -> None:
    bad = b"---\ntitle: caf\xe9\n---\n"
    source = tmp_site(
        {
            "content/chats/a.md": bad,
            "content/wiki/b.md": bad,
            "content/series/c.yaml": b"name: caf\xe9\n",
        }
    )
    with pytest.raises(ContentError) as caught:
        load_site(source, NOW)
    assert [(d.path, d.line) for d in caught.value.diagnostics] == [
        ("content/chats/a.md", 2),
        ("content/series/c.yaml", 1),
        ("content/wiki/b.md", 2),
    ]
    assert all("expected UTF-8 text" in d.message for d in caught.value.diagnostics)
    (source / "site.yaml").write_bytes(b"title: T\nbase_url: https://x.example/\n# caf\xe9\n")
    with pytest.raises(ContentError) as caught:
        load_site(source, NOW)
    # An unreadable site.yaml no longer hides the content's own mistakes.
    assert [(d.path, d.line) for d in caught.value.diagnostics] == [
        ("content/chats/a.md", 2),
        ("content/series/c.yaml", 1),
        ("content/wiki/b.md", 2),
        ("site.yaml", 3),
        ("site.yaml", 3),  # ...which says what could not be checked without it
    ]
    assert "could not be used" in caught.value.diagnostics[-1].message


# --- slugs and paths ------------------------------------------------------------------


def test_slugs_from_paths() -> None:
    assert files.chat_slug("content/chats/2012-02-16-mentors.md") == "2012-02-16-mentors"
    assert files.chat_slug("content/chats/2012-02-16-mentors/index.md") == "2012-02-16-mentors"
    assert files.wiki_slug_parts("content/wiki/guides/mentors.md") == ("guides", "mentors")
    assert files.wiki_slug_parts("content/wiki/guides/index.md") == ("guides",)
    assert files.wiki_slug_parts("content/wiki/index.md") == ("index",)
    assert files.series_slug("content/series/weekly.yaml") == "weekly"
    assert files.series_slug("content/series/weekly.yml") == "weekly"


def test_check_slug_suggests_the_slug_a_name_could_be() -> None:
    out = Collector()
    assert files.check_slug("choosing-a-mentor", "x.md", out)
    assert not files.check_slug("Choosing A Mentor", "x.md", out, "path part")
    assert messages(out) == [
        "x.md: path part 'Choosing A Mentor' is not a URL slug; expected lowercase letters, "
        "digits and hyphens, like 'choosing-a-mentor'"
    ]


def test_normalise_resolves_dots_but_never_climbs_out() -> None:
    assert files.normalise(PurePosixPath("content/chats/a/./b/../x.csv")) == "content/chats/a/x.csv"
    assert files.normalise(PurePosixPath("content/../../x")) is None


# --- site.yaml ------------------------------------------------------------------------


def test_site_yaml_is_read_with_the_sites_own_themes(tmp_site: MakeSite) -> None:
    site_yaml = "title: T\nbase_url: https://x.example/\ntheme: branded\n"
    source = tmp_site({"site.yaml": site_yaml})
    with pytest.raises(ContentError) as caught:
        files.read_site_config(source)
    assert [(d.path, d.line, d.key) for d in caught.value.diagnostics] == [
        ("site.yaml", 3, "theme")
    ]
    (source / "themes/branded").mkdir(parents=True)
    cfg, diagnostics = files.read_site_config(source)
    assert cfg.theme == "branded" and diagnostics == []


def test_no_site_yaml_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no site.yaml in"):
        files.read_site_config(tmp_path)


def test_site_yaml_linked_out_of_the_site_is_refused(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({})
    (tmp_path / "elsewhere.yaml").write_text("title: T\nbase_url: https://x.example/\n")
    (source / "site.yaml").unlink()
    (source / "site.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(ContentError) as caught:
        files.read_site_config(source)
    (problem,) = caught.value.diagnostics
    assert problem.path == "site.yaml" and problem.message.startswith(OUTSIDE)


def test_a_folder_that_cannot_be_read_is_an_error_naming_it(
    tmp_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rather than a site published with that folder's write-ups silently missing.
    (Simulated: the tests may run as root, whom permissions do not stop.)"""
    source = tmp_site(
        {"content/chats/a/index.md": chat_md(), "content/chats/b.md": chat_md(title="B")}
    )
    real = files.os.scandir

    def scandir(path: str) -> object:
        if path.endswith("/content/chats/a"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    out = Collector()
    listing = files.list_chats(source, out)
    assert listing.sources == ("content/chats/b.md",)
    (problem,) = out.items
    assert problem.severity == "error" and problem.path == "content/chats/a"
    assert "cannot be read (Permission denied)" in problem.message
