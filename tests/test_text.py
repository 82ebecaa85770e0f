"""core/text.py: the one rule for reading user and third-party files as text."""

import pytest

from generator.core.text import NotUtf8, decode_utf8


def test_bom_and_every_newline_convention_read_as_plain_lines() -> None:
    assert decode_utf8(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"\xe9", 1), (b"a\nb\n\xff", 3), (b"a\r\nb\r\nc\xe9", 3), (b"a\rb\rc\xe9", 3)],
)
def test_not_utf8_names_the_line_of_the_first_bad_byte(data: bytes, line: int) -> None:
    with pytest.raises(NotUtf8) as exc:
        decode_utf8(data)
    assert exc.value.line == line
