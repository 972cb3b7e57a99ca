"""Turns the 2021.2 Swagger definitions into JSON Schemas that check what the sandbox serves.

Swagger 2.0 cannot say "nullable", yet the real server sends null for unset strings, references and objects,
so every type also accepts null. Three generator artifacts are corrected to the wire format:
``PropertyValueResource`` is a plain string or a SensitiveValue object (docs/octopus-api-facts.md "Sensitive
values"; the C# ``PropertyValueResource`` converter), NodaTime ``LocalDate`` is an ISO date string, and
``VariableType`` is a bare string. Everything else is checked as declared, and a document may carry only the
properties its definition declares, apart from the newer fields listed in ``NEWER_FIELDS``.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

# Fields the sandbox serves that the 2021.2 Swagger does not declare, each with its source.
NEWER_FIELDS: dict[str, set[str]] = {
    # Slugs: C# IHaveSlugResource implementers (OctopusClients Model/*Resource.cs), docs/octopus-api-facts.md
    # "Identifiers and slugs".
    "SpaceResource": {"Slug"},
    "ProjectGroupResource": {"Slug"},
    "LifecycleResource": {"Slug"},
    "EnvironmentResource": {"Slug"},
    "ChannelResource": {"Slug"},
    "RunbookResource": {"Slug"},
    # Account subtype fields: 2021.2 declares only the base AccountResource; the subtypes are in the C#
    # client (OctopusClients Model/Accounts/*AccountResource.cs) and docs/octopus-api-facts.md "Accounts and
    # their secrets".
    "AccountResource": {
        "Slug",
        "Username",
        "Password",
        "AccessKey",
        "SecretKey",
        "Region",
        "Token",
        "SubscriptionNumber",
        "ClientId",
        "TenantId",
        "AzureEnvironment",
        "ActiveDirectoryEndpointBaseUri",
        "ResourceManagementEndpointBaseUri",
        "CertificateBytes",
        "CertificateThumbprint",
        "PrivateKeyFile",
        "PrivateKeyPassphrase",
        "JsonKey",
        "RoleArn",
        "SessionDuration",
        "ExternalId",
    },
    "WorkerPoolResource": {"Slug"},
    "TeamResource": set(),
    "TenantResource": {"Slug"},
    # Machines: Slug (IHaveSlugResource); the rest are DeploymentTargetResource fields the list shares.
    "DeploymentTargetResource": {"Slug"},
    # Feed subtype fields (BuiltInFeedResource.cs, NuGetFeedResource.cs), served on the base Feed shape.
    "FeedResource": {
        "Slug",
        "DeleteUnreleasedPackagesAfterDays",
        "IsBuiltInRepoSyncEnabled",
        "FeedUri",
        "Username",
        "Password",
        "DownloadAttempts",
        "DownloadRetryBackoffSeconds",
        "EnhancedMode",
        "ApiVersion",
        "RegistryPath",
    },
    # Runbook fields added in 2022+ (RunbookResource.cs): none served beyond 2021.2.
    # Certificates: 2021.2 declares everything the sandbox serves.
}


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"anyOf": [{"$ref": node["$ref"]}, {"type": "null"}]}
    out = {key: value for key, value in node.items() if key not in ("readOnly", "format")}
    for key in ("properties",):
        if key in out:
            out[key] = {name: _nullable(sub) for name, sub in out[key].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _nullable(out[key])
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


class SwaggerSchemas:
    def __init__(self, swagger: dict[str, Any]) -> None:
        definitions = {name: _nullable(copy.deepcopy(d)) for name, d in swagger["definitions"].items()}
        definitions["PropertyValueResource"] = {
            "anyOf": [{"type": "string"}, {"$ref": "#/definitions/SensitiveValue"}, {"type": "null"}]
        }
        # NodaTime's LocalDate is documented by its properties but serialised as "yyyy-MM-dd".
        definitions["LocalDate"] = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
        # VariableType is a "tiny type" the generator shows as {Value}; the server writes the bare string
        # (C# VariableType.cs values, docs/octopus-api-facts.md "Variables").
        definitions["VariableType"] = {
            "enum": [
                "String",
                "Sensitive",
                "Certificate",
                "AmazonWebServicesAccount",
                "AzureAccount",
                "WorkerPool",
                "UsernamePasswordAccount",
                "GenericOidcAccount",
                "GoogleCloudAccount",
                None,
            ]
        }
        self.definitions = definitions
        self.checked: set[str] = set()

    def _validator(self, schema: dict[str, Any]) -> jsonschema.Draft4Validator:
        return jsonschema.Draft4Validator({**schema, "definitions": self.definitions})

    def errors(self, document: Any, definition: str) -> list[str]:
        """Schema errors plus properties the definition does not declare (beyond NEWER_FIELDS)."""
        self.checked.add(definition)
        schema = {"$ref": f"#/definitions/{definition}"}
        found = [
            f"{list(e.absolute_path)}: {e.message}" for e in self._validator(schema).iter_errors(document)
        ]
        declared = set(self.definitions[definition].get("properties", {}))
        allowed = declared | NEWER_FIELDS.get(definition, set())
        if isinstance(document, dict) and declared:
            found += [f"undeclared property {key!r}" for key in sorted(set(document) - allowed)]
        return found

    def collection_errors(self, body: Any, item_definition: str) -> list[str]:
        collection = f"{item_definition}Collection"
        found = self.errors({**body, "Items": []}, collection)
        for index, item in enumerate(body["Items"]):
            found += [f"Items[{index}] {e}" for e in self.errors(item, item_definition)]
        return found

    def array_errors(self, body: Any, item_definition: str) -> list[str]:
        if not isinstance(body, list):
            return [f"expected a plain array, got {type(body).__name__}"]
        return [f"[{i}] {e}" for i, item in enumerate(body) for e in self.errors(item, item_definition)]
