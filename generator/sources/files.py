"""The site's own source files: which ones count, reading them, and their slugs.

Every reader of what a site author wrote (site.yaml, chats, wiki pages, series, and
the commands that add to them) lists and reads through here, so each guard exists
once and a new kind of file cannot forget one:

- a symbolic link leading outside the site is refused, never read: git stores links,
  so a pull request could otherwise publish any file the build machine can read;
- text must be UTF-8 (a BOM is fine), and a file that is not says at which line;
- hidden files and folders (`.git`, editor swap files, our own `.x.tmp-123`
  staging folders) are not content;
- names that become URLs must already be slugs;
- listings are sorted, never in directory order, so every build is the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.core.errors import Collector, ContentError, Diagnostic, UsageError, errors_only
from generator.core.model import SiteConfig
from generator.core.pickling import fast_pickle
from generator.core.schema import SLUG, slugify
from generator.core.text import NotUtf8, decode_utf8
from generator.sources.config import CONFIG_FILE, parse_config

CHATS_DIR = "content/chats"
WIKI_DIR = "content/wiki"
SERIES_DIR = "content/series"
SERIES_SUFFIXES = (".yaml", ".yml")
THEMES_DIR = "themes"
STATIC_DIR = "static"  # copied to the output root as it is (CNAME, favicon.ico)
# The one hidden folder a site publishes: RFC 8615's (security.txt, Matrix, Mastodon).
WELL_KNOWN = ".well-known"


@fast_pickle
@dataclass(frozen=True, slots=True)
class Listing:
    """What one content folder holds, as sorted source-relative POSIX paths."""

    files: tuple[str, ...]  # every file that may be read (what `archive:` may name)
    sources: tuple[str, ...]  # those read as chats, wiki pages or series
    refused: tuple[str, ...] = ()  # links out of the site: reported, never read


# --- the guards -----------------------------------------------------------------------


def _inside(source: Path, file: Path) -> bool:
    return file.resolve().is_relative_to(source.resolve())


def _refuse_link(source: Path, path: str, out: Collector) -> None:
    out.error(
        path,
        None,
        None,
        "is a symbolic link to a file outside the site; expected a file inside "
        f"{source}, so it was not read",
    )


def read_text(source: Path, path: str, out: Collector) -> str | None:
    """The text of the source-relative file `path`, or None with a diagnostic."""
    file = source / path
    if not _inside(source, file):
        _refuse_link(source, path, out)
        return None
    try:
        return decode_utf8(file.read_bytes())
    except OSError as exc:
        out.error(path, None, None, f"could not read the file: {exc.strerror}")
    except NotUtf8 as exc:
        out.error(path, exc.line, None, str(exc))
    return None


def symlinked_folder(source: Path, path: str) -> str | None:
    """The first folder on the way from the site to the source-relative `path` that
    is a symbolic link, or None.

    Reading and writing agree on folder links: a linked chat bundle (or a linked
    content/ or content/chats/) is refused by build, check, import and new chat
    alike. Otherwise build would skip it while import wrote posts.json through it,
    into whatever folder it points at, inside the site or not.
    """
    current = source
    for part in PurePosixPath(path).parts:
        current = current / part
        if current.is_symlink() and current.is_dir():
            return current.relative_to(source).as_posix()
    return None


def refuse_symlinked_folder(source: Path, path: str) -> None:
    """Raise UsageError before a command writes `path` through a linked folder."""
    linked = symlinked_folder(source, path)
    if linked is not None:
        raise UsageError(
            f"{source / linked} is a symbolic link to a folder; expected a real folder "
            "inside the site, so nothing was written"
        )


def _refuse_linked_folder(path: str, out: Collector) -> None:
    out.error(
        path,
        None,
        None,
        "is a symbolic link to a folder; expected a real folder inside the site, "
        "so nothing in it was read",
    )


def _walk(
    source: Path,
    folder: str,
    out: Collector,
    recursive: bool = True,
    visible: frozenset[str] = frozenset(),
) -> Listing:
    """Every non-hidden file under `folder`; links out of the site and linked folders
    are reported. `visible`: hidden names that count all the same."""
    root = source / folder
    linked = symlinked_folder(source, folder)
    if linked is not None:
        _refuse_linked_folder(linked, out)
        return Listing((), (), (linked,))
    if not root.is_dir():
        return Listing((), ())
    found: list[str] = []
    refused: list[str] = []
    for rel, entry in _entries(root, folder, recursive, visible, out):
        if entry.is_symlink() and entry.is_dir():
            _refuse_linked_folder(rel, out)
            refused.append(rel)
            continue
        if not entry.is_file():
            continue
        # Linked folders are never entered, and the folders above `root` are
        # checked: only a file that is itself a link can lead out of the site.
        if entry.is_symlink() and not _inside(source, Path(entry.path)):
            _refuse_link(source, rel, out)
            refused.append(rel)
            continue
        found.append(rel)
    return Listing(tuple(found), (), tuple(refused))


def _entries(
    root: Path, folder: str, recursive: bool, visible: frozenset[str], out: Collector
) -> list[tuple[str, os.DirEntry[str]]]:
    """Every entry under `root` (named from the site folder) but hidden ones and what
    is in them, never entering a linked folder, sorted as paths (by their parts).

    os.scandir rather than Path.rglob: the entries know their type without a stat
    each, which made listing a site of thousands of write-ups several times slower
    than reading the few that changed."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    pending = [(str(root), folder)]
    while pending:
        where, named = pending.pop()
        try:
            with os.scandir(where) as listing:
                entries = list(listing)
        except OSError as exc:  # said, rather than a site with pages silently missing
            reason = exc.strerror or type(exc).__name__
            out.error(
                named,
                None,
                None,
                f"cannot be read ({reason}); expected a folder chatwiki "
                "can list, so nothing in it was read",
            )
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.name not in visible:
                continue
            rel = f"{named}/{entry.name}"
            found.append((rel, entry))
            if recursive and entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, rel))
    found.sort(key=lambda item: item[0].split("/"))
    return found


