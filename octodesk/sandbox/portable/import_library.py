"""Import of the shared resources an export carries, matched by name in the target space
(docs/octopus-api-facts.md "Export/Import Projects"): reused when present, created (sensitive values included)
when not; library variable sets and tag sets are merged, teams are created empty, step templates are matched
by name and version."""

from __future__ import annotations

import copy
from typing import Any

from ..store import Document, now_iso
from .target import ImportTarget, body_of, same_name
from .walk import visit

_BUILT_IN_FEED_TYPES = ("BuiltIn", "OctopusProject")
NOUNS = {
    "environments": "environment",
    "tagsets": "tag set",
    "teams": "team",
    "projectgroups": "project group",
    "feeds": "feed",
    "workerpools": "worker pool",
    "lifecycles": "lifecycle",
    "tenants": "tenant",
    "accounts": "account",
    "certificates": "certificate",
    "libraryvariablesets": "variable set",
}


def import_shared(target: ImportTarget) -> None:
    """Every shared kind, in the order their references need."""
    _environments(target)
    _tag_sets(target)
    _by_name(
        target,
        "teams",
        lambda doc: {
            **body_of(doc, "MemberUserIds", "ExternalSecurityGroups"),
            "MemberUserIds": [],
            "ExternalSecurityGroups": [],
        },
    )
    _by_name(target, "projectgroups", lambda doc: body_of(doc, "EnvironmentIds", "RetentionPolicyId"))
    _feeds(target)
    _worker_pools(target)
    _by_name(target, "lifecycles", lambda doc: _lifecycle_body(target, doc))
    _by_name(target, "tenants", lambda doc: {**body_of(doc, "ClonedFromTenantId"), "ProjectEnvironments": {}})
    _by_name(target, "accounts", lambda doc: visit("accounts", body_of(doc), target))
    _by_name(target, "certificates", lambda doc: _certificate_body(target, doc))
    _action_templates(target)
    _library_variable_sets(target)


def _by_name(target: ImportTarget, route: str, body: Any) -> None:
    for doc in target.exported(route):
        _reuse_or_create(target, route, doc, body)


def _reuse_or_create(target: ImportTarget, route: str, doc: Document, body: Any) -> Document:
    existing = target.find(route, doc.get("Name"))
    noun = NOUNS[route]
    if existing is not None:
        target.log.verbose(f"Using the existing {noun} '{existing['Name']}'.")
        target.mapped(route, doc["Id"], existing["Id"])
        return existing
    created = target.write("POST", route, body(doc))
    target.log.info(f"Created the {noun} '{created['Name']}'.")
    target.mapped(route, doc["Id"], created["Id"])
    return created


def _environments(target: ImportTarget) -> None:
    ordered = sorted(
        target.exported("environments"), key=lambda d: (d.get("SortOrder", 0), str(d.get("Name")))
    )
    for doc in ordered:
        _reuse_or_create(target, "environments", doc, lambda d: body_of(d, "SortOrder"))


def _tag_sets(target: ImportTarget) -> None:
    for doc in target.exported("tagsets"):
        tags = [body_of(tag, "CanonicalTagName") for tag in doc.get("Tags", [])]
        existing = target.find("tagsets", doc["Name"])
        if existing is None:
            _reuse_or_create(
                target,
                "tagsets",
                doc,
                lambda d: {
                    **body_of(d, "SortOrder"),
                    "Tags": [body_of(t, "CanonicalTagName") for t in d["Tags"]],
                },
            )
            continue
        target.mapped("tagsets", doc["Id"], existing["Id"])
        missing = [t for t in tags if not any(same_name(t["Name"], o["Name"]) for o in existing["Tags"])]
        if missing:
            target.write(
                "PUT", f"tagsets/{existing['Id']}", {**existing, "Tags": [*existing["Tags"], *missing]}
            )
            target.log.info(f"Added {len(missing)} tag(s) to the tag set '{existing['Name']}'.")


def _feeds(target: ImportTarget) -> None:
    for doc in target.exported("feeds"):
        if doc.get("FeedType") in _BUILT_IN_FEED_TYPES:
            own = next((f for f in target.existing("feeds") if f.get("FeedType") == doc["FeedType"]), None)
            if own is not None:
                target.mapped("feeds", doc["Id"], own["Id"])
                continue
        _reuse_or_create(target, "feeds", doc, lambda d: body_of(d))


def _worker_pools(target: ImportTarget) -> None:
    def body(doc: Document) -> Document:
        created = body_of(doc, "IsDefault", "SortOrder")
        if created.get("WorkerPoolType") == "DynamicWorkerPool" and target.hosting != "cloud":
            target.log.warn(
                f"The dynamic worker pool '{doc['Name']}' becomes a static pool: this server is self-hosted."
            )
            created["WorkerPoolType"] = "StaticWorkerPool"
            created.pop("WorkerType", None)
        return created

    _by_name(target, "workerpools", body)


