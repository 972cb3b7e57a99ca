"""How the plan resolves each kind of reference the model finds in a document, before anything is written.

``check_references`` consults this table: a kind missing from it refuses the import rather than let an
unresolved id reach the target (``tests/core/test_reference_resolution.py`` keeps it complete).
"""

from __future__ import annotations

from octodesk.core.resources import fields, kinds

# The bundle carries it, or the target has one of the same name (external references); otherwise refused.
CARRIED_OR_MATCHED = "carried or matched by name"
# A child document the target creates with its owner (process, variable set): written into that one.
CREATED_WITH_OWNER = "created with its owner"
# Variable scopes and triggers: an unmappable one leaves that variable/trigger out, with a follow-up.
LEFT_OUT = "left out one by one when unmappable"
# Not carried and not needed: mapped by name where the target has it, else dropped (clone sources, releases).
OPTIONAL = "optional"
# A name (role, TagSet/Tag): nothing to remap; tag sets travel with their tags.
BY_NAME = "a name"
# A template GUID of a carried project or library set: mapped through the owner's templates by name.
OWNER_TEMPLATE = "a template of its owner"
# An action of the same project's processes (variable Action scopes, release strategies): mapped by name.
SAME_PROCESS = "an action of the project's processes"

RESOLUTION: dict[str, str] = {
    **dict.fromkeys(
        (
            kinds.ENVIRONMENT.name,
            kinds.TAG_SET.name,
            kinds.WORKER_POOL.name,
            kinds.FEED.name,
            kinds.TEAM.name,
            kinds.GIT_CREDENTIAL.name,
            kinds.ACTION_TEMPLATE.name,
            kinds.ACCOUNT.name,
            kinds.CERTIFICATE.name,
            kinds.LIFECYCLE.name,
            kinds.PROJECT_GROUP.name,
            kinds.LIBRARY_VARIABLE_SET.name,
            kinds.PROJECT.name,
            kinds.CHANNEL.name,
            kinds.RUNBOOK.name,
            kinds.TENANT.name,
        ),
        CARRIED_OR_MATCHED,
    ),
    **dict.fromkeys(
        (kinds.DEPLOYMENT_PROCESS.name, kinds.VARIABLE_SET.name, kinds.RUNBOOK_PROCESS.name),
        CREATED_WITH_OWNER,
    ),
    fields.MACHINE: LEFT_OUT,
    fields.PROJECT_TRIGGER: LEFT_OUT,
    fields.RELEASE: OPTIONAL,
    fields.USER: OPTIONAL,
    fields.RUNBOOK_SNAPSHOT: OPTIONAL,
    fields.COMMUNITY_ACTION_TEMPLATE: OPTIONAL,
    fields.TARGET_ROLE: BY_NAME,
    fields.TENANT_TAG: BY_NAME,
    fields.PROJECT_TEMPLATE: OWNER_TEMPLATE,
    fields.LIBRARY_TEMPLATE: OWNER_TEMPLATE,
    fields.DEPLOYMENT_ACTION: SAME_PROCESS,
}
