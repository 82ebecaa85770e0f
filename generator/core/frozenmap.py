"""A read-only mapping that pickles: what indexes and planned outputs hold.

`types.MappingProxyType` is read-only but cannot be pickled, so a value holding one
cannot go to a worker process or a cache; a plain dict pickles but anyone holding
the index could change it under every other stage. `FrozenMap` is both: a copy of
the items taken once, no mutators, equal to any mapping with the same items, and
pickled as that copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A mapping fixed at construction; insertion order is kept, as a dict's is."""

    __slots__ = ("_items",)
    _items: dict[K, V]

    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, items: Mapping[K, V]) -> None: ...
    @overload
    def __init__(self, items: Iterable[tuple[K, V]]) -> None: ...
    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        # Through object.__setattr__ because __setattr__ below refuses every change.
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        # Hashable when its values are, like a tuple: frozen dataclasses holding one
        # stay hashable. Order-independent, as equality is.
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"FrozenMap is read-only: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"FrozenMap is read-only: cannot delete {name}")

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._items,))


EMPTY: FrozenMap[Any, Any] = FrozenMap()
