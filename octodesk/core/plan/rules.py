"""The import rules (docs/import-rules.md): per bundle resource, create / reuse / merge / update /
convert / skip, with the reason; refusals found before anything is written."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from octodesk.core.plan.diff import same_content
from octodesk.core.plan.projects import (
    decide_project,
    decide_project_children,
    journal_target,
    refuse_ambiguous,
)
from octodesk.core.plan.readiness import check_required_secrets, check_unreadable_kinds
from octodesk.core.plan.references import check_references, export_follow_ups, resolve_external_references
from octodesk.core.plan.scopes import predict_left_out_tenant_values, predict_left_out_variables
from octodesk.core.plan.types import ImportPlan, PlanItem
from octodesk.core.plan.variables import missing_variables
from octodesk.core.report import FollowUp
from octodesk.core.resources import kinds, secret_refs
from octodesk.core.resources.ids import match_by_name
from octodesk.core.vocabulary import Action, FollowUpCategory

# Shared kinds matched by name: present -> reuse (or a kind-specific rule), missing -> create.
SHARED_KINDS = (
    kinds.TAG_SET.name,
    kinds.ENVIRONMENT.name,
    kinds.WORKER_POOL.name,
    kinds.FEED.name,
    kinds.TEAM.name,
    kinds.GIT_CREDENTIAL.name,
    kinds.ACCOUNT.name,
    kinds.CERTIFICATE.name,
    kinds.LIFECYCLE.name,
    kinds.PROJECT_GROUP.name,
    kinds.LIBRARY_VARIABLE_SET.name,
    kinds.TENANT.name,
)
SPECIAL_FEED_TYPES = ("BuiltIn", "OctopusProject")


def version_tuple(version: str) -> tuple[int, ...]:
    """``2021.2.4488`` -> (2021, 2, 4488); pre-release and build suffixes are ignored."""
    numbers = re.findall(r"\d+", version.split("-", 1)[0].split("+", 1)[0])
    return tuple(int(number) for number in numbers[:3]) or (0,)


def decide(plan: ImportPlan) -> None:
    """Every rule, in order; reads nothing (the target was read into ``plan.target``)."""
    bundle, target = plan.bundle, plan.target
    _check_versions(plan)
    check_unreadable_kinds(plan)
    for kind in SHARED_KINDS:
        for resource in bundle.by_kind(kind):
            plan.items.append(_decide_shared(plan, kind, resource.id, resource.name, resource.document))
    _decide_step_templates(plan)
    _decide_library_merges(plan)
    _decide_tenant_variables(plan)
    for resource in bundle.by_kind(kinds.PROJECT.name):
        plan.items.append(decide_project(plan, resource.id, resource.name, resource.document))
    decide_project_children(plan)
    resolve_external_references(plan)
    check_references(plan)
    check_required_secrets(plan)
    predict_left_out_variables(plan)
    predict_left_out_tenant_values(plan)
    export_follow_ups(plan, bundle)
    if target.is_cloud is False and str(plan.source.get("hosting", "")).lower() in ("octopuscloud", "cloud"):
        plan.warnings.append(
            "Source is Octopus Cloud and the target is self-hosted: dynamic worker pools "
            "become static pools (add workers to them)."
        )


# --- refusals ------------------------------------------------------------------------------------


def version_refusal(source_version: str, target_version: str) -> str | None:
    """Why a bundle from ``source_version`` cannot go to ``target_version``; None when it can. Known as soon
    as both servers are, so the app says it on the page where the target is chosen."""
    if source_version and version_tuple(source_version) > version_tuple(target_version):
        return (
            f"The source runs Octopus Server {source_version}, newer than the target's "
            f"{target_version}: an import can only go to the same or a newer version."
        )
    return None


def _check_versions(plan: ImportPlan) -> None:
    refusal = version_refusal(str(plan.source.get("version") or ""), plan.target_version)
    if refusal:
        plan.refusals.append(refusal)


# --- shared resources ----------------------------------------------------------------------------


def _decide_shared(plan: ImportPlan, kind: str, source_id: str, name: str, doc: dict[str, Any]) -> PlanItem:
    target = plan.target
    if kind == kinds.FEED.name and doc.get("FeedType") in SPECIAL_FEED_TYPES:
        feed = target.feed_of_type(str(doc["FeedType"]))
        if feed:
            return PlanItem(
                kind,
                name,
                source_id,
                Action.REUSE,
                f"the target's {doc['FeedType']} feed",
                target_id=str(feed["Id"]),
            )
    earlier = journal_target(plan, kind, source_id)
    if earlier is not None:
        return PlanItem(
            kind,
            name,
            source_id,
            Action.CREATE,
            "created by the interrupted run of this import",
            target_id=str(earlier["Id"]),
            resumed=True,
        )
    match = match_by_name(name, target.of(kind))
    if match.ambiguous:
        refuse_ambiguous(plan, kind, name, match.ambiguous)
        return PlanItem(kind, name, source_id, Action.SKIP, "ambiguous name on the target")
    if match.target is not None:
        return _decide_present(plan, kind, source_id, name, doc, match.target)
    return _decide_missing(plan, kind, source_id, name, doc)


def _decide_present(
    plan: ImportPlan, kind: str, source_id: str, name: str, doc: dict[str, Any], existing: dict[str, Any]
) -> PlanItem:
    target_id = str(existing["Id"])
    if kind == kinds.TAG_SET.name:
        have = {str(tag.get("Name", "")).casefold() for tag in existing.get("Tags") or []}
        missing = [
            str(tag.get("Name"))
            for tag in doc.get("Tags") or []
            if str(tag.get("Name")).casefold() not in have
        ]
        if missing:
            return PlanItem(
                kind,
                name,
                source_id,
                Action.MERGE,
                "tag set exists; missing tags are added",
                [f"add tag {tag}" for tag in missing],
                target_id,
            )
    if kind == kinds.TENANT.name:
        added = _tenant_connections_to_add(plan, doc, existing)
        if added:
            return PlanItem(
                kind,
                name,
                source_id,
                Action.MERGE,
                "tenant exists; project/environment connections are merged in",
                added,
                target_id,
            )
    if kind == kinds.LIBRARY_VARIABLE_SET.name:
        # Refined by _decide_library_merges once the target's variables are read.
        return PlanItem(
            kind,
            name,
            source_id,
            Action.MERGE,
            "library variable set exists; missing variables are created, same name and scopes left untouched",
            [],
            target_id,
        )
    return PlanItem(
        kind,
        name,
        source_id,
        Action.REUSE,
        "exists on the target (matched by name)",
        target_id=target_id,
    )


def _decide_missing(plan: ImportPlan, kind: str, source_id: str, name: str, doc: dict[str, Any]) -> PlanItem:
    if kind == kinds.FEED.name and doc.get("FeedType") in SPECIAL_FEED_TYPES:
        plan.refusals.append(f"The target space has no {doc['FeedType']} feed for '{name}'.")
        return PlanItem(kind, name, source_id, Action.SKIP, "no matching built-in feed on the target")
    if (
        kind == kinds.WORKER_POOL.name
        and doc.get("WorkerPoolType") == "DynamicWorkerPool"
        and not plan.target.is_cloud
    ):
        return PlanItem(
            kind,
            name,
            source_id,
            Action.CONVERT,
            "dynamic worker pools do not exist self-hosted: created as an empty static pool",
            ["DynamicWorkerPool -> StaticWorkerPool"],
        )
    if kind in (kinds.WORKER_POOL.name, kinds.TEAM.name):
        return PlanItem(kind, name, source_id, Action.CREATE, "missing on the target: created empty")
    if kind == kinds.CERTIFICATE.name and secret_refs.certificate_ref(name) not in plan.bundle.secrets:
        plan.follow_ups.append(
            FollowUp(
                FollowUpCategory.CERTIFICATE,
                f"Upload certificate '{name}' to the target: the bundle does not carry its file.",
                kind,
                name,
            )
        )
        return PlanItem(
            kind,
            name,
            source_id,
            Action.SKIP,
            "missing on the target and the bundle does not carry its "
            "file: variables that use it are left out",
        )
    return PlanItem(kind, name, source_id, Action.CREATE, "missing on the target")


def _tenant_connections_to_add(plan: ImportPlan, doc: dict[str, Any], existing: dict[str, Any]) -> list[str]:
    bundle, target = plan.bundle, plan.target
    have = existing.get("ProjectEnvironments") or {}
    added = []
    for project_id, environment_ids in (doc.get("ProjectEnvironments") or {}).items():
        project = bundle.get(kinds.PROJECT.name, project_id)
        if project is None:
            continue
        target_project = match_by_name(project.name, target.of(kinds.PROJECT.name)).target
        current = set(have.get(target_project["Id"], [])) if target_project else set()
        for environment_id in environment_ids:
            environment = bundle.get(kinds.ENVIRONMENT.name, environment_id)
            env_name = environment.name if environment else environment_id
            target_env = match_by_name(env_name, target.of(kinds.ENVIRONMENT.name)).target
            if not target_env or target_env["Id"] not in current:
                added.append(f"connect {project.name} in {env_name}")
    return added


def _decide_step_templates(plan: ImportPlan) -> None:
    """Same version: reuse. Bundle newer than the target's latest: applied to the target template (its
    version increments). Missing: created. Several bundle versions of one template are applied in order."""
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    for resource in plan.bundle.by_kind(kinds.ACTION_TEMPLATE.name):
        template_id = str(resource.document.get("Id") or resource.id)
        by_id[template_id].append(resource.document)
        names[template_id] = resource.name
    for source_id, documents in by_id.items():
        name = names[source_id]
        versions = sorted(int(doc.get("Version") or 0) for doc in documents)
        earlier = journal_target(plan, kinds.ACTION_TEMPLATE.name, source_id)
        match = match_by_name(name, plan.target.of(kinds.ACTION_TEMPLATE.name))
        if match.ambiguous:
            refuse_ambiguous(plan, "Step template", name, match.ambiguous)
            continue
        existing = earlier or match.target
        if existing is None:
            plan.items.append(
                PlanItem(
                    kinds.ACTION_TEMPLATE.name,
                    name,
                    source_id,
                    Action.CREATE,
                    "missing on the target",
                    [f"version {v}" for v in versions[1:]],
                )
            )
            continue
        target_version = int(existing.get("Version") or 0)
        newer = [v for v in versions if v > target_version]
        latest = max(documents, key=lambda doc: int(doc.get("Version") or 0))
        same = bool(newer) and same_content(plan, kinds.ACTION_TEMPLATE.name, latest, existing)
        if newer and earlier is None and not same:
            plan.items.append(
                PlanItem(
                    kinds.ACTION_TEMPLATE.name,
                    name,
                    source_id,
                    Action.UPDATE,
                    f"bundle version {max(newer)} is newer than the target's version {target_version}: "
                    "applied to the target template (its version increments)",
                    [f"apply version {v}" for v in newer],
                    str(existing["Id"]),
                )
            )
            continue
        if same and earlier is None:
            reason = (
                f"the target's version {target_version} holds the same content as the bundle's "
                f"version {max(newer)}"
            )
        elif versions == [target_version]:
            reason = f"same version ({target_version}) on the target"
        else:
            reason = f"the target has version {target_version}; steps use the matching target version"
        plan.items.append(
            PlanItem(
                kinds.ACTION_TEMPLATE.name,
                name,
                source_id,
                Action.REUSE,
                reason,
                target_id=str(existing["Id"]),
                resumed=earlier is not None,
            )
        )


def _decide_library_merges(plan: ImportPlan) -> None:
    merges = [
        item
        for item in plan.items
        if item.kind == kinds.LIBRARY_VARIABLE_SET.name and item.action == Action.MERGE
    ]
    if not merges:
        return
    target_sets = {
        str(existing.get("Id")): str(existing.get("VariableSetId"))
        for existing in plan.target.of(kinds.LIBRARY_VARIABLE_SET.name)
    }
    variable_sets = plan.target.library_variables
    for item in merges:
        source_lvs = plan.bundle.get(kinds.LIBRARY_VARIABLE_SET.name, item.source_id)
        source_set = (
            plan.bundle.get(kinds.VARIABLE_SET.name, str(source_lvs.document.get("VariableSetId")))
            if source_lvs
            else None
        )
        target_set = variable_sets.get(target_sets.get(str(item.target_id), ""))
        if source_set is None or target_set is None:
            continue
        missing = missing_variables(source_set.document, target_set)
        item.details = [f"add variable {label}" for label in missing]
        if not missing:
            item.action = Action.REUSE
            item.reason = "library variable set exists with every variable of the bundle"


def _decide_tenant_variables(plan: ImportPlan) -> None:
    for resource in plan.bundle.by_kind(kinds.TENANT_VARIABLES.name):
        tenant_id = str(resource.document.get("TenantId") or resource.id)
        tenant = plan.bundle.get(kinds.TENANT.name, tenant_id)
        name = tenant.name if tenant else resource.name
        plan.items.append(
            PlanItem(
                kinds.TENANT_VARIABLES.name,
                name,
                resource.id,
                Action.MERGE,
                "tenant variable values set where the target has none",
            )
        )
