"""`## Heading {topic=mentoring}`: say which topic a write-up section is about.

Most sections are matched to a topic by their heading text; the marker is for when
the heading says something else ("## What people said about finding one") or for
`{topic=-}`, which keeps a heading that happens to equal a topic name off that
topic's page. The marker is removed from the heading before anchors are made, so it
never shows and never changes the section's link.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

MARKER = re.compile(r"\s*\{\s*topic\s*[=:]\s*(?P<value>[^{}]*?)\s*\}\s*$", re.IGNORECASE)
NO_TOPIC = "-"


def _rule(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or i + 1 >= len(tokens):
            continue
        inline = tokens[i + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        last = children[-1]
        found = MARKER.search(last.content)
        if not found:
            continue
        last.content = last.content[: found.start()]
        inline.content = MARKER.sub("", inline.content)
        token.meta = {**(token.meta or {}), "topic": found["value"]}


def topic_marker_plugin(md: MarkdownIt) -> None:
    # After inline parsing (children exist), before the anchors plugin makes ids.
    md.core.ruler.after("inline", "topic_marker", _rule)
