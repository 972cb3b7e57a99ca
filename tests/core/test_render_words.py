"""The words of a follow-up depend on the face: the command line names a sensitive value by the reference its
secrets file is keyed by; the app names it as its Sensitive values page lists it."""

from __future__ import annotations

from octodesk.commands.common import CLI_REMEDIES
from octodesk.core.report import FollowUp
from octodesk.core.vocabulary import FollowUpCategory, NotCarriedReason
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.render import follow_up_text

SIGNING_KEY = "variable:Project/Web Portal/Portal.SigningKey"
FEED_PASSWORD = "feed:Acme NuGet/Password"


def not_carried() -> FollowUp:
    return FollowUp(
        FollowUpCategory.SENSITIVE_VALUE, "", "Project", "Web Portal", SIGNING_KEY,
        NotCarriedReason.API_NEVER_RETURNS,
    )  # fmt: skip


def test_the_command_line_names_the_reference_its_secrets_file_uses() -> None:
    assert follow_up_text(not_carried(), CLI_REMEDIES).startswith(f"{SIGNING_KEY} is not carried:")
    feed = FollowUp(
        FollowUpCategory.SENSITIVE_VALUE, "Set the feed's password.", "Feed", "Acme NuGet", FEED_PASSWORD
    )
    assert follow_up_text(feed, CLI_REMEDIES) == f"Set the feed's password. ({FEED_PASSWORD})"


def test_the_app_names_the_value_as_its_sensitive_values_page_does() -> None:
    assert follow_up_text(not_carried(), GUI_REMEDIES).startswith(
        "Variable Portal.SigningKey (Web Portal) is not carried: the Octopus API never returns this value; "
        "enter it on the Sensitive values page"
    )
    feed = FollowUp(
        FollowUpCategory.SENSITIVE_VALUE, "Set the feed's password.", "Feed", "Acme NuGet", FEED_PASSWORD
    )
    assert follow_up_text(feed, GUI_REMEDIES) == "Set the feed's password."
    tenant_ref = "tenant:Contoso/Project/Web Portal/Tenant.LicenceKey/Test"
    message = f"Set the sensitive tenant variable {tenant_ref}."
    tenant = FollowUp(FollowUpCategory.SENSITIVE_VALUE, message, "Tenant", "Contoso", tenant_ref)
    assert follow_up_text(tenant, GUI_REMEDIES) == (
        "Set the sensitive tenant variable Web Portal: Tenant.LicenceKey in Test (Tenant Contoso)."
    )


def test_every_kind_has_a_human_name() -> None:
    """Issue 11 polish: "Step template", "Library variable set", "Trigger", never ``ActionTemplate``."""
    import re

    from octodesk.core.resources.kinds import ALL_KINDS
    from octodesk.render import kind_label

    for kind in ALL_KINDS:
        label = kind_label(kind.name)
        assert not re.search(r"[a-z][A-Z]", label), f"{kind.name} is shown as {label!r}"
        assert label[0].isupper() and label[1:] == label[1:].lower(), label
    assert kind_label("ActionTemplate") == "Step template" and kind_label("ProjectTrigger") == "Trigger"
