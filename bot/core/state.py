"""Typed, scoped conversation state for flows.

A flow keeps what it is in the middle of (an application number awaiting its code, a reminder
being composed, a survey half answered) in a `FlowState` model owned by its feature. When the
person moves to another feature, the states of the features they left are dropped — unless the
model says `keep = True` (a survey that can be resumed later, the last search). The core's own
keys (the Back stack, the screen number, the awaited input) are not flow state.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

_REGISTRY: dict[str, type[FlowState]] = {}


class FlowState(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    owner: ClassVar[str]  # the feature (router name) that owns this state
    keep: ClassVar[bool] = False  # survives leaving the feature

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "owner" in cls.__dict__:
            key = cls.key()
            if key in _REGISTRY and _REGISTRY[key] is not cls:
                raise ValueError(f"flow state {key!r} is defined twice")
            _REGISTRY[key] = cls

    @classmethod
    def key(cls) -> str:
        return f"{cls.owner}.{cls.__name__}"


class FlowStates:
    """The `flows` part of a conversation's stored state."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def get(self, cls: type[FlowState]) -> Any:
        data = self.raw.get(cls.key())
        if data is None:
            return None
        try:
            return cls.model_validate(data)
        except ValidationError:  # saved by an older version of the flow: start afresh
            self.raw.pop(cls.key(), None)
            return None

    def put(self, state: FlowState) -> None:
        self.raw[type(state).key()] = state.model_dump(mode="json")

    def drop(self, cls: type[FlowState]) -> None:
        self.raw.pop(cls.key(), None)

    def leave_all_but(self, owner: str | None) -> None:
        """The person moved to `owner`'s feature: drop what other features were in the middle of."""
        for key in list(self.raw):
            cls = _REGISTRY.get(key)
            if cls is None or (cls.owner != owner and not cls.keep):
                del self.raw[key]