# --- which files count ----------------------------------------------------------------


def list_chats(source: Path, out: Collector) -> Listing:
    """Write-ups are `x.md` and the bundle `x/index.md`; archives sit beside them.

    Any other Markdown file is warned about: a write-up saved as `x.MD` or in a
    nested folder would otherwise vanish from the site without a word.
    """
    walked = _walk(source, CHATS_DIR, out)
    sources = []
    for f in walked.files:
        parts = f[len(CHATS_DIR) + 1 :].split("/")  # plain strings: thousands of files
        suffix = _suffix(parts[-1])
        if suffix == ".md" and (len(parts) == 1 or (len(parts) == 2 and parts[1] == "index.md")):
            sources.append(f)
        elif suffix.lower() in (".md", ".markdown"):
            out.warning(
                f,
                None,
                None,
                "is not read as a chat; expected content/chats/<slug>.md or "
                "content/chats/<slug>/index.md (only index.md in a bundle is a write-up)",
            )
    return Listing(walked.files, tuple(sources), walked.refused)


def _suffix(name: str) -> str:
    """PurePosixPath(name).suffix, without making a path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def list_wiki(source: Path, out: Collector) -> Listing:
    """Every `.md` file under content/wiki, at any depth: folders are sections."""
    walked = _walk(source, WIKI_DIR, out)
    sources = tuple(f for f in walked.files if f.endswith(".md"))
    return Listing(walked.files, sources, walked.refused)


def list_series(source: Path, out: Collector) -> Listing:
    """The `.yaml`/`.yml` files directly in content/series; anything else is warned about."""
    walked = _walk(source, SERIES_DIR, out, recursive=False)
    sources = []
    for f in walked.files:
        if PurePosixPath(f).suffix in SERIES_SUFFIXES:
            sources.append(f)
        else:
            out.warning(f, None, None, "ignored: expected series files to end in .yaml or .yml")
    return Listing(walked.files, tuple(sources), walked.refused)


def list_static(source: Path, out: Collector) -> Listing:
    """The site's `static/` folder, published at the output root as it is.

    Hidden files (.DS_Store, .gitkeep, editor swap files) are left out as everywhere
    else, except `.well-known/`, whose whole point is to be published.
    """
    walked = _walk(source, STATIC_DIR, out, visible=frozenset({WELL_KNOWN}))
    return Listing(walked.files, walked.files, walked.refused)


def normalise(path: PurePosixPath) -> str | None:
    """Resolve `.` and `..` lexically; None if it climbs above the source root."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


# --- slugs ----------------------------------------------------------------------------


def check_slug(value: str, path: str, out: Collector, what: str = "file name") -> bool:
    """A name that becomes part of a URL must already be a slug: say which one it could be."""
    if SLUG.match(value):
        return True
    out.error(
        path,
        None,
        None,
        f"{what} {value!r} is not a URL slug; expected lowercase letters, digits and "
        f"hyphens, like {slugify(value)!r}",
    )
    return False


def chat_slug(path: str) -> str:
    """`content/chats/x.md` and the bundle `content/chats/x/index.md` are both chat `x`."""
    p = PurePosixPath(path)
    return p.parent.name if p.name == "index.md" else p.stem


def wiki_slug_parts(path: str) -> tuple[str, ...]:
    """`content/wiki/a/b.md` is page `a/b`; `a/index.md` is the section page `a`."""
    rel = PurePosixPath(path).relative_to(WIKI_DIR).with_suffix("")
    return rel.parts[:-1] if rel.name == "index" and len(rel.parts) > 1 else rel.parts


def series_slug(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    for suffix in SERIES_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


# --- site.yaml ------------------------------------------------------------------------


def site_themes(source: Path) -> frozenset[str]:
    """The theme folders a site has; site.yaml's `theme:` may name any of them."""
    return frozenset(p.name for p in (source / THEMES_DIR).glob("*") if p.is_dir())


def load_site_config(source: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """site.yaml through the file guards, with the site's own theme folders (a site
    with `theme: branded` is valid for `new` as for `build`): the config, or None
    with the diagnostics that say why, so a build can go on checking what does not
    need it.

    Raises UsageError when there is no site.yaml: then this is not a site at all.
    """
    if not (source / CONFIG_FILE).is_file():
        raise UsageError(f"no {CONFIG_FILE} in {source}: is this a chatwiki site?")
    out = Collector()
    text = read_text(source, CONFIG_FILE, out)
    if text is None:
        return None, out.items
    return parse_config(text, themes=site_themes(source), partial=True)


def read_site_config(source: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """site.yaml as commands that need it read it: raises UsageError when there is
    no site.yaml, ContentError when it is unusable."""
    cfg, found = load_site_config(source)
    if cfg is None or errors_only(found):
        raise ContentError(errors_only(found) or found)
    return cfg, found
