"""Secrets are stored but never returned; a PUT that sends one back masked keeps it."""

from __future__ import annotations

import base64
import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from sandbox_client import Octo


def stored(octo: Octo, route: str, doc_id: str) -> dict[str, Any]:
    document: dict[str, Any] = octo.server.snapshot()["documents"][route][doc_id]
    return document


def test_sensitive_variables_are_masked_and_kept_when_put_back_null(octo: Octo) -> None:
    project = octo.project("Secrets")
    url = f"{octo.p}/variables/{project['VariableSetId']}"
    variables = octo.ok(octo.get(url))
    variables["Variables"] = [
        {"Name": "DbPassword", "Value": "hunter2", "Type": "Sensitive", "IsSensitive": True},
        {"Name": "Plain", "Value": "visible"},
    ]
    saved = octo.ok(octo.put(url, variables))
    secret = next(v for v in saved["Variables"] if v["Name"] == "DbPassword")
    assert secret["Value"] is None and secret["IsSensitive"] is True
    assert "hunter2" not in octo.get(url).text
    saved = octo.ok(octo.put(url, saved))  # sent back with Value null, same Id
    kept = stored(octo, "variables", project["VariableSetId"])["Variables"]
    assert next(v for v in kept if v["Name"] == "DbPassword")["Value"] == "hunter2"
    next(v for v in saved["Variables"] if v["Name"] == "DbPassword")["Value"] = "changed"
    octo.ok(octo.put(url, saved))
    kept = stored(octo, "variables", project["VariableSetId"])["Variables"]
    assert next(v for v in kept if v["Name"] == "DbPassword")["Value"] == "changed"


def test_a_sensitive_variable_posted_without_value_under_a_new_id_carries_nothing(octo: Octo) -> None:
    project = octo.project("Copy")
    url = f"{octo.p}/variables/{project['VariableSetId']}"
    variables = octo.ok(octo.get(url))
    variables["Variables"] = [
        {
            "Id": "copied-from-elsewhere",
            "Name": "Key",
            "Value": None,
            "IsSensitive": True,
            "Type": "Sensitive",
        }
    ]
    octo.ok(octo.put(url, variables))
    assert stored(octo, "variables", project["VariableSetId"])["Variables"][0]["Value"] is None


def test_account_secret_is_write_only(octo: Octo) -> None:
    account = octo.create(
        "accounts",
        {
            "Name": "Deployer",
            "AccountType": "UsernamePassword",
            "Username": "deploy",
            "Password": {"HasValue": True, "NewValue": "p@ss"},
        },
    )
    assert account["Password"] == {"HasValue": True, "NewValue": None, "Hint": None}
    renamed = octo.ok(octo.put(f"{octo.p}/accounts/{account['Id']}", {**account, "Description": "d"}))
    assert renamed["Password"]["HasValue"] is True
    assert stored(octo, "accounts", account["Id"])["Password"]["NewValue"] == "p@ss"
    no_secret = octo.create(
        "accounts",
        {"Name": "Copy", "AccountType": "UsernamePassword", "Password": {"HasValue": True, "NewValue": None}},
    )
    assert no_secret["Password"]["HasValue"] is False


def test_sensitive_action_properties_survive_a_process_round_trip(octo: Octo) -> None:
    project = octo.project("Props")
    url = f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}"
    process = octo.ok(octo.get(url))
    secret = {"HasValue": True, "NewValue": "token-123"}
    process["Steps"] = [
        {
            "Name": "S",
            "Actions": [
                {
                    "Name": "A",
                    "ActionType": "Octopus.Script",
                    "Properties": {"Api.Token": secret, "Plain": "x"},
                }
            ],
        }
    ]
    saved = octo.ok(octo.put(url, process))
    assert saved["Steps"][0]["Actions"][0]["Properties"]["Api.Token"] == {
        "HasValue": True,
        "NewValue": None,
        "Hint": None,
    }
    octo.ok(octo.put(url, saved))
    action = stored(octo, "deploymentprocesses", project["DeploymentProcessId"])["Steps"][0]["Actions"][0]
    assert action["Properties"]["Api.Token"]["NewValue"] == "token-123"


