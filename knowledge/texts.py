"""Walking every user-facing Text of a record: for checks (with the field path) and rewrites."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from knowledge.models import Text


def iter_texts(obj: Any, path: str = "") -> Iterator[tuple[str, Text]]:
    """(field path, Text) in the order the fields are declared: "documents[2].when", "cost.text"."""
    if isinstance(obj, Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from iter_texts(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from iter_texts(item, f"{path}[{i}]")


def map_texts(obj: Any, fn: Callable[[Text], Text]) -> Any:
    """A copy of `obj` with every Text replaced by fn(text); untouched parts are shared."""
    if isinstance(obj, Text):
        return fn(obj)
    if isinstance(obj, BaseModel):
        update = {}
        for name in type(obj).model_fields:
            old = getattr(obj, name)
            new = map_texts(old, fn)
            if new is not old:
                update[name] = new
        return obj.model_copy(update=update) if update else obj
    if isinstance(obj, list | tuple):
        items = [map_texts(item, fn) for item in obj]
        return type(obj)(items) if any(a is not b for a, b in zip(items, obj, strict=True)) else obj
    return obj
