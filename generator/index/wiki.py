"""The wiki link index: every `[[...]]` resolved against the site, and the backlinks.

Markdown rendering records links without knowing which pages exist (see
`generator/markdown/wikilinks.py`); this stage, which sees the whole site, decides
where each one goes. Its inputs are explicit sequences: *targets* (anything a link
can name: wiki pages, chats, topics, series) and *sources* (pages whose Markdown
holds links). A new kind of page is one more sequence of `LinkTarget`s.

Resolution rules, in order:
- Names are compared case-insensitively, with `-`, `_` and runs of spaces treated
  as one space: `[[chat etiquette]]`, `[[Chat_Etiquette]]` and `[[chat-etiquette]]`
  are the same link.
- A target is known by its title, its declared aliases, and its slug (a wiki
  page's path under content/wiki and its file name; a chat's file name; a topic's
  or series' slug).
- `[[kind:Name]]` (kind = wiki, chat, topic or series) looks only at that kind.
- A name someone declared (a title or an alias) beats a slug or file name, which
  only happens to match: `[[Chartership]]` goes to the page with that alias, not
  to a series whose file is chartership.yaml, and that is not ambiguous.
- When one name of the winning kind belongs to several targets, the link still
  works (a wiki page wins over a chat, a chat over a topic, a topic over a series;
  then a title over an alias; then the smaller slug) and a warning names every
  candidate with the file declaring it: the author may have meant another one.
  `[[topic:Name]]` says which.
- `#Heading` matches the target's heading text the same way, or its anchor id.
  A missing heading is a warning and the link goes to the top of the page. Topic
  and series pages have no headings known here, so their anchors pass unchecked.
- Names may start with `#` ("#uklibcpd lunchtime chat"). `[[#Name]]` is a heading
  on the same page when there is one; otherwise it links to the page called
  "#Name", shown as "#Name". When both exist the heading wins, with a warning
  suggesting `[[series:#Name]]`. `[[chat:#Name]]` and `[[series:#Name]]` always
  mean the name.
- A link a table row cut in two (an unescaped `|`) is an error, never a guess.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from mdit_py_plugins.anchors.index import slugify

from generator.core import urls
from generator.core.errors import Diagnostic
from generator.core.frozenmap import EMPTY, FrozenMap
from generator.core.model import Chat, Heading, Series, TopicDef, WikiLinkRef, WikiPage
from generator.core.pickling import fast_pickle
from generator.markdown.wikilinks import MARKER_PATTERN, NAMESPACES
from generator.sources.gitinfo import FileHistory, GitHistory

TargetKind = Literal["wiki", "chat", "topic", "series"]
# Who wins a shared name: the order is also the one documented in docs/wiki.md.
KIND_ORDER: tuple[TargetKind, ...] = ("wiki", "chat", "topic", "series")
KIND_NAMES: Mapping[TargetKind, str] = FrozenMap(
    {"wiki": "wiki page", "chat": "chat", "topic": "topic", "series": "series"}
)
CONFIG_PATH = "site.yaml"  # where topics are declared, for messages
RECENTLY_CHANGED = 10

_SEPARATORS = re.compile(r"[\s_\-]+")
# How a name was matched: a title beats an alias beats a slug or file name.
_TITLE, _ALIAS, _SLUG = 0, 1, 2


def normalise(name: str) -> str:
    """The form names are compared in: case-, space-, hyphen- and underscore-blind."""
    return _SEPARATORS.sub(" ", name.casefold()).strip()


@fast_pickle
@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Something a wiki link can name."""

    kind: TargetKind
    key: str  # the slug: unique within its kind
    title: str
    url: str  # site-relative, from generator/core/urls.py
    defined_in: str  # the file that declares it, for messages
    aliases: tuple[str, ...] = ()
    slugs: tuple[str, ...] = ()  # slug-like names: path, file name
    headings: tuple[Heading, ...] | None = None  # None: not known (anchors unchecked)

    @property
    def ident(self) -> tuple[str, str]:
        return (self.kind, self.key)

    def describe(self) -> str:
        return f"the {KIND_NAMES[self.kind]} {self.title!r} ({self.defined_in})"


