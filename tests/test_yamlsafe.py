"""The YAML loader: no 1.1 surprises, no alias bombs, lines for every key."""

import pytest

from generator.core import yamlsafe
from generator.core.yamlsafe import YamlError, load


def test_plain_scalars_keep_what_the_author_typed() -> None:
    doc = load("time: 19:30\nanswer: NO\nday: 2012-02-16\non: yes\ncount: 3\nflag: true\n")
    assert doc.data == {
        "time": "19:30",  # YAML 1.1 would give 1170
        "answer": "NO",  # YAML 1.1 would give False
        "day": "2012-02-16",  # YAML 1.1 would give a date object
        "on": "yes",
        "count": 3,
        "flag": True,
    }


def test_lines_are_reported_per_key_with_offset() -> None:
    doc = load("a: 1\nlist:\n  - x\n  - y\n", line_offset=1)
    assert doc.line(("a",)) == 2
    assert doc.line(("list", 1)) == 5
    assert doc.line(("missing",)) == 2  # falls back to where the document starts


def test_alias_bomb_is_refused_before_anything_is_composed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bound is on work, not time: the billion-laughs document (nine levels of
    nine aliases, 387 million items) is refused from its tokens, and no node of it is
    ever built."""
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )

    def compose(*args: object, **kwargs: object) -> None:
        raise AssertionError("the document was composed")

    monkeypatch.setattr(yamlsafe.yaml, "compose", compose)
    with pytest.raises(YamlError, match="anchors and aliases") as exc:
        load(bomb)
    assert exc.value.line == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first given on line 1)"),
        ("a: [1, 2\n", 2, "invalid YAML"),
        ("a: !!python/object/apply:os.system ['true']\n", 1, "not allowed"),
        ("a: 1\n<<: {b: 2}\n", 2, "merge keys"),
    ],
)
def test_refusals_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlError, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
        load(text)
    assert exc.value.line == line


def test_every_value_cut_at_a_hashtag_is_an_error_that_says_to_quote_it() -> None:
    text = (
        "title: Chat\n"
        "description: Write-ups of the #chartership chat\n"
        "hashtag: #chartership\n"
        "topics:\n"
        "  - name: CPD #uklibcpd\n"
        "  - #mentoring\n"
        "summary: The second\n"
        "  of the #chartership chats\n"
    )
    with pytest.raises(YamlError) as exc:
        load(text, line_offset=1)  # as in front matter, after the opening ---
    found = [(p.line, p.key) for p in exc.value.problems]
    assert found == [
        (3, "description"),
        (4, "hashtag"),
        (6, "topics[0].name"),
        (7, "topics[1]"),
        (9, "summary"),  # the line where the value was cut
    ]
    messages = [p.message for p in exc.value.problems]
    assert all("quote the value" in m for m in messages)
    assert "'Write-ups of the'" in messages[0] and "'#chartership chat'" in messages[0]
    assert 'hashtag: "#chartership"' in messages[1]
    assert '- "#mentoring"' in messages[3]


@pytest.mark.parametrize(
    "text",
    [
        "a: value  # a note\n",
        "a: value # a note\n",
        "a: value#not-a-comment\n",  # no space before #: YAML keeps it
        'a: "Write-ups of the" #chartership\n',  # quoted on purpose
        "a: |\n  Write-ups of the #chartership chat\n",  # block text keeps #
        "# #chartership\na: value\n",
        "a:\n  # #chartership\n  - x\n",
    ],
)
def test_real_comments_and_kept_hashes_are_not_errors(text: str) -> None:
    load(text)


def test_a_cut_value_in_text_with_other_line_breaks_names_its_line() -> None:
    # YAML counts \r and \r\n as line ends too; the line must still be the right one.
    with pytest.raises(YamlError) as exc:
        load("a: one\r\nb: two\rc: Write-ups of the #x\n")
    assert [(p.line, p.key) for p in exc.value.problems] == [(3, "c")]
