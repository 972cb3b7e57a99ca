"""Stable, human-readable references to sensitive values (docs/architecture.md "Secret references").

The same reference names a value at export (``--list-secrets``, ``--secrets-file`` keys, the keys of
``secrets.enc``) and at import (where the importer looks the value up). Everything is built from names,
never ids, so a reference means the same thing on any server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octodesk.core.errors import SecretsFileError
from octodesk.core.resources.model import kind_of_id

DEPLOYMENT_PROCESS = "deployment"  # the <process> part of an action reference for the deployment process

# Secret-bearing fields of each account type (docs/octopus-api-facts.md "Accounts and their secrets"). OIDC
# accounts have none.
ACCOUNT_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "UsernamePassword": ("Password",),
    "SshKeyPair": ("PrivateKeyFile", "PrivateKeyPassphrase"),
    "AzureSubscription": ("CertificateBytes",),
    "AzureServicePrincipal": ("Password",),
    "AmazonWebServicesAccount": ("SecretKey",),
    "Token": ("Token",),
    "GoogleCloudAccount": ("JsonKey",),
}

# The ones a create must carry (go-octopusdeploy pkg/accounts: ``validate:"required"``): the server refuses
# the account without them, so the plan decides before anything is written.
REQUIRED_ACCOUNT_SECRETS: dict[str, tuple[str, ...]] = {
    "SshKeyPair": ("PrivateKeyFile",),
    "AzureServicePrincipal": ("Password",),
    "AmazonWebServicesAccount": ("SecretKey",),
    "Token": ("Token",),
    "GoogleCloudAccount": ("JsonKey",),
}
# Secret-bearing fields of each feed type (Octopus.Client *FeedResource.cs; go-octopusdeploy pkg/feeds).
FEED_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "AwsElasticContainerRegistry": ("SecretKey",),
    "S3": ("SecretKey",),
    "GcsStorage": ("ServiceAccountJsonKey",),
    "BuiltIn": (),
    "OctopusProject": (),
}
DEFAULT_FEED_SECRET_FIELDS = ("Password",)  # NuGet, Docker, Maven, GitHub, Helm, OCI, ACR, GCR, Npm, ...
# What a create gets for a missing required secret when the user allowed placeholders.
PLACEHOLDER = "OCTODESK-PLACEHOLDER-replace-this-value"

CARRIED_BY_SERVER = "server"  # read from the source server (certificate export, where permitted)
CARRIED_BY_USER = "user"  # only the user can supply it (--secrets-file / the GUI page)




@dataclass(frozen=True)
class SecretRef:
    ref: str
    description: str
    carried_by: str  # CARRIED_BY_SERVER | CARRIED_BY_USER


NameOf = Callable[[str, str], "str | None"]  # (kind, id) -> name, None when unknown


def is_sensitive_value(value: object) -> bool:
    """A SensitiveValue object ``{HasValue, NewValue}`` (how the API shows a secret property)."""
    return isinstance(value, dict) and "HasValue" in value


def has_secret(value: object) -> bool:
    """A SensitiveValue that holds a secret on the server."""
    return isinstance(value, dict) and "HasValue" in value and bool(value.get("HasValue"))


# Scope keys whose values are ids (named through ``name_of``); the others already hold names.
_SCOPE_ID_KINDS = {
    "Environment": "Environment",
    "Machine": "Machine",
    "Action": "DeploymentAction",
    "Channel": "Channel",
    "Tenant": "Tenant",
    "Project": "Project",
    "User": "User",
    "Trigger": "ProjectTrigger",
}


def scope_digest(scope: dict[str, Any] | None, name_of: NameOf) -> str:
    """``Environment=Production,Staging;Role=web`` — keys sorted, names sorted; "" when unscoped.

    ProcessOwner ids are named through ``name_of`` with the kind shown by their prefix.
    """
    parts: list[str] = []
    for key in sorted(scope or {}):
        values = (scope or {}).get(key) or []
        if not values:
            continue
        names: list[str] = []
        for value in values:
            kind = _SCOPE_ID_KINDS.get(key) or (kind_of_id(value) if key == "ProcessOwner" else None)
            name = name_of(kind, value) if kind else value
            names.append(name if name is not None else value)
        parts.append(f"{key}={','.join(sorted(names))}")
    return ";".join(parts)


def owner_label(owner_kind: str) -> str:
    """A variable set's owner kind as a message names it: "Project", "Library variable set"."""
    return "Library variable set" if owner_kind == "LibraryVariableSet" else owner_kind


