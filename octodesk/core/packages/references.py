"""Which built-in feed packages a set of processes needs: every package reference on a built-in feed.

A step names its packages in ``Packages[]`` (2018.8+), in the legacy action properties
``Octopus.Action.Package.PackageId``/``FeedId`` (before 2018.8, docs/octopus-api-facts.md "Action
properties"), or in a package parameter of a step template (a JSON property ``{"PackageId": ..., "FeedId":
...}``). Step templates carry their own ``Packages[]`` and package-parameter defaults. A reference whose
package id or feed is a variable expression (``#{...}``) is resolved only at deployment time, so it is left
out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from octodesk.core.resources import model

BUILT_IN_FEED_TYPE = "BuiltIn"
# The built-in feed's id on a default space; other spaces have Feeds-N (docs/octopus-api-facts.md "Identifiers
# and slugs").
DEFAULT_BUILT_IN_FEED_ID = "feeds-builtin"
LEGACY_PACKAGE_ID = "Octopus.Action.Package.PackageId"
LEGACY_FEED_ID = "Octopus.Action.Package.FeedId"

Doc = dict[str, Any]


def built_in_feed_ids(feeds: Iterable[Doc]) -> set[str]:
    ids = {DEFAULT_BUILT_IN_FEED_ID}
    ids.update(
        str(feed["Id"]) for feed in feeds if feed.get("FeedType") == BUILT_IN_FEED_TYPE and feed.get("Id")
    )
    return {feed_id.lower() for feed_id in ids}


def built_in_package_ids(
    processes: Iterable[Doc], templates: Iterable[Doc], feeds: Iterable[Doc]
) -> list[str]:
    """The package ids referenced on a built-in feed, sorted, each once (package ids ignore case; the first
    spelling met is kept)."""
    built_in = built_in_feed_ids(feeds)
    found: dict[str, str] = {}
    references = [
        reference
        for document in processes
        for _step, action in model.process_actions(document)
        for reference in _action_references(action)
    ]
    references += [reference for template in templates for reference in _template_references(template)]
    for package_id, feed_id in references:
        if _usable(package_id) and _usable(feed_id) and feed_id.lower() in built_in:
            found.setdefault(package_id.lower(), package_id)
    return sorted(found.values(), key=str.lower)


def _action_references(action: Doc) -> Iterator[tuple[Any, Any]]:
    yield from _packages(action)
    properties = action.get("Properties")
    if isinstance(properties, dict):
        yield properties.get(LEGACY_PACKAGE_ID), properties.get(LEGACY_FEED_ID)
        for value in properties.values():
            yield from _package_parameter(value)


def _template_references(template: Doc) -> Iterator[tuple[Any, Any]]:
    yield from _action_references(template)
    for parameter in template.get("Parameters") or []:
        if isinstance(parameter, dict):
            yield from _package_parameter(parameter.get("DefaultValue"))


def _packages(owner: Doc) -> Iterator[tuple[Any, Any]]:
    for package in owner.get("Packages") or []:
        if isinstance(package, dict):
            yield package.get("PackageId"), package.get("FeedId")


def _package_parameter(value: Any) -> Iterator[tuple[Any, Any]]:
    """A package parameter's value: JSON text (or an object) with PackageId and FeedId."""
    if isinstance(value, str) and value.startswith("{") and "PackageId" in value:
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict) and "PackageId" in value:
        yield value.get("PackageId"), value.get("FeedId")


def _usable(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "#{" not in value
