"""The one Markdown renderer: a pure function from text to `Rendered`.

Built on markdown-it-py's `js-default` preset: raw HTML is off and link validation
is on, so `<script>` is shown as text and `javascript:`/`vbscript:`/`data:` links are
never emitted. (The `commonmark` preset would pass both through.) Tables, footnotes
and heading anchors are the extensions write-ups use. An image from another site is
shown as a link to it: pages make no third-party requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from generator.core.model import FileRef, Heading, PostRef, Rendered, Section, TopicRef
from generator.markdown.postquote import post_quote_plugin
from generator.markdown.topicmarker import NO_TOPIC, topic_marker_plugin
from generator.markdown.wikilinks import wiki_link_refs, wikilink_plugin


@cache
def _parser() -> MarkdownIt:
    # Cached construction, not shared mutable state: MarkdownIt holds only the
    # (fixed) rule chain; per-render data travels in `env`.
    md = MarkdownIt("js-default", {"typographer": False})
    md.use(anchors_plugin, min_level=2, max_level=4)
    md.use(footnote_plugin)
    md.use(post_quote_plugin)
    md.use(topic_marker_plugin)
    md.use(wikilink_plugin)
    md.add_render_rule("image", _image)
    return md


# A scheme (`https:`), or `//host` / `\\host`, which browsers read as another host.
_OFF_SITE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)


def _image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """The site's own images are shown; another site's would be a third-party request
    from every reader's browser, so they become a link to the image."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if not _OFF_SITE.match(src):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


def render(text: str, line_offset: int = 0) -> Rendered:
    """Render Markdown `text`; `line_offset` maps body lines to file lines."""
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    toc = tuple(_headings(tokens, line_offset))
    html = md.renderer.render(tokens, md.options, env)
    sections = tuple(_sections(md, tokens, toc, env, line_offset))
    return Rendered(
        html=html,
        toc=toc,
        sections=sections,
        post_refs=_post_refs(tokens, line_offset),
        links=wiki_link_refs(tokens, line_offset),
        files=_file_refs(tokens, line_offset),
    )


# A relative target with one of these suffixes links a page, not a file to publish.
PAGE_SUFFIXES = frozenset({"", ".md", ".html", ".htm"})


def file_target(url: str) -> str | None:
    """The file a link or image names, if it is one: relative (no scheme, host or
    leading "/"), not a folder ("../other/") and not a page ("notes.md"). Decoded,
    because the renderer percent-encodes ("my%20chart.png" is "my chart.png")."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    path = unquote(parts.path)
    if path.endswith("/") or PurePosixPath(path).suffix.lower() in PAGE_SUFFIXES:
        return None
    return path


def _file_refs(tokens: Sequence[Token], line_offset: int) -> tuple[FileRef, ...]:
    found = []
    for token in tokens:
        if token.type != "inline":
            continue
        line = token.map[0] + 1 + line_offset if token.map else None
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak") and line is not None:
                line += 1  # a link on a paragraph's third line is on the file's too
                continue
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            url = child.attrs.get(attr) if attr else None
            if isinstance(url, str) and (target := file_target(url)) is not None:
                found.append(FileRef(target, line))
    return tuple(found)


def _post_refs(tokens: Sequence[Token], line_offset: int) -> tuple[PostRef, ...]:
    return tuple(
        PostRef(
            str(t.meta["id"]),
            t.map[0] + 1 + line_offset if t.map else None,
            handle=t.meta.get("handle"),
            url=t.meta.get("url"),
        )
        for t in tokens
        if t.type == "post_quote"
    )


def _headings(tokens: Sequence[Token], line_offset: int) -> list[Heading]:
    found = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0:
            continue
        inline = tokens[i + 1]
        title = "".join(
            c.content for c in inline.children or () if c.type in ("text", "code_inline")
        )
        line = token.map[0] + 1 + line_offset if token.map else None
        found.append(Heading(int(token.tag[1]), title, str(token.attrs.get("id", "")), line))
    return found


def _sections(
    md: MarkdownIt,
    tokens: Sequence[Token],
    toc: Sequence[Heading],
    env: dict[str, object],
    line_offset: int,
) -> list[Section]:
    """Split the body at each top-level `##`: the unit topic pages excerpt."""
    starts = [
        i
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2" and t.level == 0
    ]
    # Footnotes are moved to the end of the token stream; they belong to no section.
    limit = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    h2s = [h for h in toc if h.level == 2]
    sections = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else limit
        part = tokens[start:end]
        marker = (tokens[start].meta or {}).get("topic")
        sections.append(
            Section(
                h2s[n],
                # The body without its heading (heading_open, inline, heading_close).
                md.renderer.render(part[3:], md.options, env),
                _post_refs(part, line_offset),
                topic_marker=TopicRef(marker, h2s[n].line)
                if marker and marker != NO_TOPIC
                else None,
                no_topic=marker == NO_TOPIC,
            )
        )
    return sections
