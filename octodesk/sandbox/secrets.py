"""Sensitive values: stored in full, never returned; a PUT that sends them back masked keeps them."""

from __future__ import annotations

from typing import Any

_SENSITIVE_KEYS = {"HasValue", "NewValue", "Hint"}


def is_sensitive_value(value: Any) -> bool:
    return isinstance(value, dict) and "HasValue" in value and set(value) <= _SENSITIVE_KEYS


_CONTAINERS = (dict, list)


def mask(value: Any) -> Any:
    """A copy with every SensitiveValue's NewValue nulled and every sensitive variable's Value nulled."""
    if isinstance(value, dict):
        if is_sensitive_value(value):
            return {"HasValue": bool(value.get("HasValue")), "NewValue": None, "Hint": value.get("Hint")}
        # scalars are taken as they are, without a call: every document of every answer passes through here
        masked = {key: mask(item) if isinstance(item, _CONTAINERS) else item for key, item in value.items()}
        if value.get("IsSensitive") is True and "Value" in value and "Name" in value:
            masked["Value"] = None
        return masked
    if isinstance(value, list):
        return [mask(item) if isinstance(item, _CONTAINERS) else item for item in value]
    return value


def merge(incoming: Any, stored: Any) -> Any:
    """The document to store for ``incoming``: new secrets taken, masked ones (NewValue null) kept from
    ``stored``. Lists are matched element by element on ``Id`` (steps, actions, variables, parameters)."""
    if is_sensitive_value(incoming):
        if incoming.get("NewValue") is not None:
            return {"HasValue": True, "NewValue": incoming["NewValue"], "Hint": incoming.get("Hint")}
        if incoming.get("HasValue") and is_sensitive_value(stored) and stored.get("HasValue"):
            return dict(stored)
        return {"HasValue": False, "NewValue": None, "Hint": incoming.get("Hint")}
    if isinstance(incoming, dict):
        old = stored if isinstance(stored, dict) else {}
        merged = {key: merge(item, old.get(key)) for key, item in incoming.items()}
        if (
            merged.get("IsSensitive") is True
            and "Name" in merged
            and merged.get("Value") is None
            and old.get("IsSensitive") is True
            and old.get("Id") == merged.get("Id")
        ):
            merged["Value"] = old.get("Value")
        return merged
    if isinstance(incoming, list):
        by_id: dict[Any, Any] = {}
        if isinstance(stored, list):
            by_id = {item.get("Id"): item for item in stored if isinstance(item, dict) and item.get("Id")}
        return [
            merge(item, by_id.get(item.get("Id")) if isinstance(item, dict) else None) for item in incoming
        ]
    return incoming