@fast_pickle
@dataclass(frozen=True, slots=True)
class LinkSource:
    """A page whose Markdown holds links: itself a target (for `[[#Heading]]`)."""

    page: LinkTarget
    path: str  # the source file the links' line numbers refer to
    links: tuple[WikiLinkRef, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class ResolvedLink:
    ref: WikiLinkRef
    url: str | None  # site-relative, with `#anchor` when one was found; None: missing
    target: LinkTarget | None
    # What the reader sees instead of the Markdown stage's label, when only the
    # resolver knows it: `[[#Name]]` read "Name" as a heading and "#Name" as a page.
    text: str | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class Backlink:
    """A page that links to another one."""

    title: str
    url: str
    kind: TargetKind


@fast_pickle
@dataclass(frozen=True, slots=True)
class LinkIndex:
    """What `build_link_index` found: links per source file, backlinks, problems."""

    resolved: FrozenMap[str, tuple[ResolvedLink, ...]] = EMPTY
    backlinks: FrozenMap[tuple[str, str], tuple[Backlink, ...]] = EMPTY
    diagnostics: tuple[Diagnostic, ...] = ()

    def links_in(self, source_path: str) -> tuple[ResolvedLink, ...]:
        """The links of one source file, in the order of the markers in its HTML."""
        return self.resolved.get(source_path, ())

    def backlinks_to(self, kind: TargetKind, key: str) -> tuple[Backlink, ...]:
        """Pages linking to the target, sorted by title, each once."""
        return self.backlinks.get((kind, key), ())


NO_LINKS = LinkIndex()  # a site without links; the default for callers that have none


# --- targets and sources from the model --------------------------------------------


def wiki_target(page: WikiPage) -> LinkTarget:
    name = page.slug.rsplit("/", 1)[-1]
    return LinkTarget(
        "wiki",
        page.slug,
        page.title,
        urls.wiki_page(page.slug),
        page.source_path,
        page.aliases,
        (page.slug, name) if name != page.slug else (page.slug,),
        page.body.toc,
    )


def chat_target(chat: Chat) -> LinkTarget:
    return LinkTarget(
        "chat",
        chat.slug,
        chat.title,
        urls.chat(chat.slug),
        chat.source_path,
        (),
        (chat.slug,),
        chat.body.toc,
    )


def topic_target(topic: TopicDef) -> LinkTarget:
    return LinkTarget(
        "topic",
        topic.slug,
        topic.name,
        urls.topic(topic.slug),
        CONFIG_PATH,
        topic.aliases,
        (topic.slug,),
    )


def series_target(series: Series) -> LinkTarget:
    # Not by hashtag: chats share it, and `[[#chartership]]` means a heading first.
    return LinkTarget(
        "series",
        series.slug,
        series.name,
        urls.series(series.slug),
        series.source_path,
        (),
        (series.slug,),
    )


def link_targets(
    wiki: Sequence[WikiPage],
    chats: Sequence[Chat],
    topics: Sequence[TopicDef],
    series: Sequence[Series] = (),
) -> tuple[LinkTarget, ...]:
    """Every target of the site, in the order of `KIND_ORDER`."""
    return (
        *map(wiki_target, wiki),
        *map(chat_target, chats),
        *map(topic_target, topics),
        *map(series_target, series),
    )


def link_sources(wiki: Sequence[WikiPage], chats: Sequence[Chat]) -> tuple[LinkSource, ...]:
    """The pages whose Markdown may hold links."""
    return (
        *(LinkSource(wiki_target(p), p.source_path, p.body.links) for p in wiki),
        *(LinkSource(chat_target(c), c.source_path, c.body.links) for c in chats),
    )


# --- resolution -----------------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Candidate:
    rank: int
    target: LinkTarget

    @property
    def declared(self) -> bool:
        """Matched by a title or alias someone wrote, not by a slug."""
        return self.rank < _SLUG

    def order(self) -> tuple[bool, int, int, str]:
        kind = KIND_ORDER.index(self.target.kind)
        return (not self.declared, kind, self.rank, self.target.key)


def _name_table(targets: Iterable[LinkTarget]) -> dict[str, list[_Candidate]]:
    table: dict[str, dict[tuple[str, str], _Candidate]] = {}
    for target in targets:
        names = [(_TITLE, target.title)]
        names += [(_ALIAS, a) for a in target.aliases]
        names += [(_SLUG, s) for s in target.slugs]
        for rank, name in names:
            key = normalise(name)
            if not key:
                continue
            slot = table.setdefault(key, {})
            known = slot.get(target.ident)
            if known is None or rank < known.rank:
                slot[target.ident] = _Candidate(rank, target)
    return {k: sorted(v.values(), key=_Candidate.order) for k, v in table.items()}


def _lookup(table: Mapping[str, list[_Candidate]], text: str) -> list[_Candidate]:
    found = table.get(normalise(text))
    if found:
        return found
    kind, colon, rest = text.partition(":")
    if colon and kind.strip().lower() in NAMESPACES:
        wanted = kind.strip().lower()
        return [c for c in table.get(normalise(rest), ()) if c.target.kind == wanted]
    return []


def _find_heading(target: LinkTarget, text: str) -> str | None:
    """The anchor id of the heading `text` names on `target`, or None."""
    if target.headings is None:
        return slugify(text.strip())  # "" (nothing usable) links to the page itself
    wanted = normalise(text)
    for heading in target.headings:
        if heading.anchor and normalise(heading.title) == wanted:
            return heading.anchor
    for heading in target.headings:
        if heading.anchor and heading.anchor in (text.strip(), slugify(text.strip())):
            return heading.anchor
    return None


def _suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean "X"?` for a near miss (a typo, or the start of a longer name)."""
    return _Suggester(choices)(word)


class _Suggester:
    """Near-miss suggestions against one set of names, prepared once per build.

    Normalising and sorting every page name for each missing link made a site with
    4,000 chats and a few hundred broken links take seconds; answers are memoised
    too, since one renamed page is usually linked from many places.
    """

    def __init__(self, choices: Iterable[str]) -> None:
        self.by_form: dict[str, str] = {}
        for choice in sorted(choices):
            self.by_form.setdefault(normalise(choice), choice)
        self.forms = list(self.by_form)
        self.memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        wanted = normalise(word)
        if wanted not in self.memo:
            close = difflib.get_close_matches(wanted, self.forms, n=1, cutoff=0.6)
            if not close and wanted:
                close = [form for form in self.forms if form.startswith(wanted + " ")][:1]
            self.memo[wanted] = f'; did you mean "{self.by_form[close[0]]}"?' if close else ""
        return self.memo[wanted]


def _warning(path: str, ref: WikiLinkRef, message: str) -> Diagnostic:
    return Diagnostic(path, ref.line, f"[[{ref.raw}]]", message, severity="warning")


def build_link_index(
    targets: Sequence[LinkTarget],
    sources: Sequence[LinkSource],
    unpublished: Sequence[LinkTarget] = (),
) -> LinkIndex:
    """Resolve every source's links; collect backlinks and warnings.

    `unpublished` (drafts left out of this build) only improves the message for a
    link to one of them: it is still a missing link.
    """
    table = _name_table(targets)
    hidden = _name_table(unpublished)
    suggest = _Suggester(n for t in targets for n in (t.title, *t.aliases))
    suggest_hash = _Suggester(
        n for t in targets for n in (t.title, *t.aliases) if n.startswith("#")
    )
    resolved: dict[str, tuple[ResolvedLink, ...]] = {}
    linking: dict[tuple[str, str], dict[str, Backlink]] = {}
    problems: list[Diagnostic] = []
    for source in sources:
        results = []
        for ref in source.links:
            if ref.problem is not None:
                problems.append(replace(_warning(source.path, ref, ref.problem), severity="error"))
                results.append(ResolvedLink(ref, None, None))
                continue
            target: LinkTarget | None = source.page
            text = None
            by_name = False  # `[[#Name]]` that named a page, not a heading
            if not ref.target and ref.anchor:
                named, found = _hash_name(table, source, ref)
                problems += found
                if named is not None:
                    target, by_name = named, True
                    text = None if ref.label else "#" + ref.anchor
            elif ref.target:
                candidates = _lookup(table, ref.target)
                target = candidates[0].target if candidates else None
                rivals = [c for c in candidates if c.declared == candidates[0].declared]
                if len(rivals) > 1:
                    problems.append(_ambiguous(source.path, ref, rivals))
                if target is None:
                    problems.append(_missing(source.path, ref, hidden, suggest))
            if target is None:
                results.append(ResolvedLink(ref, None, None))
                continue
            url = target.url
            if ref.anchor and not by_name:
                anchor = _find_heading(target, ref.anchor)
                if anchor is None:
                    headings = [h.title for h in target.headings or () if h.anchor]
                    hint = _suggest(ref.anchor, headings)
                    if not ref.target and not hint:  # `[[#Name]]`: a name may be near
                        hint = suggest_hash("#" + ref.anchor)
                    problems.append(
                        _warning(
                            source.path,
                            ref,
                            f'{target.title!r} has no heading "{ref.anchor}"' + hint,
                        )
                    )
                elif anchor:
                    url = urls.with_fragment(url, anchor)
            results.append(ResolvedLink(ref, url, target, text))
            if target.ident != source.page.ident:
                linking.setdefault(target.ident, {})[source.page.url] = Backlink(
                    source.page.title, source.page.url, source.page.kind
                )
        resolved[source.path] = tuple(results)
    backlinks = {
        ident: tuple(sorted(found.values(), key=lambda b: (b.title.casefold(), b.url)))
        for ident, found in linking.items()
    }
    return LinkIndex(
        FrozenMap(resolved),
        FrozenMap(backlinks),
        tuple(sorted(problems, key=Diagnostic.sort_key)),
    )


def _hash_name(
    table: Mapping[str, list[_Candidate]], source: LinkSource, ref: WikiLinkRef
) -> tuple[LinkTarget | None, list[Diagnostic]]:
    """The page `[[#Name]]` names when `source` has no heading "Name", and warnings.

    A heading wins over a name, since `[[#Heading]]` was a same-page link first;
    when both exist the author hears of the other one.
    """
    assert ref.anchor is not None
    candidates = _lookup(table, "#" + ref.anchor)
    if not candidates:
        return None, []
    chosen = candidates[0].target
    prefixed = f"[[{chosen.kind}:#{ref.anchor}]]"
    if _find_heading(source.page, ref.anchor) is not None:
        return None, [
            _warning(
                source.path,
                ref,
                f'"#{ref.anchor}" could be the heading "{ref.anchor}" on this page or '
                f"{chosen.describe()}; linking to the heading (write {prefixed} for the "
                f"{KIND_NAMES[chosen.kind]})",
            )
        ]
    rivals = [c for c in candidates if c.declared == candidates[0].declared]
    named = replace(ref, target="#" + ref.anchor, anchor=None)
    found = [_ambiguous(source.path, named, rivals)] if len(rivals) > 1 else []
    return chosen, found


def _ambiguous(path: str, ref: WikiLinkRef, candidates: Sequence[_Candidate]) -> Diagnostic:
    chosen = candidates[0].target
    others = " or ".join(c.target.describe() for c in candidates[1:])
    name = ref.target.partition(":")[2].strip() if _is_namespaced(ref.target) else ref.target
    other_kind = next((c.target.kind for c in candidates if c.target.kind != chosen.kind), None)
    # A prefix only helps when the rivals are of different kinds.
    fix = f"write [[{other_kind}:{name}]] for the other, or " if other_kind else ""
    return _warning(
        path,
        ref,
        f'"{ref.target}" could be {chosen.describe()} or {others}; linking to the '
        f"{KIND_NAMES[chosen.kind]} ({fix}give the pages different names)",
    )


def _is_namespaced(text: str) -> bool:
    kind, colon, _ = text.partition(":")
    return bool(colon) and kind.strip().lower() in NAMESPACES


def _missing(
    path: str,
    ref: WikiLinkRef,
    hidden: Mapping[str, list[_Candidate]],
    suggest: _Suggester,
) -> Diagnostic:
    draft = _lookup(hidden, ref.target)
    if draft:
        return _warning(
            path,
            ref,
            f'"{ref.target}" is {draft[0].target.describe()}, a draft that this build leaves '
            "out; the link is shown as missing",
        )
    return _warning(path, ref, f'no page called "{ref.target}"' + suggest(ref.target))


# --- turning markers into links -------------------------------------------------------


def rewrite_links(body_html: str, links: Sequence[ResolvedLink], href: Callable[[str], str]) -> str:
    """Replace the Markdown stage's link markers in `body_html` with anchors.

    `href` turns a site-relative URL into what the page needs (a relative URL on a
    page, an absolute one in a feed). A missing target becomes an `<a>` without an
    href (nothing to follow, nothing to 404 on), styled as missing and saying so to
    screen readers too. A marker with no resolution (HTML from a page that was not
    indexed) keeps just its label.
    """

    def replace(match: re.Match[str]) -> str:
        number = int(match["index"])
        label = match["label"]  # already escaped by the Markdown renderer
        if number >= len(links):
            return label
        link = links[number]
        if link.text is not None:
            label = html.escape(link.text, quote=False)
        if link.url is None:
            title = html.escape(f'No page called "{link.ref.target}" yet', quote=True)
            return (
                f'<a class="wikilink missing" title="{title}">{label}'
                '<span class="visually-hidden"> (page does not exist yet)</span></a>'
            )
        return f'<a href="{html.escape(href(link.url), quote=True)}" class="wikilink">{label}</a>'

    return MARKER_PATTERN.sub(replace, body_html)


# --- the wiki index page ------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class WikiSection:
    """A folder under content/wiki, as the wiki index lists it."""

    path: str  # "" for the top level, "qualifications", "qualifications/uk"
    title: str
    depth: int  # 0 for the top level
    pages: tuple[WikiPage, ...]  # sorted by title
    index_page: WikiPage | None  # the folder's own index.md, if it has one

    @property
    def anchor(self) -> str:
        """The id of the section's heading on the wiki index page."""
        return "s-" + self.path.replace("/", "-")


def wiki_sections(pages: Sequence[WikiPage]) -> tuple[WikiSection, ...]:
    """Pages grouped by folder, parents before children, each folder named once.

    A folder's title is the title of its `index.md` when it has one, else the folder
    name in words. Folders holding only sub-folders still appear, so the nesting reads
    correctly.
    """
    by_slug = {p.slug: p for p in pages}
    paths = {""}
    for page in pages:
        parts = page.section.split("/") if page.section else []
        paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    sections = []
    for path in sorted(paths, key=lambda p: p.split("/") if p else []):
        members = tuple(
            sorted(
                (p for p in pages if p.section == path),
                key=lambda p: (p.title.casefold(), p.slug),
            )
        )
        index_page = by_slug.get(path) if path else None
        name = path.rsplit("/", 1)[-1].replace("-", " ")
        title = index_page.title if index_page else name[:1].upper() + name[1:]
        sections.append(
            WikiSection(path, title, path.count("/") + 1 if path else 0, members, index_page)
        )
    return tuple(s for s in sections if s.pages or s.path == "" or _has_children(s, paths))


def _has_children(section: WikiSection, paths: Iterable[str]) -> bool:
    return any(p.startswith(section.path + "/") for p in paths)


def breadcrumbs(page: WikiPage, sections: Sequence[WikiSection]) -> tuple[tuple[str, str], ...]:
    """(title, site-relative URL) from the wiki index down to the page's folder."""
    by_path = {s.path: s for s in sections}
    trail = [("Wiki", urls.WIKI)]
    parts = page.section.split("/") if page.section else []
    for i in range(len(parts)):
        section = by_path.get("/".join(parts[: i + 1]))
        if section is None:
            continue
        url = (
            urls.wiki_page(section.index_page.slug)
            if section.index_page
            else urls.with_fragment(urls.WIKI, section.anchor)
        )
        trail.append((section.title, url))
    return tuple(trail)


@fast_pickle
@dataclass(frozen=True, slots=True)
class RecentChange:
    page: WikiPage
    change: FileHistory


def recently_changed(
    pages: Sequence[WikiPage], history: GitHistory | None, limit: int = RECENTLY_CHANGED
) -> tuple[RecentChange, ...]:
    """The wiki pages changed last, newest first; empty outside git or in a shallow clone."""
    if history is None or history.shallow:
        return ()
    found = [
        RecentChange(p, change) for p in pages if (change := history.get(p.source_path)) is not None
    ]
    found.sort(key=lambda r: (-r.change.changed.timestamp(), r.page.title.casefold()))
    return tuple(found[:limit])
