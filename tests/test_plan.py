"""Planning: long conversations split into pages without breaking a thread."""

from datetime import UTC, datetime, timedelta

from generator.core.posts import Post
from generator.index.conversation import build_conversation
from generator.plan import paginate

START = datetime(2012, 2, 16, 20, 0, tzinfo=UTC)


def make_posts(threads: int, replies: int, questions: bool) -> list[Post]:
    posts = []
    n = 0
    for t in range(threads):
        if questions and t % 10 == 0:
            n += 1
            posts.append(
                Post(
                    f"q{t}",
                    "t",
                    START + timedelta(seconds=n),
                    "host",
                    text=f"Q{t // 10 + 1} question",
                )
            )
        root = f"r{t}"
        n += 1
        posts.append(Post(root, "t", START + timedelta(seconds=n), f"u{t}", text="A answer"))
        for r in range(replies):
            n += 1
            posts.append(
                Post(
                    f"{root}-{r}",
                    "t",
                    START + timedelta(seconds=n),
                    "x",
                    text="reply",
                    reply_to_id=root,
                )
            )
    return posts


def test_pages_hold_whole_threads_in_order() -> None:
    posts = make_posts(threads=30, replies=2, questions=True)
    conversation = build_conversation(posts, (), START, START + timedelta(hours=1), ["@host"], None)
    pages = paginate(conversation, per_page=10)
    assert len(pages) > 5
    seen = [t.root.post.id for page in pages for s in page for t in s.threads]
    expected = [t.root.post.id for g in conversation.groups for t in g.threads]
    assert seen == expected
    for page in pages:
        assert sum(len(t.nodes) for s in page for t in s.threads) <= 10
    # A question that spills onto the next page is marked as continued there.
    assert any(s.continued for page in pages[1:] for s in page)
    assert not pages[0][0].continued


def test_a_short_chat_is_one_page_and_a_huge_thread_is_never_split() -> None:
    short = build_conversation(
        make_posts(5, 1, False), (), START, START + timedelta(hours=1), [], None
    )
    assert len(paginate(short, per_page=1000)) == 1
    huge = build_conversation(
        make_posts(1, 50, False), (), START, START + timedelta(hours=1), [], None
    )
    pages = paginate(huge, per_page=10)
    assert len(pages) == 1 and len(pages[0][0].threads[0].nodes) == 51
