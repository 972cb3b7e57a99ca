"""The server engine: Octopus's own Export/Import Projects task (2021.1+) driven by OctoDesk, which carries
every sensitive value, plus what it leaves out (triggers, logos, follow-ups) added by OctoDesk's own code.
``migrate`` runs either engine end to end; ``choose_engine`` says which fits and why."""

from octodesk.core.server_engine.bundle import (
    ENGINE_CLIENT,
    ENGINE_SERVER,
    bundle_engine,
    extract_octopus_zip,
)
from octodesk.core.server_engine.choice import ENGINE_AUTO, ENGINES, EngineChoice, choose_engine, read_facts
from octodesk.core.server_engine.export import export_with_server
from octodesk.core.server_engine.importer import apply_server_import, plan_server_import
from octodesk.core.server_engine.migrate import (
    MigrateRequest,
    MigrateResult,
    Side,
    default_bundle_path,
    migrate,
)
from octodesk.core.server_engine.plan import ServerImportPlan
from octodesk.core.server_engine.tasks import PollSettings, TaskProgress

__all__ = [
    "ENGINES",
    "ENGINE_AUTO",
    "ENGINE_CLIENT",
    "ENGINE_SERVER",
    "EngineChoice",
    "MigrateRequest",
    "MigrateResult",
    "PollSettings",
    "ServerImportPlan",
    "Side",
    "TaskProgress",
    "apply_server_import",
    "bundle_engine",
    "choose_engine",
    "default_bundle_path",
    "export_with_server",
    "extract_octopus_zip",
    "migrate",
    "plan_server_import",
    "read_facts",
]
