"""The output step: refuses unsafe directories, never leaves a half-written site."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.core.errors import OutputError
from generator.publish.write import MARKER, check_output_dir, publish


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "site"
    for rel in ("site.yaml", "content/chats/a.md", "themes/default/templates/base.html"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("user data")
    return src


@pytest.mark.parametrize(
    ("out_rel", "reason"),
    [
        ("site", "the site source itself"),
        (".", "contains the site source"),
        ("site/content", "inside the source's content/ folder"),
        ("site/content/chats/out", "inside the source's content/ folder"),
        ("site/themes", "inside the source's themes/ folder"),
        ("site/.git/x", "inside a .git folder"),
        ("elsewhere/.git", "inside a .git folder"),
        ("elsewhere/.git/objects/out", "inside a .git folder"),
    ],
)
def test_refused_output_dirs_touch_nothing(
    tmp_path: Path, source: Path, out_rel: str, reason: str
) -> None:
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match=reason):
        publish(tmp_path / out_rel, source, [("index.html", b"x")])
    assert snapshot(tmp_path) == before


def test_refuses_a_git_checkout_and_a_foreign_nonempty_dir(tmp_path: Path, source: Path) -> None:
    repo = tmp_path / "elsewhere"
    (repo / ".git").mkdir(parents=True)
    with pytest.raises(OutputError, match="git checkout"):
        publish(repo, source, [("index.html", b"x")])
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.md").write_text("mine")
    with pytest.raises(OutputError, match="not created by chatwiki"):
        publish(docs, source, [("index.html", b"x")])
    assert (docs / "thesis.md").read_text() == "mine"
    assert not (docs / "index.html").exists()


def test_refuses_a_symlinked_output(tmp_path: Path, source: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        check_output_dir(tmp_path / "link", source)


def test_build_then_rebuild_replaces_the_whole_tree(tmp_path: Path, source: Path) -> None:
    out = source / "output"
    assert publish(out, source, [("index.html", b"one"), ("chats/a/index.html", b"a")]) == 2
    assert (out / MARKER).is_file()
    publish(out, source, [("index.html", b"two")])
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "chats").exists()  # stale pages do not linger
    assert sorted(p.name for p in source.iterdir()) == [
        ".output.lock",
        ".output.spare",  # the site it replaced, the next build's staging folder
        "content",
        "output",
        "site.yaml",
        "themes",
    ]


def test_a_build_failing_midway_leaves_the_old_output(tmp_path: Path, source: Path) -> None:
    out = source / "output"
    publish(out, source, [("index.html", b"old"), ("chats/a/index.html", b"old a")])
    before = snapshot(out)

    def files() -> Iterator[tuple[str, bytes]]:
        yield "index.html", b"new"
        raise RuntimeError("template exploded")

    with pytest.raises(RuntimeError, match="template exploded"):
        publish(out, source, files())
    assert snapshot(out) == before
    leftovers = [p.name for p in source.iterdir() if p.name.startswith(".output")]
    assert leftovers == [".output.lock"]


def test_leftovers_of_a_killed_build_are_removed_next_time(tmp_path: Path, source: Path) -> None:
    stale = source / ".output.tmp-99999"
    stale.mkdir()
    (stale / MARKER).write_text("")
    not_ours = source / ".output.tmp-12345"
    not_ours.mkdir()
    (not_ours / "notes.txt").write_text("keep")
    publish(source / "output", source, [("index.html", b"x")])
    assert not stale.exists()
    assert (not_ours / "notes.txt").read_text() == "keep"


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a/../../b", ""])
def test_paths_cannot_escape_the_output(tmp_path: Path, source: Path, bad: str) -> None:
    with pytest.raises(OutputError, match="not a plain relative path"):
        publish(source / "output", source, [(bad, b"x")])
    assert not (tmp_path / "escape.html").exists()
    assert not (source / "output").exists()


def test_a_concurrent_build_is_refused(tmp_path: Path, source: Path) -> None:
    out = source / "output"

    def files() -> Iterator[tuple[str, bytes]]:
        with pytest.raises(OutputError, match="another chatwiki build"):
            publish(out, source, [("index.html", b"second")])
        yield "index.html", b"first"

    publish(out, source, files())
    assert (out / "index.html").read_bytes() == b"first"


def test_a_swap_killed_midway_is_recovered_even_if_the_next_build_fails(
    tmp_path: Path, source: Path
) -> None:
    out = source / "output"
    publish(out, source, [("index.html", b"good")])
    (out).rename(source / ".output.old-4242")  # killed between the two renames

    def failing() -> Iterator[tuple[str, bytes]]:
        raise RuntimeError("broken template")
        yield "x", b""  # pragma: no cover

    with pytest.raises(RuntimeError):
        publish(out, source, failing())
    assert (out / "index.html").read_bytes() == b"good"
    assert not (source / ".output.old-4242").exists()


def test_unchanged_files_are_kept_and_changed_ones_written(tmp_path: Path, source: Path) -> None:
    from generator.publish.write import publish_site

    out = source / "output"
    publish(out, source, [("index.html", b"same"), ("chats/a/index.html", b"old a")])
    kept = (out / "index.html").stat()
    done = publish_site(out, source, [("index.html", b"same"), ("chats/a/index.html", b"new a")])
    assert (done.files, done.written, done.reused) == (2, 1, 1)
    now = (out / "index.html").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert (out / "chats/a/index.html").read_bytes() == b"new a"


def test_an_unchanged_file_behind_a_symlink_is_written_not_linked(
    tmp_path: Path, source: Path
) -> None:
    """A folder of the output swapped for a link out of it: the file there is never
    hard-linked into the new site (which would tie it to a file outside)."""
    out = source / "output"
    publish(out, source, [("index.html", b"x"), ("chats/a/index.html", b"page")])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_bytes(b"page")
    shutil.rmtree(out / "chats/a")
    (out / "chats/a").symlink_to(elsewhere)
    publish(out, source, [("index.html", b"x"), ("chats/a/index.html", b"page")])
    written = out / "chats/a/index.html"
    assert not (out / "chats/a").is_symlink()
    assert written.stat().st_ino != (elsewhere / "index.html").stat().st_ino


def site_of(out: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in snapshot(out).items() if rel != MARKER}


def test_builds_into_the_recycled_spare_make_exactly_each_site(
    tmp_path: Path, source: Path
) -> None:
    """Each build goes into the folder of the site before last: whatever that held
    (other pages, a file where a folder now goes and back), the output is exactly
    the new site, and the site being replaced is never changed while it is live."""
    out = source / "output"
    sites: list[dict[str, bytes]] = [
        {"index.html": b"0", "x/index.html": b"x0", "keep/a.css": b"same"},
        {"index.html": b"1", "x": b"x is a file now", "keep/a.css": b"same"},
        {"index.html": b"2", "x/index.html": b"x2", "y/z/index.html": b"deep"},
        {"index.html": b"3", "y": b"y file", "keep/a.css": b"same"},
        {"index.html": b"3", "y": b"y file", "keep/a.css": b"same"},
        {"index.html": b"5", "x/index.html": b"x0", "keep/a.css": b"changed"},
    ]
    previous: dict[str, bytes] | None = None
    for site in sites:

        def files(
            site: dict[str, bytes] = site, previous: dict[str, bytes] | None = previous
        ) -> Iterator[tuple[str, bytes]]:
            for rel, data in site.items():
                yield rel, data
                if previous is not None:  # the live site is untouched mid-build
                    assert site_of(out) == previous

        publish(out, source, files())
        assert site_of(out) == site
        previous = site


def test_a_spare_with_a_link_in_it_is_not_built_into(tmp_path: Path, source: Path) -> None:
    out = source / "output"
    publish(out, source, [("index.html", b"one"), ("chats/a/index.html", b"a")])
    publish(out, source, [("index.html", b"two"), ("chats/a/index.html", b"a")])
    spare = source / ".output.spare"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(spare / "chats/a")
    (spare / "chats/a").symlink_to(elsewhere)
    publish(out, source, [("index.html", b"three"), ("chats/a/index.html", b"new a")])
    assert site_of(out) == {"index.html": b"three", "chats/a/index.html": b"new a"}
    assert list(elsewhere.iterdir()) == []


def test_a_folder_replaced_in_a_published_site_is_whole_or_as_it_was(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve swaps a new search bundle into the site it serves: the new folder when
    all went well, else the old one, never none."""
    import os

    from generator.publish import write

    out = source / "output"
    publish(out, source, [("index.html", b"x"), ("pagefind/a.js", b"old")])

    def fill(folder: Path) -> None:
        folder.mkdir()
        (folder / "a.js").write_bytes(b"new")

    write.replace_folder(out, "pagefind", fill)
    assert (out / "pagefind/a.js").read_bytes() == b"new"

    def broken(folder: Path) -> None:
        fill(folder)
        raise OutputError("Pagefind failed")

    with pytest.raises(OutputError):
        write.replace_folder(out, "pagefind", broken)
    assert (out / "pagefind/a.js").read_bytes() == b"new"
    real = os.rename
    calls = []

    def second_fails(a: object, b: object) -> None:
        calls.append(a)
        if len(calls) == 2:
            raise OSError("disk full")
        real(a, b)  # type: ignore[arg-type]

    (out / "pagefind/a.js").write_bytes(b"kept")
    monkeypatch.setattr(write.os, "rename", second_fails)
    with pytest.raises(OSError):
        write.replace_folder(out, "pagefind", fill)
    monkeypatch.undo()
    assert (out / "pagefind/a.js").read_bytes() == b"kept"
    leftovers = [
        p.name for p in out.parent.iterdir() if p.name.startswith((".output.new", ".output.old"))
    ]
    assert leftovers == []
