"""Every planned output and every index of the example site survives pickling.

A worker process or a content cache receives these values pickled; a value that does
not pickle (a read-only mapping proxy, a lambda) or comes back different (so renders
different bytes) would break a parallel build in a way no single-process test shows.
So this plans the repo's own example site, drafts on and off, and checks each value
round-trips equal to itself and renders or produces the same bytes afterwards.
"""

from __future__ import annotations

import pickle
from dataclasses import fields
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from generator.build import Prepared, _prepare
from generator.core.frozenmap import FrozenMap
from generator.plan import Page
from tests.conftest import ROOT

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
T = TypeVar("T")


def round_trip(value: T) -> T:
    copy: T = pickle.loads(pickle.dumps(value))
    assert copy == value
    return copy


@pytest.fixture(scope="module", params=[False, True], ids=["published", "drafts"])
def prepared(request: pytest.FixtureRequest) -> Prepared:
    with pytest.MonkeyPatch.context() as patch:
        # The example's archives are short: smaller pages give it conversation pages too.
        patch.setattr("generator.plan.POSTS_PER_PAGE", 20)
        return _prepare(ROOT, NOW, drafts=request.param)


def test_the_example_site_plans_every_kind_of_output(prepared: Prepared) -> None:
    # Guards the tests below against passing over an empty plan.
    templates = {page.template for page in prepared.pages}
    assert {"chat.html", "conversation.html", "topic.html", "wiki_page.html"} <= templates
    assert {"calendar_month.html", "series.html", "event.html", "404.html"} <= templates
    suffixes = {data.path.rsplit(".", 1)[-1] for data in prepared.data}
    assert suffixes == {"ics", "xml", "txt"}
    assert prepared.statics
    assert any(c.posts_by_id for c in prepared.indexes.conversations.values())


def test_every_page_pickles_and_renders_the_same_bytes(prepared: Prepared) -> None:
    def render(page: Page) -> bytes:
        return prepared.renderer.render(page.url, page.title, page.context)

    for page in prepared.pages:
        copy = round_trip(page)
        assert render(copy) == render(page), page.url


def test_every_feed_and_ics_pickles_and_produces_the_same_bytes(prepared: Prepared) -> None:
    for data in prepared.data:
        copy = round_trip(data)
        assert copy.produce() == data.produce(), data.path


def test_every_static_file_pickles(prepared: Prepared) -> None:
    for static in prepared.statics:
        copy = round_trip(static)
        assert copy.source.read_bytes() == static.source.read_bytes()


def test_every_index_pickles(prepared: Prepared) -> None:
    indexes = prepared.indexes
    assert indexes.history is not None, "the example site is read from its git checkout"
    assert indexes.history.files and indexes.calendar.by_chat and indexes.links.backlinks
    round_trip(indexes)
    for index in fields(indexes):
        round_trip(getattr(indexes, index.name))
    for conversation in indexes.conversations.values():
        round_trip(conversation)


def test_a_frozen_map_reads_like_a_dict_and_refuses_changes() -> None:
    m = FrozenMap({"b": 1, "a": 2})
    assert list(m) == ["b", "a"] and m["a"] == 2 and m.get("z") is None and "b" in m
    assert m == {"a": 2, "b": 1} and m == FrozenMap([("a", 2), ("b", 1)])
    assert hash(m) == hash(FrozenMap({"a": 2, "b": 1}))
    assert round_trip(m) is not m
    with pytest.raises(TypeError):
        m["c"] = 3  # type: ignore[index]
    with pytest.raises(AttributeError):
        m._items = {}  # type: ignore[misc]


def test_fast_pickle_round_trips_frozen_values_and_refuses_a_wrong_state() -> None:
    """The build cache's pickles: every field back, an init=False fingerprint too,
    on a frozen class; a state of another shape (another chatwiki's) is an error."""
    import pickle
    from dataclasses import dataclass, field

    from generator.core.model import stamped
    from generator.core.pickling import fast_pickle

    @fast_pickle
    @dataclass(frozen=True, slots=True)
    class Value:
        name: str
        count: int = 0
        fingerprint: bytes = field(default=b"", init=False, compare=False)

    globals()["Value"] = Value  # pickled by reference, as module-level model classes are
    Value.__qualname__ = "Value"
    value = stamped(Value("a", 3), b"fp")
    again = pickle.loads(pickle.dumps(value))
    assert again == value and again.fingerprint == b"fp"
    with pytest.raises(ValueError):
        object.__new__(Value).__setstate__(("a", 3))
