"""The conversation of one chat, laid out for its page: threads, questions, resources, stats.

Readers who missed the hour want to follow it as it happened, so a chat page shows
the posts as reply threads in time order, grouped under the chat's numbered questions
when it ran as "Q1 ... / A1 ..." rounds, with the links people shared and a few
numbers beside it. Everything the page shows is computed here, once, from the
archive's normalised posts; templates only display it.

How the archive becomes threads:
- A post is a thread's root when it is not a reply or its parent is not shown; its
  replies follow it, each reply after its parent and siblings in time order.
- Threads are stored flat: `Thread.nodes` is the pre-order walk with a `depth` per
  node, and each node names its replies by id. A nested tree of dataclasses would
  make `==`, `repr`, pickling and a recursive template macro recurse once per level,
  and archives hold reply chains thousands deep. Every walk here is iterative, and a
  cycle of reply ids (corrupt or merged archives) is cut at its earliest post.
- Reposts are not posts of the chat; they are folded into a `reposts` count on the
  node of the post they repeat. Native reposts name their original
  (`repost_of_id`); TAGS-style "RT @handle: text…" retweets are matched to an
  original by the same author whose text starts with the retweet's (truncation
  ellipsis and a possibly cut-off last word ignored, case-insensitive). An original
  that is only context (`referenced`) is shown as its own root, `via_repost=True`,
  placed at the time of its first repost. A repost whose original is nowhere is kept
  as a node (`unmatched_repost=True`): its text is all there is. Reposts of the same
  missing original share one node.
- Deleted/withheld stubs stay in threads as placeholders, so replies to them still
  read in order, but they count nowhere: not as posts, participants, links or tags.
  A stub repost is dropped entirely: a placeholder for a repeat says nothing.

Questions are detected, not declared: see `build_conversation`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from generator.archives.posts import legacy_retweet_of
from generator.core.frozenmap import FrozenMap
from generator.core.pickling import fast_pickle
from generator.core.posts import Post

INTRO_TITLE = "Before the questions"
MOST_ACTIVE_LIMIT = 10
TOP_HASHTAGS_LIMIT = 10
TOP_LINKS_LIMIT = 5
BUSIEST_LIMIT = 3

# Leading @mentions and hashtags a label may follow ("@host #chat Q1: ..."). Each must
# be followed by a separator, so "@joQ1" is a handle and not a label.
_LEAD = r"^\s*(?:[@＠#＃][\w.\-@]+[\s,:;]+)*"
# "Q1", "Q1.", "Q1:", "Q1)", "Q 1", "q1 -", never "Q10" as 1 nor "Quick".
_QUESTION = re.compile(_LEAD + r"[Qq] ?(\d{1,3})(?!\w)")
# "A1", "a1:", "A1)"; the spaced form only as "A 1." / "A 1:" / "A 1)", because
# "A 2 hour session" is English, not an answer to question 2.
_ANSWER = re.compile(_LEAD + r"(?:[Aa](\d{1,3})(?!\w)|A (\d{1,3})(?=[.:)]))")
_ELLIPSES = ("…", "...")
# Legacy retweets are looked up by author and the first characters of the text (see
# `_Originals`), so matching stays one dict lookup per retweet however much an author
# posted. Shortest first.
_PREFIX_KEYS = (16, 48)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "igshid"})
# Twitter's share buttons add these to links *to* twitter.com/x.com; elsewhere `s` and
# `t` can be the page itself (`?s=search`, `?t=120` in a video), so they stay.
_TWITTER_TRACKING_PARAMS = frozenset({"ref_src", "s", "t"})
_TWITTER_HOSTS = frozenset(
    {"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"}
)
_TWITTER_STATUS = re.compile(r"^/(?:[^/]+|i/web|i)/status(?:es)?/\d+")
_TWITTER_TAG = re.compile(r"^/hashtag/[^/]+/?$")
_TWITTER_PROFILE = re.compile(r"^/[A-Za-z0-9_]{1,15}/?$")
_BLUESKY_HOSTS = frozenset({"bsky.app", "www.bsky.app"})
_BLUESKY_POST = re.compile(r"^/profile/[^/]+/post/[^/]+")
_BLUESKY_TAG_OR_PROFILE = re.compile(r"^/(?:hashtag/[^/]+|profile/[^/]+)/?$")
_FEDI_TAG = re.compile(r"^/tags/([^/]+)/?$")
_FEDI_PROFILE = re.compile(r"^/@([^/@]+)(?:@[^/]+)?/?$")


# ----------------------------------------------------------------------------- values


@fast_pickle
@dataclass(frozen=True, slots=True)
class ThreadNode:
    """One post as a thread shows it.

    `replies` are the ids of the nodes that answer this one, in time order; they
    follow it in `Thread.nodes` (pre-order), one `depth` deeper. `parent_id` is the
    node this one is shown under (None for a thread's root, except that a direct
    reply to a question keeps the question's id while rooting its own thread).
    `reposts` is how many chat reposts repeated `post` and were folded in here.
    """

    post: Post
    depth: int
    parent_id: str | None
    replies: tuple[str, ...] = ()
    reposts: int = 0
    # The post is context, not a chat post: it is here because chat posts reposted it.
    via_repost: bool = False
    # The post is itself a repost whose original is in neither `posts` nor `referenced`.
    unmatched_repost: bool = False


@fast_pickle
@dataclass(frozen=True, slots=True)
class Thread:
    """A root and everything that replies to it, flat in reading order."""

    nodes: tuple[ThreadNode, ...]  # pre-order: root first, each reply after its parent
    time: datetime  # when it entered the chat: the root's time, or its first repost's
    # As Conversation.fingerprint (a thread is shown on one page of many, and named
    # in its key by this): set for the threads of a conversation the cache made.
    fingerprint: bytes = field(default=b"", init=False, compare=False, repr=False)

    @property
    def root(self) -> ThreadNode:
        return self.nodes[0]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Group:
    """A question and the threads that answer it, or the intro, or the whole chat.

    `number` is the question number, 0 for the posts before the first question, and
    None when the chat did not run as numbered questions (then there is one group).
    `question` is the question post's node, shown as the group's header and not
    repeated among `threads`; its direct replies each root a thread of the group.
    """

    number: int | None
    title: str
    question: ThreadNode | None
    threads: tuple[Thread, ...]
    fingerprint: bytes = field(default=b"", init=False, compare=False, repr=False)  # ditto


@fast_pickle
@dataclass(frozen=True, slots=True)
class Resource:
    """A link shared in the chat, once however many posts (or spellings) shared it."""

    url: str  # as the first sharer posted it (expanded), or the first https spelling
    normalised_url: str  # the de-duplication key
    display: str  # the first non-empty display text, else ""
    count: int  # distinct chat posts that shared it (reposts excluded)
    first_handle: str
    first_name: str
    first_post_id: str
    first_at: datetime
    post_ids: tuple[str, ...]  # every sharing post, in time order


@fast_pickle
@dataclass(frozen=True, slots=True)
class Participant:
    handle: str  # as first written in the archive
    name: str  # the first non-empty display name, else ""
    posts: int  # originals and replies; reposts are not counted


@fast_pickle
@dataclass(frozen=True, slots=True)
class HashtagCount:
    tag: str  # without "#", as first written
    count: int  # distinct posts using it


@fast_pickle
@dataclass(frozen=True, slots=True)
class BusyMinute:
    offset: int  # minutes since the chat's start
    at: datetime  # the minute's start
    count: int


@fast_pickle
@dataclass(frozen=True, slots=True)
class Activity:
    """Posts per minute over the chat's scheduled window.

    `per_minute[i]` counts posts at `start + i` minutes; posts outside the window are
    in `before`/`after`, so the bars show the hour and the totals still add up.
    """

    start: datetime
    end: datetime
    per_minute: tuple[int, ...]
    before: int
    after: int
    busiest: tuple[BusyMinute, ...]  # top minutes, most posts first, then earliest


@fast_pickle
@dataclass(frozen=True, slots=True)
class Stats:
    posts: int  # originals + replies; reposts and stubs excluded
    originals: int
    replies: int
    reposts: int
    stubs: int  # deleted/withheld placeholders shown
    participants: int  # distinct authors, reposters included
    most_active: tuple[Participant, ...]
    top_hashtags: tuple[HashtagCount, ...]  # the chat's own hashtag left out
    top_links: tuple[Resource, ...]
    activity: Activity


@fast_pickle
@dataclass(frozen=True, slots=True)
class Conversation:
    groups: tuple[Group, ...]  # always at least one
    has_questions: bool
    resources: tuple[Resource, ...]  # most shared first, then first shared
    stats: Stats
    # Chat posts and context posts by id (chat posts win), for quotes and parents.
    posts_by_id: FrozenMap[str, Post] = field(repr=False)
    # As Chat.fingerprint: set when the build cache made it (core.model.stamped).
    fingerprint: bytes = field(default=b"", init=False, compare=False, repr=False)

    @property
    def questions(self) -> tuple[Group, ...]:
        return tuple(group for group in self.groups if group.question is not None)

    def lookup(self, post_id: str | None) -> Post | None:
        return None if post_id is None else self.posts_by_id.get(post_id)

    def quoted(self, post: Post) -> Post | None:
        """The post `post` quotes, to show inline, if the archive has it."""
        return self.lookup(post.quote_of_id)


# -------------------------------------------------------------------------- building


@dataclass(slots=True)
class _Nodes:
    """The nodes threads are made of, keyed by the id of the post each one shows.

    Parallel maps rather than an object per node: a big chat has 100,000 nodes, and
    every extra object is one more for the garbage collector to walk mid-build.
    """

    post: dict[str, Post] = field(default_factory=dict)  # what the node shows
    time: dict[str, datetime] = field(default_factory=dict)  # when it entered the chat
    reposts: dict[str, int] = field(default_factory=dict)  # only nodes that were reposted
    via: set[str] = field(default_factory=set)  # context originals shown for their reposts
    unmatched: set[str] = field(default_factory=set)  # reposts of an original we lack
    label: dict[str, str] = field(default_factory=dict)  # "A<n>" text, where not the post's
    parent: dict[str, str] = field(default_factory=dict)  # node -> the node it replies to
    alias: dict[str, str] = field(default_factory=dict)  # any chat post id -> its node


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Question:
    number: int
    key: str
    time: datetime


def build_conversation(
    posts: Sequence[Post],
    referenced: Sequence[Post],
    start: datetime,
    end: datetime,
    hosts: Sequence[str],
    hashtag: str | None,
) -> Conversation:
    """Lay out a chat's archive for its page.

    Questions: a post labelled "Q<n>" (also "Q<n>.", "Q<n>:", "Q<n>)", "Q <n>", any
    case, possibly after leading @mentions or hashtags) asks question n; the earliest
    such post per number is the question. When `hosts` are given and at least one of
    them is an author in the archive (case-insensitive, "@" ignored), only hosts ask
    questions, so a participant quoting "Q1" does not start a round; otherwise (no
    hosts, or hosts named in a way no handle matches) anyone may. The chat has
    questions when two or more distinct numbers were asked. Then each thread goes to
    a question: a thread rooted in a reply to a question post belongs to it; a root
    labelled "A<n>" for an asked n goes to n; any other thread goes to the question
    asked last before it, or to the intro group (number 0) if it came before all.
    Question posts always root their own group, even when posted as a reply.
    """
    chat = _Chat.of(posts)
    context = tuple(post for post in _unique_posts(referenced) if post.id not in chat.by_id)
    context_by_id = {post.id: post for post in context}

    nodes = _nodes(chat, context_by_id)
    questions = _questions(chat, hosts)
    has_questions = len(questions) >= 2
    question_of_key = {q.key: q for q in questions} if has_questions else {}
    _link_replies(nodes, question_of_key)
    groups = _groups(nodes, question_of_key, has_questions)
    resources = _resources(chat, context)
    stats = _stats(chat, resources, start, end, hashtag)
    return Conversation(
        groups=groups,
        has_questions=has_questions,
        resources=resources,
        stats=stats,
        posts_by_id=FrozenMap({**context_by_id, **chat.by_id}),
    )


# Sort keys: time, then id, so equal times never fall back on input order.
_order = attrgetter("created_at", "id")


def _in_time_order(posts: Iterable[Post]) -> list[Post]:
    """Sorted by (time, id): by id, then stably by time, which is twice as fast as
    comparing (datetime, str) tuples, and sorting is much of the work on big chats."""
    ordered = sorted(posts, key=attrgetter("id"))
    ordered.sort(key=attrgetter("created_at"))
    return ordered


def _preference(post: Post) -> tuple[bool, int, datetime, str]:
    """Which copy of a repeated id to keep: an ok one, the fullest, the earliest."""
    return (post.status != "ok", -len(post.text), post.created_at, repr(post))


def _unique_posts(posts: Iterable[Post]) -> tuple[Post, ...]:
    """Time order, one post per id (merged archives repeat posts)."""
    by_id: dict[str, Post] = {}
    for post in posts:
        kept = by_id.setdefault(post.id, post)
        if kept is not post and _preference(post) < _preference(kept):
            by_id[post.id] = post
    return tuple(_in_time_order(by_id.values()))


def _legacy_handle(post: Post) -> str | None:
    # The cheap test first: legacy_retweet_of runs a regex, and most posts are not RTs.
    return legacy_retweet_of(post) if post.text.startswith("RT @") else None


def _is_repost(post: Post) -> bool:
    return post.repost_of_id is not None or _legacy_handle(post) is not None


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Chat:
    """The chat's own posts, each read once: order, ids, and which are reposts."""

    posts: tuple[Post, ...]  # time order, one per id
    by_id: Mapping[str, Post]
    legacy: Mapping[str, str]  # id of a "RT @x:" retweet -> the handle it repeats
    reposts: frozenset[str]  # ids of native and legacy reposts

    @classmethod
    def of(cls, posts: Iterable[Post]) -> _Chat:
        unique = _unique_posts(posts)
        legacy = {
            post.id: handle
            for post in unique
            if post.text.startswith("RT @") and (handle := legacy_retweet_of(post)) is not None
        }
        native = (post.id for post in unique if post.repost_of_id is not None)
        return cls(
            posts=unique,
            by_id={post.id: post for post in unique},
            legacy=legacy,
            reposts=frozenset(native).union(legacy),
        )


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _retweeted_text(text: str) -> str:
    """What follows "RT @handle:" (a handle has no colon, so the first one ends it)."""
    _, colon, rest = text.partition(":")
    return rest.lstrip() if colon else text


def _legacy_body(text: str) -> str:
    """The original's text a "RT @x: ..." retweet repeats, squashed for prefix matching.

    A truncated retweet ends in an ellipsis, and its last word may be cut short (a
    t.co link cut in half is not its expanded URL), so that word is dropped too.
    """
    body = _retweeted_text(text).rstrip()
    for ellipsis in _ELLIPSES:
        if body.endswith(ellipsis):
            body = body[: -len(ellipsis)]
            if body and not body[-1].isspace():
                words = body.rsplit(None, 1)
                body = words[0] if len(words) == 2 else body
            break
    return _squash(body)


class _Originals:
    """Posts a legacy retweet may repeat, indexed by author and text prefix.

    A retweet's text is looked up by its first 48 characters (16 if it is shorter,
    and a scan of the author's posts below that), so matching costs a lookup and a
    few comparisons however much an author posted. The retweets are known first, so
    a post whose opening no retweet shares is passed over after its first words;
    keys are strings, so the index adds few objects for the garbage collector.
    """

    def __init__(
        self,
        chat_posts: Iterable[Post],
        context_posts: Iterable[Post],
        bodies: Iterable[tuple[str, str]],  # (casefolded author, `_legacy_body`) per retweet
    ) -> None:
        self._context: set[str] = set()
        self._texts: dict[str, str] = {}  # post id -> its squashed text
        self._by_author: dict[str, list[Post]] = {}  # for short bodies; chat posts first
        self._first: dict[str, Post] = {}  # author + prefix -> the post filed there
        self._more: dict[str, list[Post]] = {}  # ... when several posts share one
        self._found: dict[str, list[Post]] = {}  # author + body -> its matches, once looked up
        opening = _PREFIX_KEYS[0]
        wanted: set[str] = set()  # author + opening of every long retweet body
        scanned: set[str] = set()  # authors of short retweet bodies
        retweeted: set[str] = set()
        for author, body in bodies:
            retweeted.add(author)
            if len(body) >= opening:
                wanted.add(f"{author}\0{body[:opening]}")
            elif body:
                scanned.add(author)
        for in_chat, posts in ((True, chat_posts), (False, context_posts)):
            for post in posts:
                author = post.author_handle.casefold()
                if author not in retweeted:
                    continue
                # A squashed slice is a prefix of the squashed text, so the opening can
                # be read from the first few words, unless whitespace pads them out.
                start = _squash(post.text[: 2 * opening])
                if len(start) < opening and len(post.text) > 2 * opening:
                    start = _squash(post.text)
                if author not in scanned and f"{author}\0{start[:opening]}" not in wanted:
                    continue  # no retweet begins like this post
                text = _squash(post.text)
                if not text:
                    continue
                if not in_chat:
                    self._context.add(post.id)
                self._texts[post.id] = text
                if author in scanned:
                    self._by_author.setdefault(author, []).append(post)
                for size in _PREFIX_KEYS:
                    if len(text) < size:
                        break
                    key = f"{author}\0{text[:size]}"
                    first = self._first.setdefault(key, post)
                    if first is not post:
                        self._more.setdefault(key, [first]).append(post)

    def _pool(self, author: str, body: str) -> Sequence[Post]:
        """Every post whose text may start with `body` (and a few that do not)."""
        size = next((size for size in reversed(_PREFIX_KEYS) if len(body) >= size), None)
        if size is None:
            return self._by_author.get(author, ())
        key = f"{author}\0{body[:size]}"
        more = self._more.get(key)
        if more is not None:
            return more
        first = self._first.get(key)
        return (first,) if first is not None else ()

    def match(self, handle: str, body: str, at: datetime) -> Post | None:
        """The original: a chat post before a context one, the latest posted by `at`."""
        if not body:
            return None
        author = handle.casefold()
        memo = f"{author}\0{body}"
        found = self._found.get(memo)
        if found is None:
            texts = self._texts
            pool = self._pool(author, body)
            found = [post for post in pool if texts[post.id].startswith(body)]
            found = [post for post in found if post.id not in self._context] or found
            self._found[memo] = found
        earlier = [post for post in found if post.created_at <= at]
        if earlier:  # the retweet repeats the latest matching post before it
            return max(earlier, key=_order)
        return min(found, key=_order, default=None)


def _nodes(chat: _Chat, context_by_id: Mapping[str, Post]) -> _Nodes:
    """The nodes, with every repost folded into the node of the post it repeats.

    Three passes in time order, so a shared node's time is its first repost's:
    shown posts, then legacy retweets (matched by text), then native reposts (which
    may repeat a legacy retweet, resolved by the pass before).
    """
    shown = {post.id: post for post in chat.posts if post.id not in chat.reposts}
    nodes = _Nodes(
        post=shown,
        time={key: post.created_at for key, post in shown.items()},
        alias={key: key for key in shown},
    )

    bodies = {
        post.id: _legacy_body(post.text)
        for post in chat.posts
        if post.id in chat.legacy and post.status == "ok"
    }
    originals = _Originals(
        (post for post in chat.posts if post.id in nodes.post and post.status == "ok"),
        (
            post
            for post in context_by_id.values()  # in time order, as `context` is
            if post.status == "ok" and not _is_repost(post)
        ),
        ((chat.legacy[key].casefold(), body) for key, body in bodies.items()),
    )
    unmatched: dict[tuple[str, ...], str] = {}

    def fold(repost: Post, key: str, shown: Post) -> None:
        """Count `repost` on node `key`, which shows `shown` if it is new."""
        if key not in nodes.post:
            nodes.post[key] = shown
            nodes.time[key] = repost.created_at
            nodes.alias[key] = key
            if shown is repost:
                nodes.unmatched.add(key)
                nodes.label[key] = _retweeted_text(shown.text)
            elif key in context_by_id:
                nodes.via.add(key)
        nodes.reposts[key] = nodes.reposts.get(key, 0) + 1
        nodes.time[key] = min(nodes.time[key], repost.created_at)
        nodes.alias[repost.id] = key

    for post in chat.posts:
        body = bodies.get(post.id)
        if body is None:
            continue
        handle = chat.legacy[post.id]
        original = originals.match(handle, body, post.created_at)
        if original is None:
            fold(post, unmatched.setdefault(("rt", handle.casefold(), body), post.id), post)
        else:
            fold(post, original.id, original)

    for post in chat.posts:
        if post.repost_of_id is None or post.status != "ok":
            continue
        target = post.repost_of_id
        seen = {post.id}
        while target not in nodes.alias and target not in seen:
            # A repost of a repost: Twitter never nests them, merged archives might.
            inner = chat.by_id.get(target)
            if inner is None or inner.repost_of_id is None:
                break
            seen.add(target)
            target = inner.repost_of_id
        if target in nodes.alias:
            fold(post, nodes.alias[target], post)
        elif target in context_by_id:
            fold(post, target, context_by_id[target])
        else:
            fold(post, unmatched.setdefault(("id", target), post.id), post)
    return nodes


def _link_replies(nodes: _Nodes, question_of_key: Mapping[str, _Question]) -> None:
    """Set each node's parent: the node showing the post it replies to, if any."""
    for key, post in nodes.post.items():
        if post.reply_to_id is None or key in question_of_key:
            continue  # question posts head their own group, even when posted as replies
        if key in nodes.via or key in nodes.unmatched:
            continue  # shown for their reposts, at the time of the first
        parent = nodes.alias.get(post.reply_to_id)
        if parent is not None and parent != key:
            nodes.parent[key] = parent


# ------------------------------------------------------------------------- questions


def _local(handle: str) -> str:
    return handle.strip().lstrip("@＠").split("@", 1)[0].casefold()


def _questions(chat: _Chat, hosts: Sequence[str]) -> tuple[_Question, ...]:
    """The earliest "Q<n>" post per number, by a host when hosts are recognisable."""
    # A fediverse host may be written "@name@server" while local posts carry just
    # "name" (and the reverse), so hosts match by the part before any "@server".
    host_handles = {_local(host) for host in hosts} - {""}
    askers = host_handles & {_local(post.author_handle) for post in chat.posts}
    first: dict[int, Post] = {}
    for post in chat.posts:  # time order: the first post per number is the question
        if post.status != "ok" or post.id in chat.reposts:
            continue
        if askers and _local(post.author_handle) not in askers:
            continue
        match = _QUESTION.match(post.text)
        if match is not None and int(match.group(1)) > 0:  # 0 is the intro group
            first.setdefault(int(match.group(1)), post)
    return tuple(
        sorted(
            (_Question(number, post.id, post.created_at) for number, post in first.items()),
            key=lambda question: (question.time, question.key),
        )
    )


def _answer_number(text: str) -> int | None:
    match = _ANSWER.match(text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


# --------------------------------------------------------------------------- threads


def _node(
    nodes: _Nodes, key: str, depth: int, parent: str | None, replies: Sequence[str]
) -> ThreadNode:
    return ThreadNode(
        nodes.post[key],
        depth,
        parent,
        tuple(replies),
        nodes.reposts.get(key, 0),
        key in nodes.via,
        key in nodes.unmatched,
    )


def _walk(
    root: str,
    parent_id: str | None,
    nodes: _Nodes,
    children: Mapping[str, Sequence[str]],
    visited: set[str],
) -> Thread:
    """The thread under `root`, pre-order, with an explicit stack: depth is unbounded.

    Every node sits in exactly one reply list (its parent's; a cycle's cut point is
    taken out of its parent's), so each is reached once; `visited` records that and
    is a last guard against walking a node twice.
    """
    if root not in children and root not in visited:  # most threads: one post, no replies
        visited.add(root)
        return Thread((_node(nodes, root, 0, parent_id, ()),), nodes.time[root])
    shown: list[ThreadNode] = []
    stack: list[tuple[str, int, str | None]] = [(root, 0, parent_id)]
    while stack:
        key, depth, parent = stack.pop()
        if key in visited:
            continue
        visited.add(key)
        replies = children.get(key)
        if replies is None:  # most posts: nobody replied
            shown.append(_node(nodes, key, depth, parent, ()))
            continue
        shown.append(_node(nodes, key, depth, parent, replies))
        below = depth + 1
        for child in reversed(replies):  # popped in time order
            stack.append((child, below, key))
    return Thread(tuple(shown), nodes.time[root])


def _cycle_root(start: str, nodes: _Nodes, visited: set[str]) -> str:
    """Where to cut the reply cycle above `start`: the cycle's earliest post.

    Only called for a node no root reached, so its parents lead into a cycle.
    """
    index: dict[str, int] = {}
    path: list[str] = []
    current: str | None = start
    while current is not None and current not in index and current not in visited:
        index[current] = len(path)
        path.append(current)
        current = nodes.parent.get(current)
    if current is None or current not in index:
        return path[-1]  # not a cycle after all: the top of the chain roots it
    return min(path[index[current] :], key=lambda key: (nodes.time[key], key))


def _threads(
    nodes: _Nodes, question_of_key: Mapping[str, _Question]
) -> tuple[list[str], list[Thread], dict[str, ThreadNode]]:
    """Every thread in (time, root id) order with its root's id, and each question's
    header node, whose replies root threads of their own."""
    order = sorted(nodes.time)
    order.sort(key=nodes.time.__getitem__)  # stable: (time, id), as `_in_time_order`
    children: dict[str, list[str]] = {}
    for key in order:  # so every reply list is in time order
        parent = nodes.parent.get(key)
        if parent is not None:
            children.setdefault(parent, []).append(key)

    visited: set[str] = set(question_of_key)
    roots: list[str] = []
    threads: list[Thread] = []
    headers: dict[str, ThreadNode] = {}
    for key in order:  # a thread's time is its root's, so threads come out in order
        parent = nodes.parent.get(key)
        if key in question_of_key:
            headers[key] = _node(nodes, key, 0, None, children.get(key, ()))
        elif parent is None or parent in question_of_key:
            roots.append(key)
            threads.append(_walk(key, parent, nodes, children, visited))
    cut = len(roots)
    for key in order:
        if key not in visited:  # only reply cycles are left unreached
            root = _cycle_root(key, nodes, visited)
            parent = nodes.parent.pop(root, None)
            if parent is not None:
                children[parent].remove(root)
            roots.append(root)
            threads.append(_walk(root, None, nodes, children, visited))
    if len(roots) > cut:  # cycles were cut: put their threads in place
        placed = sorted(zip(roots, threads, strict=True), key=lambda pair: (pair[1].time, pair[0]))
        roots, threads = [root for root, _ in placed], [thread for _, thread in placed]
    return roots, threads, headers


def _groups(
    nodes: _Nodes,
    question_of_key: Mapping[str, _Question],
    has_questions: bool,
) -> tuple[Group, ...]:
    roots, threads, headers = _threads(nodes, question_of_key)
    if not has_questions:
        return (Group(number=None, title="", question=None, threads=tuple(threads)),)

    questions = sorted(question_of_key.values(), key=lambda q: (q.time, q.key))
    asked = {question.number for question in questions}
    times = [question.time for question in questions]
    by_number: dict[int, list[Thread]] = {}
    for root, thread in zip(roots, threads, strict=True):  # in order, so each group is too
        parent = nodes.parent.get(root)
        question = question_of_key.get(parent) if parent is not None else None
        if question is not None:  # a reply to the question is an answer, whatever its label
            number = question.number
        else:
            label = _answer_number(nodes.label.get(root, nodes.post[root].text))
            if label is not None and label in asked:
                number = label
            else:
                before = bisect_right(times, thread.time) - 1
                number = questions[before].number if before >= 0 else 0
        by_number.setdefault(number, []).append(thread)

    groups: list[Group] = []
    if by_number.get(0):
        intro = tuple(by_number[0])
        groups.append(Group(number=0, title=INTRO_TITLE, question=None, threads=intro))
    for question in questions:
        groups.append(
            Group(
                number=question.number,
                title=f"Question {question.number}",
                question=headers[question.key],
                threads=tuple(by_number.get(question.number, ())),
            )
        )
    return tuple(groups)


# ------------------------------------------------------------------------- resources


def _is_tracking(query_piece: str, twitter: bool) -> bool:
    name = unquote_plus(query_piece.split("=", 1)[0]).strip().casefold()
    return (
        name.startswith("utm_")
        or name in _TRACKING_PARAMS
        or (twitter and name in _TWITTER_TRACKING_PARAMS)
    )


def normalise_url(url: str) -> str:
    """The one key two spellings of a link to the same page share, for de-duplication.

    Chat posts link one page as `http://www.example.org/notes/` and
    `https://example.org/notes?utm_source=twitter`: those are one resource. So http
    and https are one (the key says https), the host is lowercased without `www.`,
    a default port, the fragment and a trailing slash are dropped, and so are
    tracking parameters (`utm_*`, `fbclid`, `gclid`, `igshid`, and on twitter.com/x.com
    links `ref_src`, `s`, `t`); the rest of the query keeps its order and encoding.
    Unparseable text is kept as is. The key is never shown as a link: see `_resources`.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").removeprefix("www.")
    netloc = f"[{host}]" if ":" in host else host
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/") or ("/" if netloc else "")
    twitter = host in _TWITTER_HOSTS
    query = "&".join(
        piece for piece in parts.query.split("&") if piece and not _is_tracking(piece, twitter)
    )
    return urlunsplit((scheme, netloc, path, query, ""))


@fast_pickle
@dataclass(frozen=True, slots=True)
class _LinkKind:
    """What a link is, decided once per distinct URL (chats repeat the same few links)."""

    key: str | None  # the normalised URL; None: never a resource (a post, a tag page, ...)
    tag: str | None = None  # casefolded tag of a fediverse tag page (`/tags/x`)
    profile: str | None = None  # casefolded user of a fediverse profile (`/@user`)


def _link_kind(url: str, permalinks: frozenset[str]) -> _LinkKind:
    """Links to posts (quotes, on any service the archive holds) and hashtag or profile
    links are part of the conversation, not something shared for later reading."""
    key = normalise_url(url)
    try:
        parts = urlsplit(key)
        fragment = urlsplit(url.strip()).fragment
    except ValueError:
        return _LinkKind(None)
    host = (parts.hostname or "").removeprefix("www.")
    if parts.scheme not in ("http", "https") or not host or key in permalinks:
        return _LinkKind(None)
    path = unquote_plus(parts.path)
    if host in _TWITTER_HOSTS:
        if fragment.startswith("!/"):  # 2012's twitter.com/#!/user/status/1
            path = "/" + fragment[2:]
        if (
            _TWITTER_STATUS.match(path)
            or _TWITTER_TAG.match(path)
            or _TWITTER_PROFILE.match(path)
            or (path.rstrip("/") == "/search" and "q=%23" in parts.query.lower())
        ):
            return _LinkKind(None)
    if host in _BLUESKY_HOSTS and (
        _BLUESKY_POST.match(path) or _BLUESKY_TAG_OR_PROFILE.match(path)
    ):
        return _LinkKind(None)
    tag = _FEDI_TAG.match(path)
    profile = _FEDI_PROFILE.match(path)
    return _LinkKind(
        key,
        tag=tag.group(1).casefold() if tag else None,
        profile=profile.group(1).casefold() if profile else None,
    )


def _is_plain_http(url: str) -> bool:
    return url.strip()[:5].lower() == "http:"


def _resources(chat: _Chat, context: Sequence[Post]) -> tuple[Resource, ...]:
    permalinks = frozenset(normalise_url(post.url) for post in (*chat.posts, *context) if post.url)
    kinds: dict[str, _LinkKind] = {}
    shared: dict[str, list[Post]] = {}
    first_url: dict[str, str] = {}
    display: dict[str, str] = {}
    for post in chat.posts:  # time order: the first post per key is the first sharer
        if post.status != "ok" or post.id in chat.reposts or not post.links:
            continue
        for link in post.links:
            kind = kinds.get(link.url)
            if kind is None:
                kind = kinds[link.url] = _link_kind(link.url, permalinks)
            key = kind.key
            if key is None:
                continue
            if kind.tag is not None and kind.tag in {tag.casefold() for tag in post.hashtags}:
                continue  # the post's own #tag, linked
            if kind.profile is not None and kind.profile in {
                handle.split("@")[0].casefold() for handle in post.mentions
            }:
                continue  # the post's own @mention, linked
            sharers = shared.setdefault(key, [])
            if sharers and sharers[-1] is post:
                continue  # the same page twice in one post counts once
            sharers.append(post)
            first_url.setdefault(key, link.url.strip())
            if _is_plain_http(first_url[key]) and not _is_plain_http(link.url):
                # The link shown is the https spelling when anyone shared one; a site
                # only ever linked over http is left so (an old blog may have no TLS).
                first_url[key] = link.url.strip()
            if link.display and not display.get(key):
                display[key] = link.display
    resources = [
        Resource(
            url=first_url[key],
            normalised_url=key,
            display=display.get(key, ""),
            count=len(sharers),
            first_handle=sharers[0].author_handle,
            first_name=sharers[0].author_name,
            first_post_id=sharers[0].id,
            first_at=sharers[0].created_at,
            post_ids=tuple(post.id for post in sharers),
        )
        for key, sharers in shared.items()
    ]
    resources.sort(key=lambda r: (-r.count, r.first_at, r.first_post_id, r.normalised_url))
    return tuple(resources)


# ----------------------------------------------------------------------------- stats


def _activity(times: Sequence[datetime], start: datetime, end: datetime) -> Activity:
    minute = timedelta(minutes=1)
    length = max(0, -(-(end - start) // minute))  # whole minutes, a partial one included
    counts = [0] * length
    before = after = 0
    for time in times:
        if time < start:
            before += 1
        elif time >= end:
            after += 1
        else:
            counts[(time - start) // minute] += 1
    busiest = sorted(
        (offset for offset, count in enumerate(counts) if count),
        key=lambda offset: (-counts[offset], offset),
    )[:BUSIEST_LIMIT]
    return Activity(
        start=start,
        end=end,
        per_minute=tuple(counts),
        before=before,
        after=after,
        busiest=tuple(
            BusyMinute(offset=offset, at=start + offset * minute, count=counts[offset])
            for offset in busiest
        ),
    )


def _stats(
    chat: _Chat,
    resources: Sequence[Resource],
    start: datetime,
    end: datetime,
    hashtag: str | None,
) -> Stats:
    own_tag = (hashtag or "").strip().lstrip("#＃").casefold()
    ok = [post for post in chat.posts if post.status == "ok"]
    counted = [post for post in ok if post.id not in chat.reposts]
    replies = sum(1 for post in counted if post.reply_to_id is not None)
    # Stub reposts are not shown at all, so only shown placeholders count as stubs.
    stubs = sum(1 for post in chat.posts if post.status != "ok" and post.id not in chat.reposts)
    # Walking backwards, the earliest post's spelling and name are the ones left.
    handle_of = {post.author_handle.casefold(): post.author_handle for post in reversed(ok)}
    name_of = {
        post.author_handle.casefold(): post.author_name for post in reversed(ok) if post.author_name
    }
    posts_of = Counter(post.author_handle.casefold() for post in counted)
    spellings = [(tag.casefold(), tag) for post in counted for tag in dict.fromkeys(post.hashtags)]
    tag_spelling = {folded: tag for folded, tag in reversed(spellings)}
    # A post writing #CPD and #cpd uses one tag: count each post once per tag.
    tag_count = Counter(
        folded
        for post in counted
        for folded in {tag.casefold() for tag in post.hashtags}
        if folded and folded != own_tag
    )
    most_active = sorted(posts_of, key=lambda who: (-posts_of[who], who))[:MOST_ACTIVE_LIMIT]
    top_tags = sorted(tag_count, key=lambda folded: (-tag_count[folded], folded))
    return Stats(
        posts=len(counted),
        originals=len(counted) - replies,
        replies=replies,
        reposts=len(ok) - len(counted),
        stubs=stubs,
        participants=len(handle_of),
        most_active=tuple(
            Participant(handle=handle_of[who], name=name_of.get(who, ""), posts=posts_of[who])
            for who in most_active
        ),
        top_hashtags=tuple(
            HashtagCount(tag=tag_spelling[folded], count=tag_count[folded])
            for folded in top_tags[:TOP_HASHTAGS_LIMIT]
        ),
        top_links=tuple(resources[:TOP_LINKS_LIMIT]),
        activity=_activity([post.created_at for post in counted], start, end),
    )
