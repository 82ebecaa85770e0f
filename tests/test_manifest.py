"""The look at a site's files that lets an unchanged rebuild stop at once: every
change a build could see must show in it, or a stale site would stay published."""

from __future__ import annotations

import os
from pathlib import Path

from generator.publish.manifest import TreeState, look


def make_tree(root: Path) -> Path:
    (root / "content/chats").mkdir(parents=True)
    (root / "content/chats/a.md").write_text("---\ntitle: A\n---\nText.\n")
    (root / "site.yaml").write_text("title: T\n")
    return root


def test_an_untouched_tree_looks_the_same(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    roots = (root / "site.yaml", root / "content", root / "static")
    assert look(roots).still_true(look(roots))


def test_every_kind_of_change_shows(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    roots = (root / "site.yaml", root / "content", root / "static")
    chat = root / "content/chats/a.md"
    changes = [
        lambda: (root / "content/chats/b.md").write_text("new"),  # a new file
        lambda: (root / "content/chats/b.md").unlink(),  # a file removed
        lambda: chat.write_text(chat.read_text().replace("Text", "Txet")),  # same size
        lambda: (root / "static").mkdir(),  # a root that was missing
        lambda: os.symlink(chat, root / "static/linked.md"),  # a link
        lambda: os.chmod(chat, 0o600),  # permissions
    ]
    for change in changes:
        before = look(roots)
        change()
        assert not before.still_true(look(roots)), change


def test_a_racy_file_is_checked_by_its_content(tmp_path: Path) -> None:
    """A file changed just before the look is also recorded by its content: an edit
    that a coarse file-system clock would hide (same stat) still shows."""
    root = make_tree(tmp_path)
    roots = (root / "content",)
    before = look(roots)
    assert [Path(p).name for p, _ in before.racy] == ["a.md"]  # written just now
    (root / "content/chats/a.md").write_text("---\ntitle: B\n---\nText.\n")
    same_stat = TreeState(before.stats, ())  # as a coarse clock would see it
    assert not before.still_true(same_stat)
    assert TreeState(before.stats, ()).still_true(same_stat)


def test_the_output_is_looked_at_without_reading_it(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert look((root,), hash_racy=False).racy == ()
