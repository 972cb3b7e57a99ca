"""Re-records the JSON the pure plan-rule tests read: ``python tests/core/recorded/record.py``.

Exports "Web Portal" from a demo sandbox, then reads two targets the way the planner does (an empty space,
and another demo instance where every name already exists) and saves bundle and targets as plain JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from octodesk.core.bundle import read_bundle
from octodesk.core.export import export_projects
from octodesk.core.octopus import OctopusClient
from octodesk.core.plan.target import read_target
from octodesk.core.resources import kinds
from octodesk.sandbox import SandboxServer

HERE = Path(__file__).resolve().parent
PASSWORD = "recorded-fixture-password"
PROJECT = "Web Portal"


def main() -> None:
    os.environ.setdefault("OCTODESK_DATA_DIR", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as work, SandboxServer("demo") as source:
        path = Path(work) / "web.octobundle"
        with OctopusClient(source.url, source.api_key) as client:
            export_projects(client, "Default", [PROJECT], path, PASSWORD)
        bundle = read_bundle(path, PASSWORD)
        library_sets = [r.name for r in bundle.by_kind(kinds.LIBRARY_VARIABLE_SET.name)]
        recorded = {
            "manifest": bundle.manifest,
            "resources": [asdict(resource) for resource in bundle.resources],
            "targets": {},
        }
        for name, dataset in (("empty", "empty"), ("demo", "demo")):
            with SandboxServer(dataset) as server, OctopusClient(server.url, server.api_key) as client:
                target = read_target(client, "Default", library_sets)
                recorded["targets"][name] = {
                    "server_url": "https://target.example.com",
                    "space_id": target.space_id,
                    "space_name": target.space_name,
                    "version": target.version,
                    "hosting": target.hosting,
                    "collections": target.collections,
                    "library_variables": target.library_variables,
                }
    text = json.dumps(recorded, indent=1, sort_keys=True)
    (HERE / "web_portal.json").write_text(text.replace(source.url, "https://source.example.com") + "\n")


if __name__ == "__main__":
    main()
