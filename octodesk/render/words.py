"""The engine's codes in words a person reads, the same in the terminal, the app and saved reports.

The remedy for a problem depends on the face (the command line names a flag, the app a button), so the
wording of remedies is passed in as ``Remedies``; everything else here is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from octodesk.core.report import FollowUp, Report
from octodesk.core.vocabulary import (
    Action,
    FollowUpCategory,
    Hosting,
    NotCarriedReason,
    Outcome,
    RunOutcome,
)

KIND_LABELS = {
    "Environment": "Environment",
    "TagSet": "Tag set",
    "WorkerPool": "Worker pool",
    "Feed": "Feed",
    "Team": "Team",
    "ActionTemplate": "Step template",
    "Account": "Account",
    "Certificate": "Certificate",
    "Lifecycle": "Lifecycle",
    "ProjectGroup": "Project group",
    "LibraryVariableSet": "Library variable set",
    "Project": "Project",
    "DeploymentProcess": "Deployment process",
    "VariableSet": "Project variables",
    "Channel": "Channel",
    "Runbook": "Runbook",
    "RunbookProcess": "Runbook process",
    "ProjectTrigger": "Trigger",
    "Tenant": "Tenant",
    "TenantVariables": "Tenant variables",
    "ProjectLogo": "Project logo",
    "GitCredential": "Git credential",
    "DeploymentSettings": "Deployment settings",
}

ACTION_LABELS = {
    Action.CREATE: "Create",
    Action.REUSE: "Reuse",
    Action.MERGE: "Merge",
    Action.UPDATE: "Update",
    Action.CONVERT: "Convert",
    Action.SKIP: "Skip",
    Action.EXPORTED: "Exported",
}

ACTION_DESCRIPTIONS = {
    Action.CREATE: "will be created on the target",
    Action.REUSE: "already exists on the target (matched by name) and is used as is",
    Action.MERGE: "exists on the target; missing entries are added",
    Action.UPDATE: "exists on the target and is updated from the bundle",
    Action.CONVERT: "is converted to something the target supports",
    Action.SKIP: "is not imported",
    Action.EXPORTED: "was written to the bundle",
}

OUTCOME_LABELS = {Outcome.DONE: "Done", Outcome.FAILED: "Failed", Outcome.SKIPPED: "Skipped"}
FAILED_LABEL = "Failed"

CATEGORY_LABELS = {
    FollowUpCategory.DEPLOYMENT_TARGETS: "Deployment targets",
    FollowUpCategory.DEPLOY_RELEASE_PROJECT: "Projects deployed by a Deploy a Release step",
    FollowUpCategory.PACKAGE: "Packages",
    FollowUpCategory.SENSITIVE_VALUE: "Sensitive values",
    FollowUpCategory.CERTIFICATE: "Certificates",
    FollowUpCategory.SCOPE: "Variables left out",
    FollowUpCategory.TRIGGER: "Triggers",
    FollowUpCategory.WORKERS: "Workers",
    FollowUpCategory.TEAM_MEMBERS: "Team members",
    FollowUpCategory.SETTING: "Project settings",
    FollowUpCategory.EXPORT: "Other",
}

HOSTING_LABELS = {Hosting.SELF_HOSTED: "Self-hosted", Hosting.CLOUD: "Octopus Cloud"}

NOT_CARRIED_FACTS = {
    NotCarriedReason.API_NEVER_RETURNS: "the Octopus API never returns this value",
    NotCarriedReason.CERTIFICATE_EXPORT_FORBIDDEN: (
        "the API key may not export certificates with their private key (403)"
    ),
    NotCarriedReason.NO_CERTIFICATE_EXPORT: "the server has no certificate export",
    NotCarriedReason.PFX_PASSWORD_MISSING: "its PFX file is protected by a password, which was not given",
    NotCarriedReason.PFX_PASSWORD_WRONG: "the password given does not open its PFX file",
    NotCarriedReason.NOT_A_CERTIFICATE: "the file given is not a PFX, PEM or DER certificate",
}


@dataclass(frozen=True)
class Remedies:
    """How one face tells the user to fix what the engine reports (the engine only gives the codes)."""

    supply_secret: str  # a value the export did not carry
    supply_certificate_password: str  # a PFX password that is missing or wrong
    update_existing: str  # import into projects that exist on the target
    resume: str  # continue an import that stopped part way
    # How a sensitive value is named. None: by its reference, which the command line's secrets file is keyed
    # by; the app names it the way its Sensitive values page lists it.
    secret_name: Callable[[str], str] | None = None


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(Action(action), action) if action in tuple(Action) else action.capitalize()


def hosting_label(hosting: str) -> str:
    return (
        HOSTING_LABELS.get(Hosting(hosting), hosting) if hosting in tuple(Hosting) else hosting or "unknown"
    )


def category_label(category: str) -> str:
    if category in tuple(FollowUpCategory):
        return CATEGORY_LABELS[FollowUpCategory(category)]
    return category


def not_carried_text(reason: str, remedies: Remedies) -> str:
    """Why a value is not carried and what to do about it; older bundles hold the sentence itself."""
    if reason not in tuple(NotCarriedReason):
        return reason or NOT_CARRIED_FACTS[NotCarriedReason.API_NEVER_RETURNS]
    code = NotCarriedReason(reason)
    remedy = (
        remedies.supply_certificate_password
        if code in (NotCarriedReason.PFX_PASSWORD_MISSING, NotCarriedReason.PFX_PASSWORD_WRONG)
        else remedies.supply_secret
    )
    return f"{NOT_CARRIED_FACTS[code]}; {remedy}"


def follow_up_text(follow_up: FollowUp, remedies: Remedies) -> str:
    """The follow-up as one sentence, naming its subject once."""
    ref, name = follow_up.ref, remedies.secret_name
    if follow_up.category == FollowUpCategory.SENSITIVE_VALUE and follow_up.reason:
        why = not_carried_text(follow_up.reason, remedies)
        subject = (name(ref) if name else ref) if ref else follow_up.name
        return f"{subject} is not carried: {why}."
    if not ref:
        return follow_up.message
    if ref in follow_up.message:
        return follow_up.message.replace(ref, name(ref)) if name else follow_up.message
    return follow_up.message if name else f"{follow_up.message} ({ref})"


def place_text(place: dict[str, str]) -> str:
    """``space 'Default' on https://host (Octopus 2024.1, Self-hosted)``; "" when unknown."""
    if not place:
        return ""
    hosting = f", {hosting_label(place['hosting'])}" if place.get("hosting") else ""
    version = place.get("version", "?")
    return f"space '{place.get('space', '?')}' on {place.get('url', '?')} (Octopus {version}{hosting})"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def some_names(names: list[str], noun: str = "project", shown: int = 3) -> str:
    """Names for a one-line title: all of a few, the first ones and the count of the rest for many (a title
    naming 1,000 projects is unreadable, and laying it out froze the window)."""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{plural(len(names), noun)}: {', '.join(names[:shown])} and {len(names) - shown:,} more"


def headline(report: Report) -> str:
    """One line saying how the run ended; a run with a failure says so, with the count."""
    what = {"import": "import", "export": "export"}.get(report.operation, report.operation)
    outcome = report.outcome
    if outcome == RunOutcome.SUCCEEDED:
        return f"The {what} succeeded."
    if outcome == RunOutcome.COMPLETED_WITH_FAILURES:
        return f"The {what} completed with {plural(len(report.failures), 'failure')}."
    if outcome == RunOutcome.CANCELLED:
        return f"The {what} was cancelled."
    return (
        f"The {what} stopped part way: {report.stopped_by}" if report.stopped_by else f"The {what} stopped."
    )
