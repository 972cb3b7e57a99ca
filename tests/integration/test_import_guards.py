"""Guards that stop an import before a bad write: a Git project, and a source id that would leak."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from import_support import PASSWORD, client_for, export_demo, import_into, named, one

from octodesk.core.bundle import BundleResource, read_bundle, write_bundle
from octodesk.core.errors import ImportRefused, SourceIdLeaked
from octodesk.sandbox import SandboxServer

CALLER_MANIFEST_KEYS = (
    "source",
    "projects",
    "tool_version",
    "created_at",
    "secrets_carried",
    "secrets_not_carried",
    "follow_ups",
    "deploys_to",
    "external_references",
    "step_templates",
)


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SandboxServer("demo") as source:
        yield export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle", ["Web Portal"])


def _rewrite(
    bundle_path: Path,
    destination: Path,
    change: Callable[[BundleResource], dict[str, Any]],
    *,
    id_of: Callable[[str], str] = str,
    manifest_value: Callable[[Any], Any] = lambda value: value,
) -> Path:
    """The same bundle with documents (and ids) changed, as a tampering or buggy exporter might write it."""
    bundle = read_bundle(bundle_path, PASSWORD)
    resources = [
        replace(resource, id=id_of(resource.id), document=change(resource)) for resource in bundle.resources
    ]
    manifest = {
        key: manifest_value(bundle.manifest[key]) for key in CALLER_MANIFEST_KEYS if key in bundle.manifest
    }
    write_bundle(
        destination,
        manifest=manifest,
        resources=resources,
        secrets=dict(bundle.secrets),
        blobs=dict(bundle.blobs),
        password=PASSWORD,
    )
    return destination


def test_a_version_controlled_project_is_refused(bundle_path: Path, tmp_path: Path) -> None:
    def to_git(resource: BundleResource) -> dict[str, Any]:
        if resource.kind != "Project":
            return resource.document
        return {
            **resource.document,
            "IsVersionControlled": True,
            "PersistenceSettings": {"Type": "VersionControlled", "Url": "https://git.example/portal.git"},
        }

    bundle = _rewrite(bundle_path, tmp_path / "git.octobundle", to_git)
    with SandboxServer("empty") as target:
        before = target.snapshot()
        with pytest.raises(ImportRefused) as refused:
            import_into(target, bundle)
        assert any("'Web Portal' is version-controlled" in r for r in refused.value.refusals)
        assert target.snapshot() == before


def _staging_in_a_description(bundle_path: Path, destination: Path) -> tuple[Path, str]:
    """The bundle with the Staging environment's source id in the Hotfix lifecycle's Description, a field
    the reference map does not know; and that id."""
    source = read_bundle(bundle_path, PASSWORD)
    staging = next(r.id for r in source.by_kind("Environment") if r.name == "Staging")

    def mention_it(resource: BundleResource) -> dict[str, Any]:
        if resource.kind == "Lifecycle" and resource.name == "Hotfix":
            return {**resource.document, "Description": f"Promotes through {staging} first"}
        return resource.document

    return _rewrite(bundle_path, destination, mention_it), staging


def test_a_source_id_the_remapping_misses_stops_the_write(bundle_path: Path, tmp_path: Path) -> None:
    """An id in a field the reference map does not know: the leak check refuses that document."""
    bundle, staging = _staging_in_a_description(bundle_path, tmp_path / "leaky.octobundle")
    with SandboxServer("empty") as target:
        with pytest.raises(SourceIdLeaked) as leaked:
            import_into(target, bundle)
        assert staging in str(leaked.value) and "Lifecycle 'Hotfix'" in str(leaked.value)
        assert named(target, "lifecycles", "Hotfix") == []  # nothing was written for it


def _renamed_id(bundle_path: Path, destination: Path, old: str, new: str) -> Path:
    """The same bundle with one source id spelled ``new`` everywhere (ids are per server: any may occur)."""

    def renamed(value: Any) -> Any:
        return json.loads(json.dumps(value).replace(f'"{old}"', f'"{new}"').replace(f"{old} ", f"{new} "))

    return _rewrite(
        bundle_path,
        destination,
        lambda resource: renamed(resource.document),
        id_of=lambda source_id: new if source_id == old else source_id,
        manifest_value=renamed,
    )


def test_an_id_the_target_itself_holds_is_not_taken_for_a_leak(bundle_path: Path, tmp_path: Path) -> None:
    """A stale source id that is also the id of a target resource names that target resource (ids are per
    server): the write goes through. The same text with no such target resource is refused (above)."""
    mentioning, staging = _staging_in_a_description(bundle_path, tmp_path / "mentions.octobundle")
    with SandboxServer("empty") as target, client_for(target) as client:
        space_id = client.resolve_space("Default")["Id"]
        existing = client.post(f"/api/{space_id}/environments", {"Name": "Existing"})["Id"]
        bundle = _renamed_id(mentioning, tmp_path / "coinciding.octobundle", staging, existing)
        import_into(target, bundle)
        assert one(target, "lifecycles", "Hotfix")["Description"] == f"Promotes through {existing} first"
        assert one(target, "environments", "Staging")["Id"] != existing  # the source id was stale
