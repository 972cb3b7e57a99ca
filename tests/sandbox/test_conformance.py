"""Every kind the sandbox serves, single resources and collections, validates against the 2021.2 Swagger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox_client import Octo
from swagger_schema import SwaggerSchemas

# route -> the Swagger definition of one item
KIND_DEFINITIONS = {
    "projectgroups": "ProjectGroupResource",
    "lifecycles": "LifecycleResource",
    "environments": "EnvironmentResource",
    "projects": "ProjectResource",
    "channels": "ChannelResource",
    "deploymentprocesses": "DeploymentProcessResource",
    "runbooks": "RunbookResource",
    "runbookProcesses": "RunbookProcessResource",
    "libraryvariablesets": "LibraryVariableSetResource",
    "tenants": "TenantResource",
    "tagsets": "TagSetResource",
    "actiontemplates": "ActionTemplateResource",
    "accounts": "AccountResource",
    "certificates": "CertificateResource",
    "workerpools": "WorkerPoolResource",
    "feeds": "FeedResource",
    "projecttriggers": "ProjectTriggerResource",
    "machines": "DeploymentTargetResource",
}
# Kinds whose 2021.2 route has /all (plain array).
WITH_ALL = set(KIND_DEFINITIONS) - {"deploymentprocesses", "runbookProcesses", "projecttriggers"}


@pytest.fixture(scope="module")
def demo() -> Any:
    from octodesk.sandbox import SandboxServer

    with SandboxServer("demo") as server:
        yield server


@pytest.fixture
def schemas(swagger: dict[str, Any]) -> SwaggerSchemas:
    return SwaggerSchemas(swagger)


def first_space_with(octo: Octo, route: str) -> str:
    for space in octo.ok(octo.get("/api/spaces/all")):
        if octo.ok(octo.get(f"/api/{space['Id']}/{route}"))["TotalResults"]:
            return str(space["Id"])
    pytest.fail(f"the demo dataset has no {route}: nothing to check")


@pytest.mark.parametrize("route", sorted(KIND_DEFINITIONS))
def test_collection_item_and_all_conform(demo: Any, schemas: SwaggerSchemas, route: str) -> None:
    octo = Octo(demo)
    space = first_space_with(octo, route)
    definition = KIND_DEFINITIONS[route]
    page = octo.ok(octo.get(f"/api/{space}/{route}"))
    assert schemas.collection_errors(page, definition) == []
    single = octo.ok(octo.get(f"/api/{space}/{route}/{page['Items'][0]['Id']}"))
    assert schemas.errors(single, definition) == []
    if route in WITH_ALL:
        assert schemas.array_errors(octo.ok(octo.get(f"/api/{space}/{route}/all")), definition) == []


def test_global_and_child_documents_conform(demo: Any, schemas: SwaggerSchemas) -> None:
    octo = Octo(demo)
    assert schemas.errors(octo.ok(octo.get("/api")), "RootResource") == []
    assert schemas.errors(octo.ok(octo.get(octo.p)), "SpaceRootResource") == []
    assert (
        schemas.errors(octo.ok(octo.get("/api/licenses/licenses-current-status")), "LicenseStatusResource")
        == []
    )
    assert schemas.collection_errors(octo.ok(octo.get("/api/spaces")), "SpaceResource") == []
    assert schemas.errors(octo.ok(octo.get(f"/api/spaces/{octo.space}")), "SpaceResource") == []
    assert (
        schemas.collection_errors(octo.ok(octo.get("/api/teams", includeSystem="true")), "TeamResource") == []
    )
    assert schemas.array_errors(octo.ok(octo.get("/api/teams/all")), "TeamResource") == []
    for space in octo.ok(octo.get("/api/spaces/all")):
        prefix = f"/api/{space['Id']}"
        assert schemas.array_errors(octo.ok(octo.get(f"{prefix}/variables/all")), "VariableSetResource") == []
        for project in octo.ok(octo.get(f"{prefix}/projects/all")):
            variables = octo.ok(octo.get(f"{prefix}/variables/{project['VariableSetId']}"))
            assert schemas.errors(variables, "VariableSetResource") == []
            settings = octo.ok(octo.get(f"{prefix}/projects/{project['Id']}/deploymentsettings"))
            assert schemas.errors(settings, "DeploymentSettingsResource") == []
        for tenant in octo.ok(octo.get(f"{prefix}/tenants/all")):
            tenant_variables = octo.ok(octo.get(f"{prefix}/tenants/{tenant['Id']}/variables"))
            assert schemas.errors(tenant_variables, "TenantVariableResource") == []
        for template in octo.ok(octo.get(f"{prefix}/actiontemplates/all")):
            versions = octo.ok(octo.get(f"{prefix}/actiontemplates/{template['Id']}/versions"))
            assert schemas.collection_errors(versions, "ActionTemplateResource") == []
        roles = octo.ok(octo.get(f"{prefix}/machineroles/all"))
        assert all(isinstance(role, str) for role in roles)


def test_the_schema_check_is_not_vacuous(
    swagger: dict[str, Any], sandbox_factory: Callable[..., Any]
) -> None:
    schemas = SwaggerSchemas(swagger)
    octo = Octo(sandbox_factory("empty"))
    project = octo.project("Checked")
    assert schemas.errors(project, "ProjectResource") == []
    assert schemas.errors({**project, "TenantedDeploymentMode": "Sometimes"}, "ProjectResource")
    assert schemas.errors({**project, "IncludedLibraryVariableSetIds": "not-a-list"}, "ProjectResource")
    assert schemas.errors({**project, "Invented": 1}, "ProjectResource") == ["undeclared property 'Invented'"]
