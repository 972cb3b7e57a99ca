"""No sensitive value is written in clear: what the bundle writer does to every document it is given.

Octopus masks sensitive values in what it returns (a SensitiveValue's ``NewValue`` is null, a sensitive
variable's ``Value`` is null), but the writer does not rely on it: whatever a server or a caller sent, those
fields are written as null. Sensitive values travel only in ``secrets.enc``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# A document's canonical JSON (sorted keys, no spaces) holds one of these wherever the scrub would change
# it: a dict with a NewValue that is not null holds '"NewValue":' not followed by 'null,' or 'null}', one
# with IsSensitive true holds '"IsSensitive":true'. Inside a JSON string a quote is always escaped, so a
# string value cannot hide either; it can only add one, which costs a needless walk, never a missed scrub.
_NEW_VALUE = re.compile(rb'"NewValue":(?!null[,}])')
_SENSITIVE = re.compile(rb'"IsSensitive":true')

# A sensitive variable as a server returns it, masked: after its '"IsSensitive":true', the object's next
# key-value pairs, then '"Value":null' and the object's next ',' or '}'. Each pair's value must be one whole
# JSON value (matched to three levels of nesting; a deeper one does not match, which costs a walk), so the
# pairs cannot run past the object's end; and an object's keys are unique, so that Value is its own.
_STRING = rb'"(?:[^"\\]|\\.)*"'
_SCALAR = _STRING + rb"|true|false|null|-?[0-9][0-9.eE+-]*"


def _nested(inner: bytes) -> bytes:
    items = rb"(?:(?:%s)(?:,(?:%s))*)?" % (inner, inner)
    pairs = rb"(?:%s:(?:%s)(?:,%s:(?:%s))*)?" % (_STRING, inner, _STRING, inner)
    return rb"%s|\[%s\]|\{%s\}" % (_SCALAR, items, pairs)


_VALUE = _nested(_nested(_nested(_SCALAR)))
_MASKED_REST = re.compile(rb'(?:,%s:(?:%s))*?,"Value":null[,}]' % (_STRING, _VALUE))


def may_hold_sensitive_value(canonical: bytes) -> bool:
    """Whether a document, given as its canonical JSON, may have a value the scrub would null (tested at C
    speed on the bytes: most documents of a space, masked by their server, do not)."""
    if _NEW_VALUE.search(canonical):
        return True
    return any(_MASKED_REST.match(canonical, found.end()) is None for found in _SENSITIVE.finditer(canonical))


def holds_sensitive_value(document: Any) -> bool:
    """Whether ``scrubbed_copy`` would change anything in ``document``: a walk level by level (no recursion,
    whatever the nesting) that copies nothing."""
    level = [document]
    children: Iterable[Any]
    while level:
        deeper = []
        for container in level:
            if isinstance(container, dict):
                if any(container[key] is not None for key in _nulled_fields(container)):
                    return True
                children = container.values()
            elif isinstance(container, list):
                children = container
            else:
                continue
            deeper += [child for child in children if isinstance(child, dict | list)]
        level = deeper
    return False


def scrubbed_copy(node: Any) -> Any:
    """A copy in which no sensitive value survives; ``node`` is left as it was."""
    if isinstance(node, dict):
        clean = {key: scrubbed_copy(value) for key, value in node.items()}
        for key in _nulled_fields(node):
            clean[key] = None
        return clean
    if isinstance(node, list):
        return [scrubbed_copy(value) for value in node]
    return node


def _nulled_fields(node: dict[str, Any]) -> list[str]:
    """The fields of one object the scrub writes as null: a SensitiveValue's NewValue, a sensitive
    variable's Value (the one rule both the walk and the copy follow)."""
    fields = []
    if "HasValue" in node and "NewValue" in node:
        fields.append("NewValue")
    if node.get("IsSensitive") is True and "Value" in node:
        fields.append("Value")
    return fields
