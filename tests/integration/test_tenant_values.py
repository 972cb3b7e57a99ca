"""Tenant values on servers with scoped common variables (2025.2+): read and written through
projectvariables/commonvariables, environment-scoped common values carried, never widened on a target that
cannot scope them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import PASSWORD, client_for, export_demo, import_into, one, stored_tenant_value

from octodesk.core.plan import ImportOptions, plan_import
from octodesk.core.resources.tenant_values import SCOPED_TENANT_VARIABLES

TENANT = "Contoso Pharmacy"
PROD_CONTACT = "prod-ops@contoso.example"


def scope_a_common_value(server: Any) -> None:
    """Contoso's contact e-mail gets a Production-only value beside its unscoped one."""
    space = server.space_id("Default")
    with client_for(server) as client:
        api = f"/api/{space}"
        tenant = next(t for t in client.read_collection(f"{api}/tenants") if t["Name"] == TENANT)
        production = next(
            e for e in client.read_collection(f"{api}/environments") if e["Name"] == "Production"
        )
        current = client.get(f"{api}/tenants/{tenant['Id']}/commonvariables")
        contact = next(v for v in current["Variables"] if v["Template"]["Name"] == "Tenant.ContactEmail")
        variables = [
            *current["Variables"],
            {
                "LibraryVariableSetId": contact["LibraryVariableSetId"],
                "TemplateId": contact["TemplateId"],
                "Value": PROD_CONTACT,
                "Scope": {"EnvironmentIds": [production["Id"]]},
            },
        ]
        client.put(
            f"{api}/tenants/{tenant['Id']}/commonvariables",
            {"ConcurrencyToken": current["ConcurrencyToken"], "Variables": variables},
        )


def common_values(server: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    space = server.space_id("Default")
    tenant = one(server, "tenants", TENANT)
    names = {e["Id"]: e["Name"] for e in server.snapshot()["documents"]["environments"].values()}
    with client_for(server) as client:
        answer = client.get(f"/api/{space}/tenants/{tenant['Id']}/commonvariables")
    return sorted(
        (
            v["Template"]["Name"],
            v["Value"] if isinstance(v["Value"], str) else "(sensitive)",
            tuple(sorted(names[e] for e in v["Scope"]["EnvironmentIds"])),
        )
        for v in answer["Variables"]
    )


def test_an_environment_scoped_common_value_round_trips_between_2025_2_servers(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo", version="2025.2"), sandbox_factory("empty", version="2025.2")
    scope_a_common_value(source)
    pin = {"tenant:Contoso Pharmacy/LibraryVariableSet/Common Settings/Tenant.SupportPin": "4711"}
    bundle = export_demo(source, tmp_path / "b.octobundle", ["Web Portal"], secrets=pin)
    report = import_into(target, bundle)
    assert report.succeeded
    assert common_values(target) == common_values(source)
    assert ("Tenant.ContactEmail", PROD_CONTACT, ("Production",)) in common_values(target)
    library = one(target, "libraryvariablesets", "Common Settings")
    pin_template = next(t["Id"] for t in library["Templates"] if t["Name"] == "Tenant.SupportPin")
    tenant = one(target, "tenants", TENANT)
    assert stored_tenant_value(target, tenant["Id"], library["Id"], pin_template)["NewValue"] == "4711"
    written = [path for method, path in target.request_log if method == "PUT" and "/tenants/" in path]
    assert written and all(path.endswith(("/projectvariables", "/commonvariables")) for path in written)


def test_a_target_without_scoped_common_variables_leaves_the_scoped_value_out(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source = sandbox_factory("demo", version="2025.2")
    target = sandbox_factory("empty", version="2025.2", feature_toggles={SCOPED_TENANT_VARIABLES: False})
    scope_a_common_value(source)
    bundle = export_demo(source, tmp_path / "b.octobundle", ["Web Portal"])
    with client_for(target) as client:
        plan = plan_import(bundle, PASSWORD, client, "Default", ImportOptions())
    assert any("will be left out" in f.message and "[Production]" in f.message for f in plan.follow_ups)
    report = import_into(target, bundle)
    assert report.succeeded
    left_out = [f.message for f in report.follow_ups if f.category == "scope" and TENANT in f.message]
    assert any("Tenant.ContactEmail [Production]" in message for message in left_out)
    legacy = target.api.get(
        f"/api/{target.space_id('Default')}/tenants/{one(target, 'tenants', TENANT)['Id']}/variables"
    )
    contacts = [v for entry in legacy["LibraryVariables"].values() for v in entry["Variables"].values()]
    assert PROD_CONTACT not in contacts and "it-ops@contoso.example" in contacts  # not widened
