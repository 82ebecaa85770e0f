"""Reading bytes a user or a third party wrote as text: one rule for every file.

Site files, theme templates and archive exports are all UTF-8 (a BOM is allowed),
read with universal newlines as text mode would, and a file that is not UTF-8 is
refused with the line of its first bad byte: a spreadsheet export that is UTF-8 but
for one pasted cell is fixed in a minute when the message says where.
"""

from __future__ import annotations

import codecs


class NotUtf8(ValueError):
    """`data` is not UTF-8 text; `line` (1-based) holds the first byte that is not."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"expected UTF-8 text, found a byte that is not ({reason})")


def newlines(text: str) -> str:
    """Universal newlines, as text-mode reading gives: CRLF and a lone CR end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_utf8(data: bytes) -> str:
    """`data` as text with universal newlines and no BOM; NotUtf8 if it is not UTF-8."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return newlines(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        before = newlines(data[: exc.start].decode("utf-8"))
        raise NotUtf8(before.count("\n") + 1, exc.reason) from None
