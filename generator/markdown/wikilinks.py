"""Wiki links: `[[Page name]]`, `[[Page name|label]]`, `[[Page name#Heading]]`,
`[[Page name#Heading|label]]` and `[[#Heading]]` (a heading on the same page).

The rule only records what the author wrote; it does not know which pages exist.
That keeps each file's Markdown a pure, cacheable function of its own text: a new
page elsewhere never changes how this file parses. The rule emits a pair of marker
comments around the (escaped) label, and the render stage, which has the site-wide
link index, turns each pair into an `<a href>` or a visibly missing link. A theme or
feed that does not resolve the markers still shows the label as plain text.

Raw HTML is off in our Markdown, so an author cannot forge a marker: a typed `<!--`
is escaped as text. Code spans and code blocks are never scanned (the backtick rule
consumes them first), and `\\[[` stays literal because the escape rule consumes the
`\\[` before this rule sees a `[[`.

Names may start with `#` (series are called "#uklibcpd lunchtime chat"):
`[[chat:#Name]]` and `[[series:#Name]]` always mean the name, and so does
`[[#Name#Heading]]`. A bare `[[#Name]]` is recorded as a same-page heading; the
resolver falls back to a page called "#Name" when this page has no such heading.

In a table row an unescaped `|` ends the cell before inline rules run, so
`[[a|b]]` there is cut in two (and the rest of the row may be dropped). The author
writes `[[a\\|b]]`, which reaches this rule as `[[a|b]]` (markdown-it-py unescapes
pipes in cells); outside tables `\\|` is accepted too. An unescaped one in a table
row is recorded as a broken link (`WikiLinkRef.problem`), which the build reports
as an error with its line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from generator.core.model import WikiLinkRef
from generator.core.pickling import fast_pickle

# `[[kind:Name]]` picks a kind of page when two share a name (see generator/index/wiki.py).
NAMESPACES = ("wiki", "chat", "topic", "series")
OPEN_MARKER = "<!--chatwiki:wikilink:{index}-->"
CLOSE_MARKER = "<!--/chatwiki:wikilink-->"
# The label between the markers is our renderer's escaped text: it holds no `<`.
MARKER_PATTERN = re.compile(
    r"<!--chatwiki:wikilink:(?P<index>\d+)-->(?P<label>.*?)<!--/chatwiki:wikilink-->", re.S
)
_SPACES = re.compile(r"\s+")


@fast_pickle
@dataclass(frozen=True, slots=True)
class ParsedLink:
    """The parts of one `[[...]]`, whitespace collapsed; `target` "" means this page."""

    raw: str  # what was between the brackets, for messages
    target: str
    anchor: str | None
    label: str | None  # None: no (or an empty) `|label`


def parse_link(inner: str) -> ParsedLink | None:
    """Split the text between `[[` and `]]`; None if it is not a wiki link."""
    if "[" in inner or "]" in inner:
        return None
    raw = _SPACES.sub(" ", inner).strip()
    # `\\|` is the separator too: it is how a table cell holds one.
    destination, _, label = raw.replace("\\|", "|").partition("|")
    target, anchor = _split_destination(destination.strip())
    target, anchor, label = target.strip(), anchor.strip(), label.strip()
    if not target and not anchor:
        return None
    return ParsedLink(raw, target, anchor or None, label or None)


def _split_destination(destination: str) -> tuple[str, str]:
    """(target, anchor) of `Page#Heading`, where the name itself may start with `#`."""
    kind, colon, rest = destination.partition(":")
    prefix = ""
    if colon and kind.strip().lower() in NAMESPACES and rest.strip().startswith("#"):
        prefix, destination = kind.strip() + ":", rest.strip()
    if destination.startswith("#"):
        name, second, anchor = destination[1:].partition("#")
        if prefix or (second and name.strip()):
            return prefix + "#" + name.strip(), anchor  # a name starting with `#`
        return "", destination[1:]  # `[[#Heading]]`
    target, _, anchor = destination.partition("#")
    return target, anchor


def display_text(link: ParsedLink) -> str:
    """What the reader sees when the author gave no `|label`.

    `[[Page#Heading]]` reads "Page § Heading"; `[[#Heading]]` reads "Heading"; a
    `kind:` namespace is for the resolver, not the reader, so it is dropped.
    """
    if link.label:
        return link.label
    target = link.target
    kind, colon, rest = target.partition(":")
    if colon and kind.strip().lower() in NAMESPACES and rest.strip():
        target = rest.strip()
    if link.anchor and target:
        return f"{target} \u00a7 {link.anchor}"
    return link.anchor or target


def _rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    src = state.src
    # Inside a Markdown link's text a wiki link would nest one <a> in another, so
    # `[see [[X]]](url)` stays a plain link: refuse while its label is scanned
    # (silent mode) and while it is tokenized (linkLevel > 0).
    if silent or state.linkLevel > 0 or not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    if end < 0 or end > state.posMax:
        return False
    parsed = parse_link(src[pos + 2 : end])
    if parsed is None:
        return False
    opening = state.push("wikilink_open", "", 0)
    # `offset` locates the link inside the block's text, for its line number.
    opening.meta = {"link": parsed, "offset": pos}
    text = state.push("text", "", 0)
    text.content = display_text(parsed)
    state.push("wikilink_close", "", 0)
    state.pos = end + 2
    return True


# A `[[...]]` in a table row whose `|` is not escaped: the table rule cut it.
_CUT_IN_TABLE = re.compile(r"(?<!\\)\[\[(?P<inner>[^\[\]\n]*?(?<!\\)\|[^\[\]\n]*?)\]\]")


def _number_links(state: StateCore) -> None:
    """Give each link its index (document order) and the 0-based body line it is on.

    Inline rules cannot see their block's line map, so this core rule, which can,
    adds the newlines before the link to the block's first line. It also finds the
    links a table row cut (see the module docstring), from the table's source lines:
    the cells no longer hold them whole.
    """
    lines: list[str] | None = None  # split only for a body that has a table
    index = 0
    for block in state.tokens:
        if block.type == "table_open" and block.map:
            lines = state.src.split("\n") if lines is None else lines
            start, end = block.map
            cut = tuple(
                (number, match["inner"])
                for number in range(start, min(end, len(lines)))
                for match in _CUT_IN_TABLE.finditer(lines[number])
            )
            if cut:
                block.meta = {**block.meta, "wikilinks_cut": cut}
        for token in block.children or ():
            if token.type != "wikilink_open":
                continue
            line = None
            if block.map:
                line = block.map[0] + block.content.count("\n", 0, token.meta["offset"])
            token.meta = {**token.meta, "index": index, "line": line}
            index += 1


def _render_open(
    self: object, tokens: Sequence[Token], idx: int, options: object, env: object
) -> str:
    return OPEN_MARKER.format(index=tokens[idx].meta["index"])


def _render_close(
    self: object, tokens: Sequence[Token], idx: int, options: object, env: object
) -> str:
    return CLOSE_MARKER


def wiki_link_refs(tokens: Sequence[Token], line_offset: int) -> tuple[WikiLinkRef, ...]:
    """The links a parsed body holds, indexed like their markers; lines are file lines."""
    found: list[tuple[int, WikiLinkRef]] = []
    for block in tokens:
        for token in block.children or ():
            if token.type != "wikilink_open":
                continue
            link: ParsedLink = token.meta["link"]
            line = token.meta["line"]
            ref = WikiLinkRef(
                link.target,
                link.anchor,
                link.label,
                None if line is None else line + 1 + line_offset,
                link.raw,
            )
            found.append((token.meta["index"], ref))
    refs = [ref for _, ref in sorted(found, key=lambda pair: pair[0])]
    for block in tokens:
        for line, inner in (block.meta or {}).get("wikilinks_cut", ()):
            refs.append(_cut_ref(inner, line + 1 + line_offset))
    return tuple(refs)


def _cut_ref(inner: str, line: int) -> WikiLinkRef:
    parsed = parse_link(inner)
    raw = _SPACES.sub(" ", inner).strip()
    escaped = raw.replace("|", "\\|")
    problem = f'in a table, "|" ends the cell, so this link is cut in two; write [[{escaped}]]'
    if parsed is None:
        return WikiLinkRef(raw, None, None, line, raw, problem)
    return WikiLinkRef(parsed.target, parsed.anchor, parsed.label, line, raw, problem)


def wikilink_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wikilink", _rule)
    md.core.ruler.push("wikilink_numbers", _number_links)
    md.add_render_rule("wikilink_open", _render_open)
    md.add_render_rule("wikilink_close", _render_close)
