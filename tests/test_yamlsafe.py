"""The YAML loader: no 1.1 surprises, no alias bombs, lines for every key."""

import time

import pytest

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


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    with pytest.raises(YamlError, match="anchors and aliases") as exc:
        load(bomb)
    assert exc.value.line == 1
    assert time.perf_counter() - started < 5  # a guard against hanging, not a benchmark


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