def test_tenant_variables_use_the_2021_shape_and_keep_secrets(octo: Octo) -> None:
    env = octo.create("environments", {"Name": "Dev"})
    templates = [
        {"Name": "Url", "Label": "URL", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}},
        {"Name": "Key", "Label": "Key", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}},
    ]
    project = octo.project("Tenanted", Templates=templates, TenantedDeploymentMode="Tenanted")
    url_id, key_id = (t["Id"] for t in project["Templates"])
    tenant = octo.create("tenants", {"Name": "Acme", "ProjectEnvironments": {project["Id"]: [env["Id"]]}})
    url = f"{octo.p}/tenants/{tenant['Id']}/variables"
    current = octo.ok(octo.get(url))
    assert current["TenantId"] == tenant["Id"] and current["TenantName"] == "Acme"
    entry = current["ProjectVariables"][project["Id"]]
    assert entry["ProjectName"] == "Tenanted" and entry["Variables"] == {env["Id"]: {}}
    entry["Variables"][env["Id"]] = {url_id: "https://acme", key_id: {"HasValue": True, "NewValue": "k3y"}}
    saved = octo.ok(octo.put(url, current))
    values = saved["ProjectVariables"][project["Id"]]["Variables"][env["Id"]]
    assert values == {url_id: "https://acme", key_id: {"HasValue": True, "NewValue": None, "Hint": None}}
    octo.ok(octo.put(url, saved))
    kept = octo.server.snapshot()["tenant_variables"][tenant["Id"]]["Values"]
    assert next(v for v in kept if v["TemplateId"] == key_id)["Value"]["NewValue"] == "k3y"
    current["ProjectVariables"][project["Id"]]["Variables"][env["Id"]] = {"not-a-template": "x"}
    refused = octo.put(url, current)
    assert refused.status_code == 400 and "not-a-template" in refused.json()["ErrorMessage"]


def _self_signed_pfx(password: bytes) -> tuple[bytes, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "sandbox.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(4242)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pfx = pkcs12.serialize_key_and_certificates(
        b"c", key, cert, None, serialization.BestAvailableEncryption(password)
    )
    return pfx, cert


def test_certificate_is_parsed_masked_and_exported(octo: Octo) -> None:
    pfx, cert = _self_signed_pfx(b"pfx-pass")
    created = octo.create(
        "certificates",
        {
            "Name": "Site",
            "certificateData": {"HasValue": True, "NewValue": base64.b64encode(pfx).decode()},
            "password": {"HasValue": True, "NewValue": "pfx-pass"},
        },
    )
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()
    assert created["Thumbprint"] == thumbprint
    assert (created["HasPrivateKey"], created["SelfSigned"], created["CertificateDataFormat"]) == (
        True,
        True,
        "Pkcs12",
    )
    assert created["CertificateData"]["NewValue"] is None and created["Password"]["NewValue"] is None
    export = octo.server.url + f"{octo.p}/certificates/{created['Id']}/export"
    full = octo.session.get(export, params={"includePrivateKey": "true"}, timeout=10)
    assert full.content == pfx
    public = octo.session.get(export, timeout=10)
    assert x509.load_pem_x509_certificate(public.content) == cert
    broken = octo.post(
        f"{octo.p}/certificates",
        {"Name": "Bad", "CertificateData": {"HasValue": True, "NewValue": "bm9wZQ=="}},
    )
    assert broken.status_code == 400


def test_mask_reaches_sensitive_values_inside_dict_and_list_subclasses() -> None:
    from collections import OrderedDict

    from octodesk.sandbox.secrets import mask

    class Steps(list[Any]):
        pass

    secret = {"HasValue": True, "NewValue": "hunter2"}
    document: dict[str, Any] = {
        "Properties": OrderedDict(Pwd=dict(secret)),
        "Steps": Steps([{"Variables": [{"Name": "Db", "IsSensitive": True, "Value": "hunter2"}]}]),
    }
    masked = mask(document)

    assert "hunter2" not in repr(masked)
    assert masked["Properties"]["Pwd"] == {"HasValue": True, "NewValue": None, "Hint": None}
    assert document["Properties"]["Pwd"]["NewValue"] == "hunter2"  # the stored document is not changed
