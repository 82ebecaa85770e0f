"""YAML for organisers' files: safe, line-numbered, and free of YAML 1.1 surprises.

PyYAML's loaders implement YAML 1.1, where `time: 19:30` is the integer 1170, `NO` is
False and `2012-02-16` becomes a date object before any validator sees it. Organisers
write what they mean, so plain scalars here resolve only to null, true/false, decimal
ints, floats and strings; anything else stays the string that was typed, and the
schema in `config`/`content` decides what it means (with an error that shows it).

A hashtag in a plain value is a comment to YAML: `description: Write-ups of the
#chartership chat` loads as "Write-ups of the", and `hashtag: #x` as nothing. Every
such value in a file is an error that says to quote it; a real comment (`# note`,
with a space after the `#`) is left alone.

Anchors and aliases are refused outright: a 300-byte "billion laughs" document
expands to tens of millions of nodes, and no site file needs them. Duplicate keys
are errors, because YAML would silently keep the last one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.core.pickling import fast_pickle

KeyPath = tuple[str | int, ...]
MAX_DEPTH = 50  # no site file nests deeper; a 20,000-deep list would exhaust the stack

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$")
_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


# libyaml's parser when PyYAML was built with it (the PyPI wheels are): ~10x faster.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """A safe loader without implicit typing: plain scalars arrive as untyped strings."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


@fast_pickle
@dataclass(frozen=True, slots=True)
class YamlProblem:
    """One reason a file was refused: `line` is 1-based (offset applied), `key` the
    dotted key path (`topics[0].name`) when the problem belongs to one value."""

    line: int | None
    key: str | None
    message: str


class YamlError(ValueError):
    """Malformed or refused YAML; `line` is 1-based in the file (offset applied).

    `problems` holds every problem found (at least the one in the message), so a
    file with three cut values says so once, not in three runs.
    """

    def __init__(
        self, message: str, line: int | None, problems: tuple[YamlProblem, ...] = ()
    ) -> None:
        self.line = line
        self.problems = problems or (YamlProblem(line, None, message),)
        super().__init__(message)


@fast_pickle
@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Plain Python data plus the line each value starts on, by key path.

    `lines[("topics", 0, "name")]` is the line of that value; `lines[()]` the
    document's. Validators use it to say `site.yaml:12: topics[0].name: ...`.
    """

    data: Any
    lines: Mapping[KeyPath, int]
    # How numbers were typed: `title: 1.50` is the float 1.5 in `data` and "1.50" here,
    # so a field that wants text gets what the author wrote.
    spelled: Mapping[KeyPath, str] = field(default_factory=dict)

    def as_written(self, path: KeyPath, value: Any) -> Any:
        """`value` (found at `path`) with numbers back in the author's spelling."""
        if isinstance(value, list):
            return [self.as_written((*path, i), item) for i, item in enumerate(value)]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.spelled.get(path, value)
        return value

    def line(self, path: KeyPath) -> int | None:
        """Line of `path`, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def load(text: str, line_offset: int = 0) -> YamlDoc:
    """Parse one YAML document. `line_offset` shifts lines (front matter after `---`)."""
    _refuse_aliases(text, line_offset)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError: a control character
        raise YamlError(
            f"invalid YAML: {_unmarked(exc)}", _unmarked_line(exc, text, line_offset)
        ) from None
    lines: dict[KeyPath, int] = {}
    spelled: dict[KeyPath, str] = {}
    if node is None:
        return YamlDoc(None, {(): 1 + line_offset})
    cuts = _comment_cuts(node, text, line_offset)
    if cuts:
        raise YamlError(cuts[0].message, cuts[0].line, cuts)
    data = _convert(node, (), lines, line_offset, spelled)
    return YamlDoc(data, lines, spelled)


def _refuse_aliases(text: str, line_offset: int) -> None:
    """Refuse aliases and over-deep nesting, before anything is composed.

    Events are linear in the input size: aliases are not expanded at this stage, and
    libyaml's event parser keeps its own stack, whereas composing a 20,000-deep list
    recurses (and can crash the interpreter, not just raise).
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, AliasEvent) or (
                isinstance(event, NodeEvent) and event.anchor is not None
            ):
                mark = event.start_mark
                line = mark.line + 1 + line_offset if mark else None
                raise YamlError(
                    "YAML anchors and aliases (&name, *name) are not allowed; "
                    "write the value out in full",
                    line,
                )
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line = mark.line + 1 + line_offset if mark else None
                    raise YamlError(f"YAML nested more than {MAX_DEPTH} levels deep", line)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(
            f"invalid YAML: {_unmarked(exc)}", _unmarked_line(exc, text, line_offset)
        ) from None


