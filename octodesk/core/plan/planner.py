"""Import preview: for every resource in a bundle, what will happen on the target and why. Writes nothing.

``plan_import`` reads the bundle (password and integrity first), the target space (one request per shared
collection) and the journal of an earlier, interrupted run of the same import, then lets
``octodesk.core.plan.rules`` decide create / reuse / merge / update / convert / skip per resource.
A plan with refusals must not be applied; ``apply_plan`` checks.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from octodesk.core.bundle import read_bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.gc_pause import engine_work
from octodesk.core.journal import Journal, bundle_fingerprint
from octodesk.core.locks import refuse_if_importing
from octodesk.core.plan.packages import plan_packages
from octodesk.core.plan.rules import decide
from octodesk.core.plan.target import read_target
from octodesk.core.plan.types import ImportOptions, ImportPlan
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.resources import kinds

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.packages.transfer import PackageSource

@engine_work
def plan_import(
    bundle_path: str | os.PathLike[str],
    password: str,
    client: OctopusClient,
    space_name: str,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    package_source: PackageSource | None = None,
) -> ImportPlan:
    """Read the bundle and the target space and decide, per resource, what the import will do.

    ``package_source``: where to read the package versions the bundle lists but does not carry (a live
    copy from the source server, ``ServerSource``); its client must stay open until apply has run."""
    options = options or ImportOptions()
    report = progress or no_progress
    started = time.monotonic()
    requests_before = client.request_count
    report(Progress("read", message="Checking the bundle's password and integrity"))
    bundle = read_bundle(bundle_path, password)  # refuses a wrong password or damaged bundle first
    if cancel:
        cancel.raise_if_cancelled()
    report(Progress("connect", message=f"Reading target space {space_name}"))
    library_sets = [resource.name for resource in bundle.by_kind(kinds.LIBRARY_VARIABLE_SET.name)]
    compared = [r.name for r in bundle.by_kind(kinds.PROJECT.name)] if options.update_existing else []
    target = read_target(
        client,
        space_name,
        library_sets,
        compared,
        tenant_variables=bool(bundle.by_kind(kinds.TENANT_VARIABLES.name)),
        git_credentials=bool(bundle.by_kind(kinds.GIT_CREDENTIAL.name)),
    )
    if cancel:
        cancel.raise_if_cancelled()
    bundle_sha256 = bundle_fingerprint(bundle_path)
    journal = Journal.for_import(bundle_sha256, target.server_url, target.space_name)
    refuse_if_importing(journal.path, target.space_name, target.server_url)
    source = bundle.manifest.get("source")
    plan = ImportPlan(
        bundle_path=os.fspath(bundle_path),
        source=dict(source) if isinstance(source, dict) else {},
        options=options,
        bundle=bundle,
        target=target,
        journal=journal,
        bundle_sha256=bundle_sha256,
    )
    report(Progress("plan", message="Deciding what to do with each resource"))
    decide(plan)
    if bundle.manifest.get("engine") == "server":  # its sensitive values are inside Octopus's zip
        plan.refusals.append(
            "This bundle was made by the server engine: its sensitive values travel in Octopus's own export, "
            "which only Octopus's import task reads: import it with the server engine."
        )
    if cancel:
        cancel.raise_if_cancelled()
    plan_packages(plan, client, package_source)
    plan.http_requests = client.request_count - requests_before
    plan.seconds = time.monotonic() - started
    report(Progress("plan", done=len(plan.items), total=len(plan.items), message="Plan ready"))
    return plan
