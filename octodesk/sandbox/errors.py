"""The error a route raises; the server turns it into the real Octopus error body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error answer: status, ErrorMessage and Errors exactly as Octopus Server sends them."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        return {"ErrorMessage": self.message, "Errors": list(self.errors)}


def not_found(resource_id: str) -> ApiError:
    return ApiError(404, f"The resource '{resource_id}' was not found.")


def bad_request(errors: list[str]) -> ApiError:
    """400 whose ErrorMessage names the problem itself when there is one, so a one-line error is useful."""
    if len(errors) == 1:
        return ApiError(400, errors[0], errors)
    return ApiError(400, "There was a problem with your request: " + "; ".join(errors), errors)


def method_not_allowed(method: str, path: str) -> ApiError:
    return ApiError(405, f"The method '{method}' is not allowed on '{path}'.")


def out_of_date(document_type: str, document_id: str) -> str:
    """The server's words for a write based on an old read (OctopusDeploy/Issues#7936, #9559)."""
    return (
        f"Modification failed for '{document_type}' document with '{document_id}' Id because submitted data "
        "was out of date. Refresh the document and try again."
    )


def stale(document_type: str, document_id: str) -> ApiError:
    return ApiError(400, "There was a problem with your request.", [out_of_date(document_type, document_id)])
