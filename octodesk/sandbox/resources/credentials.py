"""Kinds that hold secrets: accounts, external feeds and Git credentials.

Which types a server knows is a profile fact; which SensitiveValue properties each type has, and which of them
a create must supply, come from Octopus's own clients (docs/octopus-api-facts.md "Accounts and their secrets";
go-octopusdeploy marks the required ones ``validate:"required"``). A secret posted as a plain string is stored
as a SensitiveValue, so it is never served back.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..kinds import KINDS
from ..routes import RouteTable, add_kind_routes
from ..secrets import is_sensitive_value
from ..store import Document
from .base import Behaviour, Ctx, register
from .library import TenancyBehaviour

# AccountType -> (SensitiveValue properties a create must carry, the others it may carry).
ACCOUNT_SECRETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "UsernamePassword": ((), ("Password",)),
    "SshKeyPair": (("PrivateKeyFile",), ("PrivateKeyPassphrase",)),
    "AzureSubscription": ((), ("CertificateBytes",)),
    "AzureServicePrincipal": (("Password",), ()),
    "AmazonWebServicesAccount": (("SecretKey",), ()),
    "AmazonWebServicesRoleAccount": ((), ()),
    "Token": (("Token",), ()),
    "GoogleCloudAccount": (("JsonKey",), ()),
    "AzureOidc": ((), ()),
    "GenericOidcAccount": ((), ()),
}
# FeedType -> its SensitiveValue properties (FeedResource subclasses in Octopus.Client; pkg/feeds in Go).
FEED_SECRETS: dict[str, tuple[str, ...]] = {
    "NuGet": ("Password",),
    "Docker": ("Password",),
    "Maven": ("Password",),
    "GitHub": ("Password",),
    "Helm": ("Password",),
    "OciRegistry": ("Password",),
    "AzureContainerRegistry": ("Password",),
    "GoogleContainerRegistry": ("Password",),
    "ArtifactoryGeneric": ("Password",),
    "Npm": ("Password",),
    "PyPi": ("Password",),
    "AwsElasticContainerRegistry": ("SecretKey",),
    "S3": ("SecretKey",),
    "GcsStorage": ("ServiceAccountJsonKey",),
    "OctopusProject": (),
    "BuiltIn": (),
}


def has_secret(value: Any) -> bool:
    if is_sensitive_value(value):
        return bool(value.get("NewValue")) or bool(value.get("HasValue"))
    return isinstance(value, str) and bool(value)


def as_sensitive(doc: Document, fields: tuple[str, ...]) -> None:
    """Plain strings posted for secret properties become SensitiveValues (never served back)."""
    for field in fields:
        value = doc.get(field)
        if isinstance(value, str):
            doc[field] = {"HasValue": bool(value), "NewValue": value or None, "Hint": None}


class AccountsBehaviour(TenancyBehaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["AccountType"] = old["AccountType"]  # writeable on create only
        account_type = doc.get("AccountType")
        if account_type not in ctx.profile.account_types:
            known = ", ".join(sorted(ctx.profile.account_types))
            raise bad_request([f"The AccountType '{account_type}' is not supported; use one of {known}."])
        required, optional = ACCOUNT_SECRETS[str(account_type)]
        as_sensitive(doc, required + optional)
        if old is None:
            missing = [field for field in required if not has_secret(doc.get(field))]
            if missing:
                raise bad_request([f"The {field} field is required." for field in missing])


class FeedsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["FeedType"] = old["FeedType"]  # writeable on create only
        elif not doc.get("FeedType"):
            raise bad_request(["The Feed FeedType field is required."])
        elif doc["FeedType"] == "BuiltIn":
            raise bad_request(["A space has exactly one built-in feed; it cannot be created."])
        elif doc["FeedType"] not in ctx.profile.feed_types:
            known = ", ".join(sorted(ctx.profile.feed_types - {"BuiltIn"}))
            raise bad_request([f"The FeedType '{doc['FeedType']}' is not supported; use one of {known}."])
        as_sensitive(doc, FEED_SECRETS.get(str(doc["FeedType"]), ()))

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        items = super().scope_items(ctx, query)
        if query.get("feedType"):
            items = [i for i in items if i.get("FeedType") == query["feedType"]]
        return items


class GitCredentialsBehaviour(Behaviour):
    """Library Git credentials (``UsernamePassword`` details; a create needs both parts)."""

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        details = doc.get("Details")
        if not isinstance(details, dict) or details.get("Type") != "UsernamePassword":
            raise bad_request(["The Details field is required and its Type must be 'UsernamePassword'."])
        as_sensitive(details, ("Password",))
        if not details.get("Username"):
            raise bad_request(["The Details.Username field is required."])
        if old is None and not has_secret(details.get("Password")):
            raise bad_request(["The Details.Password field is required."])
        restrictions = doc.get("RepositoryRestrictions") or {}
        doc["RepositoryRestrictions"] = {
            "Enabled": bool(restrictions.get("Enabled")),
            "AllowedRepositories": list(restrictions.get("AllowedRepositories") or []),
        }


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(AccountsBehaviour(KINDS["accounts"])))
    add_kind_routes(table, register(FeedsBehaviour(KINDS["feeds"])))
    add_kind_routes(
        table,
        register(GitCredentialsBehaviour(KINDS["git-credentials"])),
        when=lambda profile: profile.git_credentials,
    )
