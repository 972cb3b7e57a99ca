"""The engine's words, one spelling each: what a plan does to a resource, how each item and each run ended,
the kinds of follow-up, the hosting of a server and why a sensitive value is not carried.

They are codes, not sentences: each face (``octodesk.render`` for the terminal and reports, the GUI for its
screens) words them and the remedy that fits it. Being ``StrEnum``s they compare equal to, and serialise
as, their plain string values, which are what bundles, journals and JSON reports hold.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What an import does with one resource (``exported`` is the export's only action)."""

    CREATE = "create"
    REUSE = "reuse"
    MERGE = "merge"
    UPDATE = "update"
    CONVERT = "convert"
    SKIP = "skip"
    EXPORTED = "exported"


IMPORT_ACTIONS: tuple[Action, ...] = (
    Action.CREATE,
    Action.REUSE,
    Action.MERGE,
    Action.UPDATE,
    Action.CONVERT,
    Action.SKIP,
)


class Outcome(StrEnum):
    """How one plan item ended when the plan was applied."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class RunOutcome(StrEnum):
    """How a whole run (export or import) ended."""

    SUCCEEDED = "succeeded"
    COMPLETED_WITH_FAILURES = "completed-with-failures"  # ran to the end; some items failed
    STOPPED = "stopped"  # an error stopped it part way (an import continues when run again)
    CANCELLED = "cancelled"


class FollowUpCategory(StrEnum):
    """What a follow-up asks the user to do by hand."""

    DEPLOYMENT_TARGETS = "deployment-targets"
    DEPLOY_RELEASE_PROJECT = "deploy-release-project"
    PACKAGE = "package"
    SENSITIVE_VALUE = "sensitive-value"
    CERTIFICATE = "certificate"
    SCOPE = "scope"
    TRIGGER = "trigger"
    WORKERS = "workers"
    TEAM_MEMBERS = "team-members"
    SETTING = "setting"  # a project setting the target does not have
    EXPORT = "export"  # recorded at export time, in an older bundle without a category


class Hosting(StrEnum):
    """Where an Octopus Server runs, as the server itself names it."""

    SELF_HOSTED = "SelfHosted"
    CLOUD = "OctopusCloud"


class NotCarriedReason(StrEnum):
    """Why an export does not carry a sensitive value (the face says what the user can do about it)."""

    API_NEVER_RETURNS = "api-never-returns"
    CERTIFICATE_EXPORT_FORBIDDEN = "certificate-export-forbidden"  # 403 on certificates/{id}/export
    NO_CERTIFICATE_EXPORT = "no-certificate-export"  # the server has no certificate export route
    PFX_PASSWORD_MISSING = "pfx-password-missing"  # the PFX needs its password and none was supplied
    PFX_PASSWORD_WRONG = "pfx-password-wrong"  # the supplied password does not open the PFX
    NOT_A_CERTIFICATE = "not-a-certificate"  # the supplied file is not a PFX, PEM or DER certificate


def follow_up_category(text: str) -> FollowUpCategory:
    """A category read from a bundle or journal; unknown spellings count as export follow-ups."""
    try:
        return FollowUpCategory(text)
    except ValueError:
        return FollowUpCategory.EXPORT


def not_carried_reason(text: str) -> NotCarriedReason | str:
    """A reason read from a bundle: the code, or (bundles written before codes) the sentence as it was."""
    try:
        return NotCarriedReason(text)
    except ValueError:
        return text