def _lifecycle_body(target: ImportTarget, doc: Document) -> Document:
    body = visit("lifecycles", body_of(doc), target)
    for phase in body.get("Phases") or []:
        phase.pop("Id", None)
    return body


def _certificate_body(target: ImportTarget, doc: Document) -> Document:
    body = visit("certificates", body_of(doc), target)
    return {
        key: body.get(key)
        for key in (
            "Name",
            "Notes",
            "CertificateData",
            "Password",
            "EnvironmentIds",
            "TenantIds",
            "TenantTags",
            "TenantedDeploymentParticipation",
        )
    }


def _action_templates(target: ImportTarget) -> None:
    """Same name and a version the target has: used as it is. A newer version than the target's latest, or a
    template the target lacks: written with the source's version number, which the steps name."""
    store = target.store
    for doc in sorted(target.content.template_versions, key=lambda d: (str(d["Name"]), d["Version"])):
        version = int(doc["Version"])
        content = visit("actiontemplates", body_of(doc, "Version"), target)
        existing = target.find("actiontemplates", doc["Name"])
        if existing is not None and version <= int(existing["Version"]):
            target.log.verbose(f"Using version {version} of the existing step template '{doc['Name']}'.")
            target.mapped("actiontemplates", doc["Id"], existing["Id"])
            continue
        if existing is None:
            written = target.write("POST", "actiontemplates", content)
            target.log.info(f"Created the step template '{doc['Name']}' at version {version}.")
        else:
            before = set(store.template_versions.get(existing["Id"], {}))
            written = target.write(
                "PUT",
                f"actiontemplates/{existing['Id']}",
                {**target.raw("actiontemplates", existing["Id"]), **content},
            )
            target.log.info(f"Imported version {version} of the step template '{doc['Name']}'.")
        template_id = target.mapped("actiontemplates", doc["Id"], written["Id"])
        _renumber(target, template_id, version, before if existing is not None else set())


def _renumber(target: ImportTarget, template_id: str, version: int, kept: set[int]) -> None:
    """The template's current version takes the source's number; a version number the write just made
    (not one the target had before) is given up for it."""
    stored = target.store.get("actiontemplates", template_id)
    assert stored is not None
    history = target.store.template_versions.setdefault(template_id, {})
    if stored["Version"] not in kept:
        history.pop(stored["Version"], None)
    stored["Version"] = version
    history[version] = copy.deepcopy(stored)


def _scope_key(variable: Document) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    scope = variable.get("Scope") or {}
    return (
        str(variable.get("Name", "")).lower(),
        tuple(sorted((k, tuple(sorted(str(v) for v in values))) for k, values in scope.items() if values)),
    )


def _library_variable_sets(target: ImportTarget) -> None:
    sets_by_id = {doc["Id"]: doc for doc in target.exported("variables")}
    for doc in target.exported("libraryvariablesets"):
        variables = visit("variables", sets_by_id[doc["VariableSetId"]], target)["Variables"]
        for variable in variables:
            variable.pop("Id", None)
        existing = target.find("libraryvariablesets", doc["Name"])
        if existing is None:
            created = _reuse_or_create(
                target, "libraryvariablesets", doc, lambda d: body_of(d, "VariableSetId")
            )
            stored = target.raw("variables", created["VariableSetId"])
            target.write("PUT", f"variables/{stored['Id']}", {**stored, "Variables": variables})
            continue
        target.mapped("libraryvariablesets", doc["Id"], existing["Id"])
        _merge_templates(target, doc, target.raw("libraryvariablesets", existing["Id"]))
        stored = target.raw("variables", existing["VariableSetId"])
        present = {_scope_key(v) for v in stored["Variables"]}
        missing = [v for v in variables if _scope_key(v) not in present]
        if missing:
            target.write(
                "PUT", f"variables/{stored['Id']}", {**stored, "Variables": [*stored["Variables"], *missing]}
            )
        target.log.info(
            f"Merged the variable set '{existing['Name']}': {len(missing)} variable(s) added, "
            f"{len(variables) - len(missing)} with the same name and scope left untouched."
        )


def _merge_templates(target: ImportTarget, doc: Document, existing: Document) -> None:
    """Tenant variable templates of a merged set: matched by name, missing ones added."""
    added = []
    for template in doc.get("Templates") or []:
        match = next(
            (t for t in existing.get("Templates", []) if same_name(t.get("Name"), template.get("Name"))), None
        )
        if match is None:
            added.append(copy.deepcopy(template))
        target.template_ids[template["Id"]] = match["Id"] if match else template["Id"]
    if added:
        existing["Templates"] = [*existing.get("Templates", []), *added]
        existing["LastModifiedOn"] = now_iso()
        target.write("PUT", f"libraryvariablesets/{existing['Id']}", existing)
