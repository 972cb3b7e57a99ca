"""The sensitive values an export needs: the inventory, and the values it can carry.

The API never returns secrets (docs/import-rules.md "Sensitive values"). A value is carried when the user
supplies it (keyed by the references of ``octodesk.core.resources.secret_refs``) or, for certificates, when
``certificates/{id}/export`` hands over the file with its private key. Everything else is listed as not
carried, with the reason. Values only ever go to ``secrets.enc``.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

from octodesk.core.errors import PermissionDenied, ResourceNotFound
from octodesk.core.export.selection import Selection
from octodesk.core.export.walk import SourceData, SourceReader
from octodesk.core.redact import register_secret
from octodesk.core.resources import secret_refs as refs
from octodesk.core.resources import tenant_values
from octodesk.core.resources.model import kind_of_id, process_actions
from octodesk.core.vocabulary import NotCarriedReason

Doc = dict[str, Any]


@dataclass(frozen=True)
class SecretEntry:
    ref: str
    description: str
    carried_by: str  # refs.CARRIED_BY_SERVER | refs.CARRIED_BY_USER
    kind: str  # where the value lives
    resource_id: str

    def as_ref(self) -> refs.SecretRef:
        return refs.SecretRef(self.ref, self.description, self.carried_by)


@dataclass
class SecretValues:
    carried: dict[str, str]
    not_carried: list[dict[str, str]]  # [{ref, reason: a NotCarriedReason code}]
    unused_supplied: list[str]


def inventory(data: SourceData, selection: Selection) -> list[SecretEntry]:
    """Every sensitive value the exported resources hold, in a stable order, each reference once."""
    names = _Names(data, selection)
    entries: dict[str, SecretEntry] = {}

    def add(ref: str, description: str, kind: str, resource_id: str, by: str = refs.CARRIED_BY_USER) -> None:
        entries.setdefault(ref, SecretEntry(ref, description, by, kind, resource_id))

    carried = selection.carried
    for set_id, variable_set in sorted(carried.get("VariableSet", {}).items()):
        owner_id = str(variable_set.get("OwnerId", ""))
        owner_kind = kind_of_id(owner_id) or "Project"
        owner_name = names.name(owner_kind, owner_id)
        owner_word = refs.owner_label(owner_kind)
        for variable in variable_set.get("Variables") or []:
            if variable.get("IsSensitive") or variable.get("Type") == "Sensitive":
                ref = refs.variable_ref(
                    owner_kind, owner_name, str(variable.get("Name")), variable.get("Scope"), names
                )
                add(
                    ref,
                    f"sensitive variable {variable.get('Name')} of {owner_word} '{owner_name}'",
                    "VariableSet",
                    set_id,
                )
    for kind in ("DeploymentProcess", "RunbookProcess"):
        for process_id, process in sorted(carried.get(kind, {}).items()):
            project_name = names.name("Project", str(process.get("ProjectId", "")))
            process_name = (
                refs.DEPLOYMENT_PROCESS
                if kind == "DeploymentProcess"
                else names.name("Runbook", str(process.get("RunbookId")))
            )
            for step, action in process_actions(process):
                for key, value in (action.get("Properties") or {}).items():
                    if refs.has_secret(value):
                        ref = refs.action_ref(
                            project_name, process_name, str(step.get("Name")), str(action.get("Name")), key
                        )
                        add(ref, f"sensitive step property {key} in '{project_name}'", kind, process_id)
    for template_id, template in sorted(carried.get("ActionTemplate", {}).items()):
        for parameter in template.get("Parameters") or []:
            if refs.has_secret(parameter.get("DefaultValue")):
                ref = refs.template_ref(str(template.get("Name")), str(parameter.get("Name")))
                add(
                    ref,
                    f"sensitive default of step template '{template.get('Name')}'",
                    "ActionTemplate",
                    template_id,
                )
    for kind in ("Project", "LibraryVariableSet"):
        for owner_id, owner in sorted(carried.get(kind, {}).items()):
            for template in owner.get("Templates") or []:
                if refs.has_secret(template.get("DefaultValue")):
                    ref = refs.parameter_ref(kind, str(owner.get("Name")), str(template.get("Name")))
                    add(ref, f"sensitive template default in {kind} '{owner.get('Name')}'", kind, owner_id)
    for account_id, account in sorted(carried.get("Account", {}).items()):
        for field, value in account.items():  # every SensitiveValue property, whatever the account type
            if refs.has_secret(value):
                add(
                    refs.account_ref(str(account.get("Name")), field),
                    f"account {field}",
                    "Account",
                    account_id,
                )
    for feed_id, feed in sorted(carried.get("Feed", {}).items()):
        for field, value in feed.items():  # Password, SecretKey (S3, ECR), ServiceAccountJsonKey (GCS), ...
            if refs.has_secret(value):
                add(refs.feed_ref(str(feed.get("Name")), field), f"feed {field}", "Feed", feed_id)
    for certificate_id, certificate in sorted(carried.get("Certificate", {}).items()):
        name = str(certificate.get("Name"))
        add(
            refs.certificate_ref(name),
            "certificate with its private key",
            "Certificate",
            certificate_id,
            refs.CARRIED_BY_SERVER,
        )
        if refs.has_secret(certificate.get("Password")):
            add(
                refs.certificate_password_ref(name),
                "certificate file password",
                "Certificate",
                certificate_id,
            )
    for trigger_id, trigger in sorted(carried.get("ProjectTrigger", {}).items()):
        if refs.has_secret((trigger.get("Filter") or {}).get("Secret")):
            project = names.name("Project", str(trigger.get("ProjectId")))
            ref = refs.trigger_ref(project, str(trigger.get("Name")))
            add(ref, f"webhook secret of trigger '{trigger.get('Name')}'", "ProjectTrigger", trigger_id)
    for credential_id, credential in sorted(carried.get("GitCredential", {}).items()):
        if refs.has_secret((credential.get("Details") or {}).get("Password")):
            ref = refs.git_credential_ref(str(credential.get("Name")))
            add(ref, "Git credential password", "GitCredential", credential_id)
    for tenant_id, variables in sorted(carried.get("TenantVariables", {}).items()):
        _tenant_entries(names, tenant_id, variables, add)
    return list(entries.values())


def _tenant_entries(names: _Names, tenant_id: str, variables: Doc, add: Callable[..., None]) -> None:
    tenant = names.name("Tenant", tenant_id)
    for project_id, entry in (variables.get("ProjectVariables") or {}).items():
        project = names.name("Project", project_id)
        templates = _template_names(entry, names.data.get("Project", project_id))
        for environment_id, values in (entry.get("Variables") or {}).items():
            environment = names.name("Environment", environment_id)
            for template_id, value in (values or {}).items():
                if refs.has_secret(value):
                    template = templates.get(template_id, template_id)
                    ref = refs.tenant_ref(tenant, "Project", project, template, environment)
                    add(ref, f"sensitive tenant variable of '{tenant}'", "TenantVariables", tenant_id)
    for set_id, entry in (variables.get("LibraryVariables") or {}).items():
        library = names.name("LibraryVariableSet", set_id)
        templates = _template_names(entry, names.data.get("LibraryVariableSet", set_id))
        for template_id, value in (entry.get("Variables") or {}).items():
            if refs.has_secret(value):
                ref = refs.tenant_ref(
                    tenant, "LibraryVariableSet", library, templates.get(template_id, template_id)
                )
                add(ref, f"sensitive tenant variable of '{tenant}'", "TenantVariables", tenant_id)

    for value in variables.get(tenant_values.SCOPED_COMMON) or []:
        if refs.has_secret(value.get("Value")):
            set_id = str(value.get("LibraryVariableSetId"))
            templates = _template_names(names.data.get("LibraryVariableSet", set_id))
            template_id = str(value.get("TemplateId"))
            scope = refs.environments_label(
                names.name("Environment", e) for e in value.get("EnvironmentIds") or []
            )
            ref = refs.tenant_ref(
                tenant,
                "LibraryVariableSet",
                names.name("LibraryVariableSet", set_id),
                templates.get(template_id, template_id),
                scope,
            )
            add(ref, f"sensitive tenant variable of '{tenant}'", "TenantVariables", tenant_id)


def _template_names(*owners: Doc | None) -> dict[str, str]:
    names: dict[str, str] = {}
    for owner in owners:
        for template in (owner or {}).get("Templates") or []:
            if isinstance(template.get("Id"), str) and isinstance(template.get("Name"), str):
                names.setdefault(template["Id"], template["Name"])
    return names


class _Names:
    """(kind, id) -> name for references, action GUIDs included; falls back to the id."""

    def __init__(self, data: SourceData, selection: Selection) -> None:
        self.data = data
        self.actions: dict[str, str] = {}
        for kind in ("DeploymentProcess", "RunbookProcess"):
            for process in selection.carried.get(kind, {}).values():
                for _step, action in process_actions(process):
                    if isinstance(action.get("Id"), str):
                        self.actions[action["Id"]] = str(action.get("Name"))
        self.external = selection.external

    def __call__(self, kind: str, item_id: str) -> str | None:
        if kind == "DeploymentAction":
            return self.actions.get(item_id)
        return self.data.name_of(kind, item_id) or self.external.get(kind, {}).get(item_id)

    def name(self, kind: str, item_id: str) -> str:
        return self(kind, item_id) or item_id


def collect(reader: SourceReader, entries: list[SecretEntry], supplied: dict[str, str]) -> SecretValues:
    """The values to carry: supplied ones, then certificates exported by the server where permitted.

    Every certificate file is opened here, where the file and its password are both at hand: a PFX that
    opens (with the supplied ``certificate:<name>/Password``, or none) is carried as PEM with its private
    key, so the target needs no password. One that does not open is not carried at all — the target would
    refuse it — and the reason says whether its password is missing or wrong.
    """
    needed = {entry.ref for entry in entries}
    carried: dict[str, str] = {}
    reasons: dict[str, NotCarriedReason] = {}
    settled: set[str] = set()  # password references a carried PEM (or a refused file) makes moot
    lock = threading.Lock()
    for entry in entries:
        value = supplied.get(entry.ref)
        if value is not None:
            register_secret(value)
            carried[entry.ref] = value

    def keep_certificate(entry: SecretEntry, data: bytes) -> None:
        password_ref = f"{entry.ref}/Password"
        password = supplied.get(password_ref)
        usable, needs_password = certificate_file(data, password)
        with lock:
            settled.add(password_ref)
            carried.pop(password_ref, None)
            if needs_password:
                carried.pop(entry.ref, None)
                reasons[entry.ref] = (
                    NotCarriedReason.PFX_PASSWORD_WRONG if password else NotCarriedReason.PFX_PASSWORD_MISSING
                )
                return
            value = base64.b64encode(usable).decode("ascii")
            register_secret(value)
            carried[entry.ref] = value

    def exporter(entry: SecretEntry) -> Callable[[], None]:
        def read() -> None:
            try:
                body, _ = reader.client.get_bytes(
                    reader.api(f"certificates/{entry.resource_id}/export"),
                    {"includePrivateKey": "true", "format": "Pem", "pemOptions": "PrimaryAndChain"},
                )
            except PermissionDenied:
                with lock:
                    reasons[entry.ref] = NotCarriedReason.CERTIFICATE_EXPORT_FORBIDDEN
                return
            except ResourceNotFound:
                with lock:
                    reasons[entry.ref] = NotCarriedReason.NO_CERTIFICATE_EXPORT
                return
            keep_certificate(entry, body)

        return read

    certificates = [entry for entry in entries if entry.carried_by == refs.CARRIED_BY_SERVER]
    for entry in certificates:
        if entry.ref in carried:  # supplied by the user: checked the same way
            try:
                data = base64.b64decode(carried[entry.ref], validate=True)
            except ValueError:
                carried.pop(entry.ref)
                reasons[entry.ref] = NotCarriedReason.NOT_A_CERTIFICATE
                continue
            keep_certificate(entry, data)
    to_read = [entry for entry in certificates if entry.ref not in carried and entry.ref not in reasons]
    reader.run([("Certificate", exporter(entry)) for entry in to_read])
    not_carried = [
        {"ref": entry.ref, "reason": reasons.get(entry.ref, NotCarriedReason.API_NEVER_RETURNS)}
        for entry in entries
        if entry.ref not in carried and entry.ref not in settled
    ]
    return SecretValues(carried, not_carried, refs.unknown_refs(supplied, needed))


def certificate_file(body: bytes, password: str | None) -> tuple[bytes, bool]:
    """(the certificate file to carry, whether it still needs a password).

    PEM and DER pass through; a PFX that opens with ``password`` (or without one) becomes PEM with an
    unencrypted private key — it only ever travels inside secrets.enc.
    """
    if body.lstrip().startswith(b"-----BEGIN"):
        return body, False
    candidates: list[bytes | None] = [password.encode()] if password else []
    for secret in [*candidates, None, b""]:
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(body, secret)
        except (ValueError, TypeError):
            continue
        if certificate is None:
            break
        pem = b"" if key is None else key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        pem += b"".join(cert.public_bytes(Encoding.PEM) for cert in [certificate, *chain])
        return pem, False
    try:
        x509.load_der_x509_certificate(body)
    except ValueError:
        return body, True
    return body, False
