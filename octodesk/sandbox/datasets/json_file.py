"""Datasets from a JSON file: a recorded list of REST calls replayed against the sandbox.

Format::

    {
      "format": "octodesk-sandbox-dataset",
      "version": 1,
      "operations": [
        {"method": "POST", "path": "/api/spaces", "body": {"Name": "Default", "IsDefault": true},
         "save_as": "space"},
        {"method": "POST", "path": "/api/${space.Id}/environments", "body": {"Name": "Production"},
         "save_as": "prod"},
        {"method": "GET", "path": "/api/${space.Id}/feeds?feedType=BuiltIn", "save_as": "builtin"},
        {"method": "POST", "path": "/api/${space.Id}/lifecycles",
         "body": {"Name": "Prod only", "Phases": [{"Name": "Prod",
                  "AutomaticDeploymentTargets": ["${prod.Id}"]}]}},
        {"method": "UPLOAD", "path": "/api/${space.Id}/projects/${web.Id}/logo", "field": "fileData",
         "filename": "logo.png", "content_type": "image/png", "data_base64": "iVBORw0KGgo..."}
      ]
    }

- ``method``: ``GET``, ``POST``, ``PUT`` or ``UPLOAD`` (multipart upload of ``data_base64``). ``POST`` and
  ``PUT`` need a ``body`` object.
- ``save_as`` (optional): a name for the operation's response, so later operations can use it.
- ``${name.Field.Sub.0}`` in a path or in any string of a body is replaced by that field of a saved response
  (dots walk into objects; numbers index lists). A string that is exactly one placeholder takes the value's
  own JSON type (a list, a number, ...); inside a longer string the value is inserted as text.
  ``$${`` stands for a literal ``${`` (e.g. in a Bash script).

The file is checked completely when it is loaded (structure, methods, placeholders that name no earlier
``save_as``); any problem is a DatasetError naming the file and the operation.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .api import DatasetError, SandboxApi

FORMAT_NAME = "octodesk-sandbox-dataset"
SUPPORTED_VERSION = 1
METHODS = ("GET", "POST", "PUT", "UPLOAD")

_PLACEHOLDER = re.compile(r"\$(\$?)\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def load_json_dataset(path: Path) -> Callable[[SandboxApi], None]:
    """Read and check a dataset file; the returned builder replays its operations in order."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"Dataset file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"Cannot read dataset file {path}: {exc}.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"Dataset file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    operations = _check_document(path, document)

    def build(api: SandboxApi) -> None:
        _replay(path, operations, api)

    return build


def _check_document(path: Path, document: Any) -> list[dict[str, Any]]:
    def fail(message: str) -> DatasetError:
        return DatasetError(f"Dataset file {path}: {message}")

    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise fail(f'not a sandbox dataset (expected "format": "{FORMAT_NAME}").')
    if document.get("version") != SUPPORTED_VERSION:
        raise fail(
            f"unsupported version {document.get('version')!r} (this OctoDesk reads version "
            f"{SUPPORTED_VERSION})."
        )
    operations = document.get("operations")
    if not isinstance(operations, list):
        raise fail('"operations" must be a list.')
    saved: set[str] = set()
    for number, operation in enumerate(operations, start=1):
        where = f"operation {number}"
        if not isinstance(operation, dict):
            raise fail(f"{where} must be an object.")
        method = operation.get("method")
        if method not in METHODS:
            raise fail(f"{where} has method {method!r}; use one of {', '.join(METHODS)}.")
        route = operation.get("path")
        if not isinstance(route, str) or not route.startswith("/api"):
            raise fail(f'{where} needs a "path" starting with /api.')
        if method in ("POST", "PUT") and not isinstance(operation.get("body"), dict):
            raise fail(f'{where} ({method}) needs a "body" object.')
        if method == "UPLOAD":
            _check_upload(operation, fail, where)
        for name in _placeholder_names(operation.get("path")) | _placeholder_names(operation.get("body")):
            if name not in saved:
                raise fail(f'{where} uses ${{{name}...}} but no earlier operation has "save_as": "{name}".')
        save_as = operation.get("save_as")
        if save_as is not None:
            if not isinstance(save_as, str) or not _NAME.fullmatch(save_as):
                raise fail(f'{where} has an invalid "save_as" {save_as!r} (letters, digits, _ and -).')
            saved.add(save_as)
    return operations


def _check_upload(operation: dict[str, Any], fail: Callable[[str], DatasetError], where: str) -> None:
    for key in ("field", "filename", "content_type", "data_base64"):
        if not isinstance(operation.get(key), str):
            raise fail(f'{where} (UPLOAD) needs a "{key}" string.')
    try:
        base64.b64decode(operation["data_base64"], validate=True)
    except binascii.Error:
        raise fail(f'{where} (UPLOAD) has "data_base64" that is not valid base64.') from None


def _placeholder_names(value: Any) -> set[str]:
    if isinstance(value, str):
        return {match.group(2).split(".")[0] for match in _PLACEHOLDER.finditer(value) if not match.group(1)}
    if isinstance(value, dict):
        return set().union(*(_placeholder_names(item) for item in value.values()), set())
    if isinstance(value, list):
        return set().union(*(_placeholder_names(item) for item in value), set())
    return set()


def _replay(path: Path, operations: list[dict[str, Any]], api: SandboxApi) -> None:
    saved: dict[str, Any] = {}
    for number, operation in enumerate(operations, start=1):
        method = operation["method"]
        try:
            route = _substitute(operation["path"], saved)
            body = _substitute(operation.get("body"), saved)
        except _LookupFailed as exc:
            raise DatasetError(f"Dataset file {path}: operation {number}: {exc}") from None
        try:
            if method == "GET":
                result = api.get(route)
            elif method == "POST":
                result = api.post(route, body)
            elif method == "PUT":
                result = api.put(route, body)
            else:
                result = api.upload(
                    route,
                    operation["field"],
                    operation["filename"],
                    base64.b64decode(operation["data_base64"]),
                    operation["content_type"],
                )
        except Exception as exc:
            # The file is user input: whatever the server rejected, say which operation it was.
            raise DatasetError(
                f"Dataset file {path}: operation {number} ({method} {route}) failed: {exc}"
            ) from exc
        if operation.get("save_as"):
            saved[operation["save_as"]] = result


class _LookupFailed(Exception):
    pass


def _substitute(value: Any, saved: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and not whole.group(1):
            return _lookup(whole.group(2), saved)
        return _PLACEHOLDER.sub(lambda match: _replacement(match, saved), value)
    if isinstance(value, dict):
        return {key: _substitute(item, saved) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, saved) for item in value]
    return value


def _replacement(match: re.Match[str], saved: dict[str, Any]) -> str:
    if match.group(1):
        return "${" + match.group(2) + "}"
    found = _lookup(match.group(2), saved)
    if isinstance(found, dict | list) or found is None:
        raise _LookupFailed(
            f"${{{match.group(2)}}} is {json.dumps(found)[:60]}, which cannot be put inside text"
        )
    return str(found)


def _lookup(expression: str, saved: dict[str, Any]) -> Any:
    name, *fields = expression.split(".")
    current = saved[name]
    walked = name
    for field in fields:
        if isinstance(current, dict) and field in current:
            current = current[field]
        elif isinstance(current, list) and field.isdigit() and int(field) < len(current):
            current = current[int(field)]
        else:
            raise _LookupFailed(f"${{{expression}}}: {walked} has no field '{field}'")
        walked = f"{walked}.{field}"
    return current
