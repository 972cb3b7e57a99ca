"""Typed errors. Every error the user can meet carries one clear, secret-free message."""

from __future__ import annotations


class OctoDeskError(Exception):
    """Base of every error the engine raises on purpose. ``str(error)`` is the one line shown to the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Cancelled(OctoDeskError):
    exit_code = 130

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


# --- talking to a server -------------------------------------------------------------------------


class ServerError(OctoDeskError):
    """Anything that went wrong talking to an Octopus Server."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: list[str] | None = None,
        url: str | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = list(errors or [])
        self.url = url
        self._reason = reason

    @property
    def reason(self) -> str:
        """The server's own explanation when it gave one (no method, path or status), else the message."""
        return self._reason or self.message


class InvalidServerUrl(ServerError):
    """The URL is not something we can connect to (no scheme, bad host, ...)."""


class ConnectionFailed(ServerError):
    """DNS failure, connection refused or reset: the server could not be reached."""


class TlsError(ServerError):
    """The TLS handshake failed (untrusted certificate, wrong host name, ...)."""


class RequestTimedOut(ServerError):
    """The server did not answer in time."""


class NotAnOctopusServer(ServerError):
    """Something answered, but not an Octopus Server API."""


class AuthenticationFailed(ServerError):
    """401: the API key is invalid or the account is disabled."""


class PermissionDenied(ServerError):
    """403: the API key is valid but may not do this."""


class ResourceNotFound(ServerError):
    """404, or a name that does not exist (space, project)."""


class ValidationFailed(ServerError):
    """400 or 409: the server refused the document; ``errors`` lists the server's reasons."""


class RateLimited(ServerError):
    """429 after every retry."""


class ServerFailure(ServerError):
    """5xx after every retry, or a malformed response."""


class IncompleteAnswer(ServerFailure):
    """The server answered, but without documents that were asked for by id."""


# --- bundles -------------------------------------------------------------------------------------


class BundleError(OctoDeskError):
    """The bundle file cannot be used."""


class WrongPassword(BundleError):
    pass


class BundleDamaged(BundleError):
    """The bundle is corrupt, truncated, tampered with or hostile."""


class UnsupportedBundle(BundleError):
    """The bundle is of a format version this OctoDesk does not read."""


# --- export / import ------------------------------------------------------------------------------


class ExportRefused(OctoDeskError):
    """The export cannot be made (version-controlled project, unknown project name, ...)."""


class JournalError(OctoDeskError):
    """The import journal cannot be written, so the import could not resume: it stops."""


class ImportRefused(OctoDeskError):
    """The import plan has refusals; nothing was written."""

    exit_code = 3

    def __init__(self, message: str, refusals: list[str] | None = None) -> None:
        super().__init__(message)
        self.refusals = list(refusals or [])

    @classmethod
    def listing(cls, headline: str, refusals: list[str]) -> ImportRefused:
        """``headline``, then each refusal on a line of its own (the command line prints them so)."""
        return cls("\n  - ".join([headline, *refusals]), refusals)


def nothing_written(space_name: str, refusals: list[str], where: str = "") -> ImportRefused:
    """A refused import plan: nothing was written to the space (``where``: what else the user should know,
    said after the space's name)."""
    return ImportRefused.listing(
        f"The import was refused; nothing was written to space '{space_name}'{where}:", refusals
    )


# --- Octopus's own Export/Import Projects (the server engine) --------------------------------------


class ServerTaskError(OctoDeskError):
    """A server task (Octopus's export or import) ended without success; the message carries the task's
    own ErrorMessage."""

    def __init__(self, message: str, *, task_id: str, state: str, server_message: str = "") -> None:
        super().__init__(message)
        self.task_id = task_id
        self.state = state
        self.server_message = server_message


class ServerTaskFailed(ServerTaskError):
    """The task ended Failed."""


class ServerTaskCanceled(ServerTaskError):
    """The task was canceled on the server, not by this run (someone cancelled it in Octopus)."""


class ServerTaskTimedOut(ServerTaskError):
    """The task ended TimedOut (it waited in the queue past its expiry)."""


class ServerEngineUnavailable(ImportRefused):
    """The server engine cannot be used here (a server without Export/Import Projects, a target older than
    the source, ...): refused before anything is written."""


class UnresolvedReference(OctoDeskError):
    """A document still refers to a resource the import could not map (a gap the plan should have refused)."""


class SourceIdLeaked(OctoDeskError):
    """A document about to be sent still holds an id of the source server: a remapping gap (a bug)."""


class SecretsFileError(OctoDeskError):
    """The secrets file cannot be used (unreadable, not JSON, or values that are not strings)."""

    exit_code = 2


class TransferIncomplete(ServerFailure):
    """The bytes read from the source are not the package it describes; nothing was stored."""


class PackageConflict(OctoDeskError):
    """The target got the same version with other contents while the copy ran; it was not overwritten."""


class PackagesNotCopied(OctoDeskError):
    """Some package versions could not be copied; the others were, and are journaled."""