def variable_ref(
    owner_kind: str, owner_name: str, variable_name: str, scope: dict[str, Any] | None, name_of: NameOf
) -> str:
    """``variable:Project/Web Portal/DbPassword[Environment=Production]``."""
    digest = scope_digest(scope, name_of)
    suffix = f"[{digest}]" if digest else ""
    return f"variable:{owner_kind}/{owner_name}/{variable_name}{suffix}"


def account_ref(account_name: str, field: str) -> str:
    return f"account:{account_name}/{field}"


def feed_ref(feed_name: str, field: str = "Password") -> str:
    return f"feed:{feed_name}/{field}"


def feed_secret_fields(feed_type: object) -> tuple[str, ...]:
    return FEED_SECRET_FIELDS.get(str(feed_type), DEFAULT_FEED_SECRET_FIELDS)


def git_credential_ref(credential_name: str) -> str:
    return f"gitcredential:{credential_name}/Password"


def trigger_ref(project_name: str, trigger_name: str) -> str:
    """A webhook trigger's secret (``Filter.Secret``)."""
    return f"trigger:{project_name}/{trigger_name}/Secret"


def required_secrets(kind: str, name: str, document: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, reference) of every secret a create of this resource cannot do without."""
    if kind == "Account":
        fields = REQUIRED_ACCOUNT_SECRETS.get(str(document.get("AccountType")), ())
        return [(field, account_ref(name, field)) for field in fields]
    if kind == "GitCredential":
        return [("Password", git_credential_ref(name))]
    return []


def certificate_ref(certificate_name: str) -> str:
    """The certificate data: base64 PFX, or PEM with its private key."""
    return f"certificate:{certificate_name}"


def certificate_password_ref(certificate_name: str) -> str:
    return f"certificate:{certificate_name}/Password"


def action_ref(project_name: str, process_name: str, step_name: str, action_name: str, prop: str) -> str:
    """``process_name`` is DEPLOYMENT_PROCESS or the runbook's name."""
    return f"action:{project_name}/{process_name}/{step_name}/{action_name}/{prop}"


def template_ref(template_name: str, parameter_name: str) -> str:
    """A step template parameter's sensitive default value."""
    return f"template:{template_name}/{parameter_name}"


def tenant_ref(
    tenant_name: str,
    owner_kind: str,
    owner_name: str,
    template_name: str,
    environment_name: str | None = None,
) -> str:
    """A tenant variable: project variables per environment, library (common) variables without."""
    tail = f"/{environment_name}" if environment_name else ""
    return f"tenant:{tenant_name}/{owner_kind}/{owner_name}/{template_name}{tail}"


def environments_label(names: Iterable[str]) -> str:
    """The environments of an environment-scoped common tenant value, as its reference names them."""
    return ",".join(sorted(names))


def parameter_ref(owner_kind: str, owner_name: str, template_name: str) -> str:
    """A sensitive default value of a project or library variable set template (tenant variable template)."""
    return f"parameter:{owner_kind}/{owner_name}/{template_name}"


def read_secrets_file(path: str | Path) -> dict[str, str]:
    """Values supplied by the user: ``{"secrets": {ref: value}}`` or a flat ``{ref: value}`` object."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SecretsFileError(f"Cannot read the secrets file {path}: {error.strerror or error}.") from None
    return parse_secrets(text, str(path))


def parse_secrets(text: str, source: str = "the secrets file") -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError as error:
        # the message names the position only: the text itself may hold secrets
        raise SecretsFileError(
            f"{source} is not valid JSON (line {getattr(error, 'lineno', '?')})."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("secrets"), dict) and len(data) == 1:
        data = data["secrets"]
    if not isinstance(data, dict):
        raise SecretsFileError(
            f'{source} must hold a JSON object: {{"secrets": {{"<reference>": "<value>"}}}}.'
        )
    secrets: dict[str, str] = {}
    for ref, value in data.items():
        if not isinstance(value, str):
            raise SecretsFileError(f"{source}: the value of {ref!r} must be a string.")
        if value:  # an empty value (a template left unfilled) supplies nothing
            secrets[ref] = value
    return secrets


def secrets_template(refs: Iterable[str]) -> str:
    """A secrets file with every reference and an empty value, to fill in offline (holds no secret)."""
    return json.dumps({"secrets": {ref: "" for ref in refs}}, indent=2, ensure_ascii=False) + "\n"


def unknown_refs(supplied: Iterable[str], known: Iterable[str]) -> list[str]:
    """Supplied references that name nothing the export needs (typos), sorted."""
    return sorted(set(supplied) - set(known))
