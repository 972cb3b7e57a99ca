"""Secret references are built from names only, and the secrets file accepts both documented shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from octodesk.core.resources.secret_refs import (
    SecretsFileError,
    parse_secrets,
    read_secrets_file,
    scope_digest,
    tenant_ref,
    variable_ref,
)

NAMES = {
    ("Environment", "Environments-1"): "Production",
    ("Environment", "Environments-2"): "Staging",
    ("Runbook", "Runbooks-4"): "Restart",
}


def name_of(kind: str, item_id: str) -> str | None:
    return NAMES.get((kind, item_id))


def test_variable_reference_names_scopes_by_name_in_a_stable_order() -> None:
    scope = {
        "Role": ["web"],
        "Environment": ["Environments-2", "Environments-1"],
        "ProcessOwner": ["Runbooks-4"],
    }
    ref = variable_ref("Project", "Web Portal", "DbPassword", scope, name_of)
    digest = "Environment=Production,Staging;ProcessOwner=Restart;Role=web"
    assert ref == f"variable:Project/Web Portal/DbPassword[{digest}]"
    shuffled = {
        "ProcessOwner": ["Runbooks-4"],
        "Environment": ["Environments-1", "Environments-2"],
        "Role": ["web"],
    }
    assert variable_ref("Project", "Web Portal", "DbPassword", shuffled, name_of) == ref
    assert (
        variable_ref("Project", "Web Portal", "DbPassword", {}, name_of)
        == "variable:Project/Web Portal/DbPassword"
    )


def test_unknown_scope_ids_fall_back_to_the_id() -> None:
    assert scope_digest({"Machine": ["Machines-9"]}, name_of) == "Machine=Machines-9"


def test_tenant_reference_with_and_without_environment() -> None:
    assert tenant_ref("Acme", "Project", "Web Portal", "ApiKey", "Production") == (
        "tenant:Acme/Project/Web Portal/ApiKey/Production"
    )
    assert (
        tenant_ref("Acme", "LibraryVariableSet", "Common", "Token")
        == "tenant:Acme/LibraryVariableSet/Common/Token"
    )


def test_secrets_file_wrapped_or_flat(tmp_path: Path) -> None:
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text('{"secrets": {"feed:Nexus/Password": "s3cret"}}')
    assert read_secrets_file(wrapped) == {"feed:Nexus/Password": "s3cret"}
    assert parse_secrets('{"account:Azure/Password": "pw"}') == {"account:Azure/Password": "pw"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json, value hunter2", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"a": 1}', "must be a string"),
    ],
)
def test_bad_secrets_files_are_refused_without_echoing_values(text: str, expected: str) -> None:
    with pytest.raises(SecretsFileError) as caught:
        parse_secrets(text)
    assert expected in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_missing_secrets_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SecretsFileError, match="Cannot read the secrets file"):
        read_secrets_file(tmp_path / "absent.json")


def test_a_template_lists_every_reference_and_supplies_nothing_until_filled() -> None:
    from octodesk.core.resources.secret_refs import secrets_template

    template = secrets_template(["feed:Acme NuGet/Password", "certificate:Portal TLS/Password"])
    assert parse_secrets(template) == {}
    filled = template.replace('"feed:Acme NuGet/Password": ""', '"feed:Acme NuGet/Password": "pw"')
    assert parse_secrets(filled) == {"feed:Acme NuGet/Password": "pw"}
