"""The conversation a chat page shows: threads, reposts, questions, resources, stats."""

from __future__ import annotations

import csv
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator.archives.tags import parse_csv
from generator.core.posts import Link, Post
from generator.index.conversation import (
    Conversation,
    Group,
    Thread,
    build_conversation,
    normalise_url,
)
from tests.conftest import ROOT

START = datetime(2012, 2, 16, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
EXAMPLE = ROOT / "content" / "chats" / "2012-02-16-mentors"


def post(id: str, handle: str, minute: float, text: str = "", **kw: Any) -> Post:
    """A post `minute` minutes after the chat's start (negative: before it)."""
    return Post(
        id=id,
        source="test",
        created_at=START + timedelta(minutes=minute),
        author_handle=handle,
        text=text,
        **kw,
    )


def build(
    posts: list[Post],
    referenced: tuple[Post, ...] = (),
    hosts: tuple[str, ...] = (),
    hashtag: str | None = "#chat",
) -> Conversation:
    return build_conversation(posts, referenced, START, END, hosts, hashtag)


def all_threads(conversation: Conversation) -> list[Thread]:
    return [thread for group in conversation.groups for thread in group.threads]


def shown(conversation: Conversation) -> list[str]:
    """Every node's post id, in page order (question headers included)."""
    ids: list[str] = []
    for group in conversation.groups:
        if group.question is not None:
            ids.append(group.question.post.id)
        ids.extend(node.post.id for thread in group.threads for node in thread.nodes)
    return ids


def group(conversation: Conversation, number: int | None) -> Group:
    return next(g for g in conversation.groups if g.number == number)


def roots(g: Group) -> list[str]:
    return [thread.root.post.id for thread in g.threads]


# ---------------------------------------------------------------------------- threads


def test_replies_nest_under_their_parent_in_time_order() -> None:
    conversation = build(
        [
            post("r1", "ann", 1, "first topic"),
            post("a", "bob", 3, "late reply", reply_to_id="r1"),
            post("b", "cat", 2, "early reply", reply_to_id="r1"),
            post("c", "ann", 4, "reply to the early reply", reply_to_id="b"),
            post("r2", "dan", 0, "even earlier topic"),
        ]
    )
    [only] = conversation.groups
    assert only.number is None and only.question is None
    assert roots(only) == ["r2", "r1"]
    thread = only.threads[1]
    assert [(n.post.id, n.depth, n.parent_id) for n in thread.nodes] == [
        ("r1", 0, None),
        ("b", 1, "r1"),
        ("c", 2, "b"),
        ("a", 1, "r1"),
    ]
    assert thread.root.replies == ("b", "a")
    assert thread.time == START + timedelta(minutes=1)


def test_a_reply_to_a_post_outside_the_archive_starts_its_own_thread() -> None:
    conversation = build([post("x", "ann", 1, "@bob yes!", reply_to_id="not-here")])
    assert roots(conversation.groups[0]) == ["x"]


def test_a_ten_thousand_deep_reply_chain_does_not_recurse() -> None:
    depth = 10_000
    chain = [post("p0", "ann", 0, "start")] + [
        post(f"p{i}", "ann" if i % 2 else "bob", i / 1000, f"reply {i}", reply_to_id=f"p{i - 1}")
        for i in range(1, depth)
    ]
    conversation = build(chain)
    [thread] = all_threads(conversation)
    assert len(thread.nodes) == depth
    assert thread.nodes[-1].depth == depth - 1
    assert [node.post.id for node in thread.nodes[:3]] == ["p0", "p1", "p2"]
    # Flat nodes: comparing and printing a deep conversation recurses no deeper either.
    assert conversation == build(list(reversed(chain)))
    assert "p9999" in repr(thread)


def test_a_reply_cycle_is_cut_at_its_earliest_post() -> None:
    conversation = build(
        [
            post("a", "ann", 2, "one", reply_to_id="b"),
            post("b", "bob", 3, "two", reply_to_id="a"),
            post("c", "cat", 4, "three", reply_to_id="a"),
            post("s", "dan", 5, "talking to myself", reply_to_id="s"),
        ]
    )
    assert sorted(shown(conversation)) == ["a", "b", "c", "s"]  # each exactly once
    [cycle, selfie] = all_threads(conversation)
    assert [(n.post.id, n.depth) for n in cycle.nodes] == [("a", 0), ("b", 1), ("c", 1)]
    assert cycle.root.parent_id is None
    assert [n.post.id for n in selfie.nodes] == ["s"]


# ---------------------------------------------------------------------------- reposts


def test_native_reposts_fold_into_the_originals_count() -> None:
    conversation = build(
        [
            post("o", "ann", 1, "worth repeating"),
            post("r1", "bob", 2, "RT @ann: worth repeating", repost_of_id="o"),
            post("r2", "cat", 3, "", repost_of_id="o"),
        ]
    )
    [thread] = all_threads(conversation)
    assert [n.post.id for n in thread.nodes] == ["o"]
    assert thread.root.reposts == 2
    stats = conversation.stats
    assert (stats.posts, stats.originals, stats.reposts, stats.participants) == (1, 1, 2, 3)
    assert [p.handle for p in stats.most_active] == ["ann"]  # reposters posted nothing


def test_reposts_of_a_referenced_original_show_it_once_at_its_first_repost() -> None:
    original = post("o", "outsider", -600, "an old post from last week")
    conversation = build(
        [
            post("first", "ann", 5, "hello"),
            post("r1", "bob", 10, "", repost_of_id="o"),
            post("r2", "cat", 3, "", repost_of_id="o"),
        ],
        referenced=(original,),
    )
    threads = all_threads(conversation)
    assert [t.root.post.id for t in threads] == ["o", "first"]
    via = threads[0]
    assert via.root.post == original
    assert via.root.via_repost and via.root.reposts == 2
    assert via.time == START + timedelta(minutes=3)
    assert conversation.stats.posts == 1  # the original is context, not a chat post


def test_reposts_of_an_original_nowhere_are_kept_as_one_node() -> None:
    conversation = build(
        [
            post("r1", "bob", 2, "RT @gone: a post we never saw", repost_of_id="missing"),
            post("r2", "cat", 4, "RT @gone: a post we never saw", repost_of_id="missing"),
        ]
    )
    [thread] = all_threads(conversation)
    node = thread.root
    assert node.post.id == "r1" and node.unmatched_repost and not node.via_repost
    assert node.reposts == 2
    assert (conversation.stats.posts, conversation.stats.reposts) == (0, 2)


def test_legacy_retweets_fold_into_the_original_by_handle_and_text_prefix() -> None:
    question = "Q1 How did you find your mentor, and what made you choose them? #chat"
    conversation = build(
        [
            post("q1", "Host", 3, question),
            post("rt1", "bex", 4, f"RT @host: {question}"),
            post("rt2", "dan", 5, "RT @HOST: q1 how did you find your mentor, and what ma…"),
            post("rt3", "eve", 6, "RT @host: Q1 How did you find your mentor, and http://t.co/ab…"),
        ]
    )
    [thread] = all_threads(conversation)
    assert thread.root.post.id == "q1" and thread.root.reposts == 3
    assert (conversation.stats.posts, conversation.stats.reposts) == (1, 3)


def test_a_legacy_retweet_of_a_post_outside_the_archive_is_kept() -> None:
    conversation = build(
        [
            post("own", "ann", 1, "Something else entirely"),
            post("rt", "bob", 2, "RT @ann: A post from yesterday that the archive missed…"),
        ]
    )
    nodes = {thread.root.post.id: thread.root for thread in all_threads(conversation)}
    assert nodes["rt"].unmatched_repost and nodes["rt"].reposts == 1
    assert nodes["own"].reposts == 0
    assert (conversation.stats.posts, conversation.stats.reposts) == (1, 1)


def test_a_legacy_retweet_of_a_referenced_original_shows_it_via_repost() -> None:
    original = post("o", "cilip", -60, "New mentor list published today")
    conversation = build(
        [post("rt", "bob", 2, "RT @cilip: New mentor list published today")],
        referenced=(original,),
    )
    [thread] = all_threads(conversation)
    assert thread.root.post.id == "o" and thread.root.via_repost


def test_a_reply_to_a_repost_goes_under_the_original() -> None:
    conversation = build(
        [
            post("o", "ann", 1, "Mentors are volunteers"),
            post("rt", "bob", 2, "RT @ann: Mentors are volunteers"),
            post("re", "cat", 3, "@bob so true", reply_to_id="rt"),
            post("gone-rt", "dan", 4, status="deleted", repost_of_id="o"),
        ]
    )
    [thread] = all_threads(conversation)
    assert [(n.post.id, n.depth) for n in thread.nodes] == [("o", 0), ("re", 1)]
    assert thread.root.reposts == 1  # the deleted repost is neither shown nor counted
    assert (conversation.stats.reposts, conversation.stats.stubs) == (1, 0)


def test_quoted_posts_are_looked_up_in_the_chat_and_its_context() -> None:
    outside = post("q-out", "cilip", -60, "Mentor list updated")
    inside = post("q-in", "ann", 1, "A good point")
    quoting = post("x", "bob", 2, "Yes!", quote_of_id="q-out")
    quoting_chat = post("y", "cat", 3, "This", quote_of_id="q-in")
    dangling = post("z", "dan", 4, "Hmm", quote_of_id="never-seen")
    conversation = build([inside, quoting, quoting_chat, dangling], referenced=(outside,))
    assert conversation.quoted(quoting) == outside
    assert conversation.quoted(quoting_chat) == inside
    assert conversation.quoted(dangling) is None
    assert conversation.quoted(inside) is None
    assert conversation.stats.posts == 4


# -------------------------------------------------------------------------- questions


def question_chat() -> list[Post]:
    return [
        post("hello", "ann", 1, "Hello all #chat"),
        post("q1", "host", 5, "Q1. How did you find your mentor? #chat"),
        post("a1", "ann", 8, "A1 By asking around #chat"),
        post("free1", "bob", 10, "Honestly still looking"),
        post("a2-early", "cat", 15, "@host A2: I can answer this one already"),
        post("q2", "host", 20, "#chat Q2: How often do you meet?"),
        post("to-q2", "dan", 22, "Every month", reply_to_id="q2"),
        post("q3", "Host", 40, "@ann @bob Q 3) Reflective writing tips?"),
        post("late", "bob", 42, "Write little and often"),
        post("back-to-a1", "bob", 45, "A3 replying to the A1 post", reply_to_id="a1"),
    ]


def test_numbered_questions_group_answers_by_label_time_and_thread() -> None:
    conversation = build(question_chat(), hosts=("@host",))
    assert conversation.has_questions
    assert [(g.number, g.title) for g in conversation.groups] == [
        (0, "Before the questions"),
        (1, "Question 1"),
        (2, "Question 2"),
        (3, "Question 3"),
    ]
    assert roots(group(conversation, 0)) == ["hello"]
    assert roots(group(conversation, 1)) == ["a1", "free1"]
    assert roots(group(conversation, 2)) == ["a2-early", "to-q2"]
    assert roots(group(conversation, 3)) == ["late"]
    # A reply stays in its thread, whatever answer label it carries.
    a1 = group(conversation, 1).threads[0]
    assert [n.post.id for n in a1.nodes] == ["a1", "back-to-a1"]
    # The question is the group's header, not one of its threads.
    q2 = group(conversation, 2)
    assert q2.question is not None and q2.question.post.id == "q2"
    assert q2.question.replies == ("to-q2",)
    assert q2.threads[1].root.parent_id == "q2" and q2.threads[1].root.depth == 0
    assert shown(conversation).count("q2") == 1
    assert [g.number for g in conversation.questions] == [1, 2, 3]


def test_a_question_posted_as_a_reply_still_heads_its_own_group() -> None:
    conversation = build(
        [
            post("q1", "host", 5, "Q1 first question"),
            post("a1", "ann", 6, "A1 an answer", reply_to_id="q1"),
            post("q2", "host", 20, "Q2 second question", reply_to_id="q1"),
            post("a2", "bob", 21, "A2 another", reply_to_id="q2"),
        ],
        hosts=("host",),
    )
    assert roots(group(conversation, 1)) == ["a1"]
    q2 = group(conversation, 2)
    assert q2.question is not None and q2.question.post.id == "q2"
    assert roots(q2) == ["a2"]
    assert shown(conversation) == ["q1", "a1", "q2", "a2"]


def test_the_first_post_per_number_is_the_question_even_if_reposted_or_repeated() -> None:
    posts = [
        post("q1", "host", 5, "Q1 first"),
        post("q1-again", "host", 7, "Q1 first (repeat for latecomers)"),
        post("rt", "ann", 6, "RT @host: Q1 first"),
        post("q2", "host", 20, "Q2 second"),
    ]
    conversation = build(posts, hosts=("host",))
    q1 = group(conversation, 1)
    assert q1.question is not None and q1.question.post.id == "q1"
    assert q1.question.reposts == 1
    assert roots(q1) == ["q1-again"]


def test_a_participant_quoting_q1_is_not_a_question_when_hosts_are_given() -> None:
    posts = [
        post("p1", "ann", 5, "Q1 was my favourite last time"),
        post("p2", "ann", 20, "Q2 as well tbh"),
        post("h", "host", 21, "Welcome everyone"),
    ]
    hosted = build(posts, hosts=("@Host",))
    assert not hosted.has_questions
    assert [g.number for g in hosted.groups] == [None]
    # Without hosts (or with hosts no handle matches) anyone may ask.
    assert build(posts).has_questions
    assert build(posts, hosts=("Jo Bloggs",)).has_questions


def test_a_chat_without_numbered_questions_is_one_group() -> None:
    conversation = build(
        [
            post("a", "ann", 1, "Quick question: anyone here?"),
            post("b", "bob", 2, "A 2 hour session is plenty"),
            post("c", "host", 3, "Q1 only one question tonight"),
        ],
        hosts=("host",),
    )
    assert not conversation.has_questions
    assert conversation.questions == ()
    [only] = conversation.groups
    assert (only.number, only.question) == (None, None)
    assert roots(only) == ["a", "b", "c"]


# -------------------------------------------------------------------------- resources


def test_resources_are_deduplicated_by_normalised_url_with_the_first_sharer() -> None:
    conversation = build(
        [
            post(
                "late",
                "bob",
                9,
                "same page",
                author_name="Bob",
                links=(Link("https://example.org/x"),),
            ),
            post(
                "early",
                "ann",
                4,
                "look",
                author_name="Ann",
                links=(Link("https://Example.org/x?utm_source=t", "example.org/x"),),
            ),
            post("rt", "cat", 10, "", repost_of_id="early", links=(Link("https://example.org/x"),)),
            post("other", "dan", 2, "and", links=(Link("https://other.example/"),)),
        ]
    )
    [top, other] = conversation.resources
    assert top.normalised_url == "https://example.org/x"
    assert top.count == 2 and top.post_ids == ("early", "late")
    assert (top.first_handle, top.first_name, top.first_post_id) == ("ann", "Ann", "early")
    assert top.first_at == START + timedelta(minutes=4)
    assert top.url == "https://Example.org/x?utm_source=t" and top.display == "example.org/x"
    assert other.count == 1
    assert conversation.stats.top_links == conversation.resources


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://Example.ORG") == "https://example.org/"
    assert normalise_url("http://example.org:80/a/") == "https://example.org/a"
    assert normalise_url("http://WWW.example.org/a/#notes") == "https://example.org/a"
    assert normalise_url("https://example.org/?igshid=abc") == "https://example.org/"
    assert (
        normalise_url("https://x.com/cilip/lists?ref_src=twsrc%5Etfw&s=20&t=abc&lang=en")
        == "https://x.com/cilip/lists?lang=en"
    )
    # Off Twitter, `s` and `t` may be the page itself: a search, a video's start time.
    assert normalise_url("https://example.org/?s=cpd&t=90") == "https://example.org/?s=cpd&t=90"
    assert normalise_url("https://example.org:8443/a") == "https://example.org:8443/a"
    assert (
        normalise_url("https://example.org/a?id=3&UTM_medium=x&fbclid=1&gclid=2&b=%2F#top")
        == "https://example.org/a?id=3&b=%2F"
    )
    assert normalise_url("http://[bad") == "http://[bad"


def test_spellings_of_one_link_are_one_resource_shown_in_its_https_form() -> None:
    spellings = (
        "http://www.Example.org/notes/",
        "https://example.org/notes?utm_source=twitter&utm_medium=social",
        "http://example.org/notes#part-2",
        "https://www.example.org/notes/?fbclid=IwAR0",
    )
    conversation = build(
        [
            post(f"p{i}", f"user{i}", i, "notes", links=(Link(url),))
            for i, url in enumerate(spellings, start=1)
        ]
        + [post("old", "eve", 9, "old blog", links=(Link("http://old.example/blog/"),))]
    )
    [notes, old] = conversation.resources
    assert notes.count == 4 and notes.post_ids == ("p1", "p2", "p3", "p4")
    assert notes.first_post_id == "p1"  # credited to who shared it first
    assert notes.url == spellings[1]  # the first https spelling, not p1's http one
    assert old.url == "http://old.example/blog/"  # never upgraded without evidence


def test_post_permalinks_hashtags_and_mentions_are_not_resources() -> None:
    toot = post("toot", "ann", 1, "my post", url="https://mastodon.example/@ann/1099")
    links = (
        Link("https://twitter.com/someone/status/170236802509656064"),
        Link("http://twitter.com/#!/someone/status/170236802509656064"),
        Link("https://x.com/someone/status/1"),
        Link("https://mobile.twitter.com/i/web/status/2"),
        Link("https://bsky.app/profile/ann.bsky.social/post/3kabc"),
        Link("https://Mastodon.example/@ann/1099"),
        Link("https://twitter.com/hashtag/chat"),
        Link("https://mastodon.example/tags/chat"),
        Link("https://mastodon.example/@bob"),
        Link("https://example.org/a-real-resource"),
    )
    conversation = build(
        [toot, post("x", "cat", 2, "see", links=links, hashtags=("chat",), mentions=("bob",))]
    )
    assert [r.normalised_url for r in conversation.resources] == [
        "https://example.org/a-real-resource"
    ]


# ------------------------------------------------------------------------------ stats


def test_per_minute_counts_over_the_hour_add_up_to_the_posts_in_the_window() -> None:
    rng = random.Random(7)
    inside = [post(f"in{i}", f"user{i % 7}", rng.uniform(0, 59.99), "hi") for i in range(150)]
    outside = [
        post("before", "ann", -3, "early"),
        post("after", "ann", 60, "late"),
        post("after2", "ann", 75, "later"),
    ]
    reposts = [post("rt", "bob", 30, "", repost_of_id="in1")]
    conversation = build([*inside, *outside, *reposts])
    activity = conversation.stats.activity
    assert len(activity.per_minute) == 60
    assert sum(activity.per_minute) == len(inside)
    assert (activity.before, activity.after) == (1, 2)
    assert conversation.stats.posts == sum(activity.per_minute) + 3
    counts = [b.count for b in activity.busiest]
    assert len(counts) == 3 and counts == sorted(counts, reverse=True)
    assert counts[0] == max(activity.per_minute)
    busiest = activity.busiest[0]
    assert busiest.at == START + timedelta(minutes=busiest.offset)
    assert activity.per_minute[busiest.offset] == busiest.count


def test_stats_count_originals_replies_people_and_hashtags() -> None:
    conversation = build(
        [
            post("a", "Ann", 1, "x", author_name="Ann A", hashtags=("chat", "CPD", "mentors")),
            post("b", "bob", 2, "y", reply_to_id="a", hashtags=("Chat", "cpd")),
            post("c", "ann", 3, "z", hashtags=("cpd", "CPD")),
            post("d", "cat", 4, "w", reply_to_id="elsewhere", hashtags=("mentors",)),
            post("e", "dan", 5, "", repost_of_id="a", hashtags=("rt-only",)),
        ],
        hashtag="#Chat",
    )
    stats = conversation.stats
    assert (stats.posts, stats.originals, stats.replies, stats.reposts) == (4, 2, 2, 1)
    assert stats.participants == 4
    assert [(p.handle, p.name, p.posts) for p in stats.most_active] == [
        ("Ann", "Ann A", 2),
        ("bob", "", 1),
        ("cat", "", 1),
    ]
    assert [(t.tag, t.count) for t in stats.top_hashtags] == [("CPD", 3), ("mentors", 2)]


def test_deleted_and_withheld_stubs_stay_in_threads_but_count_nowhere() -> None:
    conversation = build(
        [
            post("root", "ann", 1, "question"),
            post("gone", "bob", 2, status="deleted", reply_to_id="root"),
            post(
                "held",
                "cat",
                3,
                "kept text",
                status="withheld",
                links=(Link("https://example.org/x"),),
                hashtags=("secret",),
            ),
            post("reply", "dan", 4, "replying to the deleted one", reply_to_id="gone"),
            post("gone-rt", "eve", 5, status="deleted", repost_of_id="root"),
        ]
    )
    threads = all_threads(conversation)
    assert [[n.post.id for n in t.nodes] for t in threads] == [
        ["root", "gone", "reply"],
        ["held"],
    ]
    assert threads[0].nodes[1].post.status == "deleted"
    assert threads[0].root.reposts == 0
    stats = conversation.stats
    assert (stats.posts, stats.stubs, stats.participants, stats.reposts) == (2, 2, 2, 0)
    assert conversation.resources == () and stats.top_hashtags == ()


# ---------------------------------------------------------------------- determinism


def test_the_same_archive_in_any_order_gives_the_same_conversation() -> None:
    posts = [
        *question_chat(),
        post("rt", "eve", 6, "RT @host: Q1. How did you find your mentor? #chat"),
        post("nrt", "fay", 21, "", repost_of_id="ctx"),
        post("same-time-1", "ann", 30, "tie", links=(Link("https://example.org/b"),)),
        post("same-time-2", "bob", 30, "tie", links=(Link("https://example.org/a"),)),
        post("cyc1", "ann", 31, "a", reply_to_id="cyc2"),
        post("cyc2", "bob", 31, "b", reply_to_id="cyc1"),
    ]
    referenced = (post("ctx", "out", -100, "context"),)
    expected = build(posts, referenced, hosts=("host",))
    rng = random.Random(1)
    for _ in range(5):
        shuffled = posts[:]
        rng.shuffle(shuffled)
        assert build(shuffled, referenced, hosts=("host",)) == expected


# ------------------------------------------------------------------ the example chat


def test_the_example_chat_runs_as_the_three_questions_its_archive_holds() -> None:
    text = (EXAMPLE / "archive.csv").read_text(encoding="utf-8")
    front_matter = (EXAMPLE / "index.md").read_text(encoding="utf-8").split("---")[1]
    meta = yaml.safe_load(front_matter)
    hosts = {host.lstrip("@").casefold() for host in meta["hosts"]}
    rows = list(csv.DictReader(text.splitlines()))
    expected_questions: dict[int, str] = {}
    for row in rows:  # rows are in time order
        match = re.match(r"Q(\d+)\b", row["text"])
        if match and row["from_user"].casefold() in hosts:
            expected_questions.setdefault(int(match.group(1)), row["id_str"])
    not_retweets = [row for row in rows if not row["text"].startswith("RT @")]

    zone = ZoneInfo(yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))["timezone"])
    start = datetime.fromisoformat(str(meta["date"])).replace(tzinfo=zone)
    parsed = parse_csv(text, "archive.csv")
    conversation = build_conversation(
        parsed.posts,
        parsed.referenced,
        start,
        start + timedelta(hours=1),
        meta["hosts"],
        meta["hashtag"],
    )
    assert sorted(expected_questions) == [1, 2, 3]
    assert conversation.has_questions
    assert {
        g.number: g.question.post.id for g in conversation.groups if g.question is not None
    } == expected_questions
    assert conversation.stats.posts == len(not_retweets)
    assert conversation.stats.reposts == len(rows) - len(not_retweets)
    assert conversation.stats.participants == len({row["from_user"] for row in rows})
    assert sorted(shown(conversation)) == sorted(row["id_str"] for row in not_retweets)
    assert sum(conversation.stats.activity.per_minute) == len(not_retweets)