# The line breaks YAML counts (libyaml's and PyYAML's): marks are (line, column) in these.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# What YAML dropped: spaces, then `#` and a word character (`#chartership`), not `# note`.
_CUT = re.compile(r"^[ \t]+(#\w.*)$")


def show_path(path: KeyPath) -> str:
    """`("topics", 0, "name")` as an author reads it: `topics[0].name`."""
    shown = ""
    for part in path:
        shown += f"[{part}]" if isinstance(part, int) else (f".{part}" if shown else part)
    return shown


def _comment_cuts(root: Node, text: str, offset: int) -> tuple[YamlProblem, ...]:
    """Every plain value that YAML ended early at ` #word`, in document order.

    Only plain scalars: a quoted value followed by `#x` was quoted on purpose, and
    in a block scalar `#` is text. An empty plain value (`hashtag: #x`) counts too.
    """
    source_lines = _LINE_BREAK.split(text)
    found: list[YamlProblem] = []
    stack: list[tuple[Node, KeyPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, MappingNode):
            stack.extend((value, (*path, str(key.value))) for key, value in reversed(node.value))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, ScalarNode) and not node.style and path:
            end = node.end_mark
            rest = source_lines[end.line][end.column :] if end.line < len(source_lines) else ""
            if cut := _CUT.match(rest):
                dropped = re.split(r"\s+#(?:\s|$)", cut[1])[0].rstrip()  # not a real comment after
                found.append(_cut_problem(node, path, dropped, end.line + 1 + offset))
    return tuple(found)


def _cut_problem(node: ScalarNode, path: KeyPath, dropped: str, line: int) -> YamlProblem:
    key = show_path(path)
    if node.value:
        message = (
            f"YAML read this value as {node.value!r} and dropped {dropped!r} as a comment; "
            f'expected the whole text: quote the value (YAML reads " #..." as a comment)'
        )
    else:
        written = "-" if isinstance(path[-1], int) else f"{path[-1]}:"
        message = (
            f"YAML read {dropped!r} as a comment, so this value is empty; quote the value, "
            f'like {written} "{dropped}" (YAML reads " #..." as a comment)'
        )
    return YamlProblem(line, key, message)


def _unmarked(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"the character {chr(exc.character)!r} is not allowed in YAML"
    return str(exc).splitlines()[0]


def _unmarked_line(exc: yaml.YAMLError, text: str, offset: int) -> int | None:
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1 + offset
    return None


def _convert(
    node: Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    offset: int,
    spelled: dict[KeyPath, str],
) -> Any:
    line = node.start_mark.line + 1 + offset
    lines[path] = line
    if node.tag not in _ALLOWED_TAGS:
        raise YamlError(f"YAML tag {node.tag!r} is not allowed", line)
    if isinstance(node, ScalarNode):
        value = _scalar(node)
        if isinstance(value, int | float) and not isinstance(value, bool):
            spelled[path] = node.value
        return value
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*path, i), lines, offset, spelled) for i, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlError(
                    "mapping keys must be plain words", key_node.start_mark.line + 1 + offset
                )
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1 + offset
            if key == "<<":
                raise YamlError("YAML merge keys (<<) are not allowed", key_line)
            if key in result:
                first = lines.get((*path, key), key_line)
                raise YamlError(f"duplicate key {key!r} (first given on line {first})", key_line)
            result[key] = _convert(value_node, (*path, key), lines, offset, spelled)
            # Point at the key, which is where the reader looks for it.
            lines[(*path, key)] = key_line
        return result
    raise YamlError("unsupported YAML node", line)  # pragma: no cover


def _scalar(node: ScalarNode) -> Any:
    value: str = node.value
    if node.tag == _STD + "str":
        if node.style:  # None (PyYAML) or "" (libyaml) for plain scalars
            return value  # quoted or block scalar: the author said "string"
        if _NULL.match(value):
            return None
        if _TRUE.match(value):
            return True
        if _FALSE.match(value):
            return False
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        return value
    # An explicit tag such as !!int: honour it when the text fits, else keep the text.
    if node.tag == _STD + "int" and _INT.match(value):
        return int(value)
    if node.tag == _STD + "float" and (_FLOAT.match(value) or _INT.match(value)):
        return float(value)
    if node.tag == _STD + "bool" and (_TRUE.match(value) or _FALSE.match(value)):
        return bool(_TRUE.match(value))
    if node.tag == _STD + "null":
        return None
    return value
