"""Quote an archived post in a write-up by its id.

Two spellings, each alone on its line:
- `{{< post "1234" >}}`: chatwiki's own shortcode (any post id, including a Bluesky
  at:// URI or a Mastodon id);
- `[blackbirdpie url="https://twitter.com/user/status/1234"]`: the WordPress plugin
  form that years of real #chat write-ups contain, with straight or curly quotes.

The rule only records *which* post goes *where*: it emits a marker comment, and the
id (with the author's handle and the post's URL, when the quote names its URL) lands
in the token's meta, which `bodies` turns into `PostRef`s. Old write-ups quote tweets
no archive holds any more; the URL is what lets the page still point at the original.
The render stage, which has the archive and the theme, turns each marker into a quote
card. Raw HTML is off in our Markdown, so an
author cannot forge a marker: a typed `<!--` is escaped as text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_QUOTES = "\"'\u201c\u201d\u2018\u2019\u2033"
_ID = r"[A-Za-z0-9][A-Za-z0-9:/._~-]*"
SHORTCODE = re.compile(rf"^\{{\{{<\s*post\s+[{_QUOTES}]?(?P<id>{_ID})[{_QUOTES}]?\s*>\}}\}}$")
BLACKBIRDPIE = re.compile(
    rf"^\[blackbirdpie\s+(?:url|id)\s*=\s*[{_QUOTES}]?"
    rf"(?:https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?(?P<handle>\w+)/status(?:es)?/)?"
    rf"(?P<id>\d+)[^\]]*?[{_QUOTES}]?\s*\]$",
    re.IGNORECASE,
)
MARKER = "<!--chatwiki:post:{id}-->"
MARKER_PATTERN = re.compile(rf"<!--chatwiki:post:(?P<id>{_ID})-->")


def match_post_quote(line: str) -> dict[str, str | None] | None:
    """`{"id", "handle", "url"}` of a quote line, or None if the line is not one.

    The URL is rebuilt from the handle and id (https, no `#!/`, no `?s=20`), so what
    a page links to is one canonical address, not whatever the shortcode held.
    """
    text = line.strip()
    m = SHORTCODE.match(text)
    if m:
        return {"id": m["id"], "handle": None, "url": None}
    m = BLACKBIRDPIE.match(text)
    if m is None:
        return None
    handle = m["handle"]
    url = f"https://twitter.com/{handle}/status/{m['id']}" if handle else None
    return {"id": m["id"], "handle": handle, "url": url}


def _rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # indented code
    begin = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[begin : state.eMarks[start_line]]
    quote = match_post_quote(line)
    if quote is None:
        return False
    if silent:
        return True
    token = state.push("post_quote", "", 0)
    token.meta = quote
    token.map = [start_line, start_line + 1]
    token.block = True
    state.line = start_line + 1
    return True


def post_quote_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "paragraph", "post_quote", _rule, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.add_render_rule(
        "post_quote",
        lambda self, tokens, idx, options, env: MARKER.format(id=tokens[idx].meta["id"]) + "\n",
    )
