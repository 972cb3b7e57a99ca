"""A preview that cannot lie: every document is the resource its index line names (kind, id, name, shape).

Each bundle here is sealed by its author with a password the victim is given, so only these checks stand
between what the preview shows (the index) and what the import posts (the documents).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from bundle_helpers import RESOURCES

from octodesk.core.bundle import read_bundle
from octodesk.core.bundle.format import canonical_json
from octodesk.core.errors import BundleDamaged

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is beside tests/

from benchmarks.hostile_bundles import PASSWORD, raw_bundle, resource_entries

PROJECT = RESOURCES[0].document
ENVIRONMENT = {"Id": "Environments-1", "Name": "Staging", "UseGuidedFailure": False}


def sealed(path: Path, *documents: tuple[str, str, str, dict[str, Any]]) -> Path:
    return raw_bundle(
        path, *resource_entries([(kind, i, name, canonical_json(doc)) for kind, i, name, doc in documents])
    )


def refusal(path: Path) -> str:
    with pytest.raises(BundleDamaged) as caught:
        read_bundle(path, PASSWORD)
    return str(caught.value)


def test_an_index_name_other_than_the_documents_name_is_refused(tmp_path: Path) -> None:
    # Before: the preview said "CREATE Environment Staging" and the import created "Evil-Env".
    path = sealed(
        tmp_path / "b.octobundle",
        ("Environment", "Environments-1", "Staging", {**ENVIRONMENT, "Name": "Evil-Env"}),
    )

    assert refusal(path).endswith(
        "is damaged: resources/Environment/Environments-1.json is named 'Evil-Env' in its document, not "
        "'Staging' as the index says; refused."
    )


def test_a_document_of_another_kind_under_a_kinds_path_is_refused(tmp_path: Path) -> None:
    # Before: a project document filed as an Environment was posted to /environments.
    path = sealed(tmp_path / "b.octobundle", ("Environment", "Environments-1", "Web Portal", PROJECT))

    assert "Environments-1.json holds the document with id 'Projects-1', not 'Environments-1'" in refusal(
        path
    )


def test_an_id_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = sealed(tmp_path / "b.octobundle", ("Environment", "Projects-1", "Web Portal", PROJECT))

    assert "has the id 'Projects-1', which is not a Environment id" in refusal(path)


def test_a_document_without_its_kinds_fields_is_refused(tmp_path: Path) -> None:
    environment_as_project = {**ENVIRONMENT, "Id": "Projects-1"}
    path = sealed(tmp_path / "b.octobundle", ("Project", "Projects-1", "Staging", environment_as_project))

    assert "Projects-1.json has no ProjectGroupId (str), which every Project has" in refusal(path)


def test_a_child_document_is_named_after_the_owner_it_really_has(tmp_path: Path) -> None:
    other = {**PROJECT, "Id": "Projects-2", "Name": "Other", "VariableSetId": "variableset-Projects-2"}
    process = {"Id": "deploymentprocess-Projects-1", "ProjectId": "Projects-2", "Steps": []}
    path = sealed(
        tmp_path / "b.octobundle",
        ("Project", "Projects-1", "Web Portal", PROJECT),
        ("Project", "Projects-2", "Other", other),
        ("DeploymentProcess", "deploymentprocess-Projects-1", "Web Portal", process),
    )

    assert "deploymentprocess-Projects-1.json is named 'Other' in its document, not 'Web Portal'" in refusal(
        path
    )


def test_tenant_variables_belong_to_the_tenant_they_are_filed_under(tmp_path: Path) -> None:
    tenant = {"Id": "Tenants-1", "Name": "Acme"}
    variables = {"Id": "Tenants-1", "TenantId": "Tenants-2", "ProjectVariables": {}, "LibraryVariables": {}}
    path = sealed(
        tmp_path / "b.octobundle",
        ("Tenant", "Tenants-1", "Acme", tenant),
        ("TenantVariables", "Tenants-1", "Acme", variables),
    )

    assert (
        "TenantVariables/Tenants-1.json holds the variables of the tenant 'Tenants-2', not 'Tenants-1'"
        in (refusal(path))
    )


def test_a_consistent_bundle_is_read_back_exactly(tmp_path: Path) -> None:
    tenant = {"Id": "Tenants-1", "Name": "Acme"}
    variables = {"Id": "Tenants-1", "TenantId": "Tenants-1", "ProjectVariables": {}, "LibraryVariables": {}}
    documents = [
        ("Project", "Projects-1", "Web Portal", PROJECT),
        ("Environment", "Environments-1", "Staging", ENVIRONMENT),
        ("Tenant", "Tenants-1", "Acme", tenant),
        ("TenantVariables", "Tenants-1", "Acme", variables),
    ]

    bundle = read_bundle(sealed(tmp_path / "b.octobundle", *documents), PASSWORD)

    assert [(r.kind, r.id, r.name, r.document) for r in bundle.resources] == documents
