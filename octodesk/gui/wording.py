"""How the app words the remedies for what the engine reports (the command line names flags instead)."""

from __future__ import annotations

from octodesk.gui.secret_labels import readable
from octodesk.render import Remedies

GUI_REMEDIES = Remedies(
    supply_secret="enter it on the Sensitive values page and export again, or set it on the target",
    supply_certificate_password=(
        "enter the certificate's password on the Sensitive values page and export again, "
        "or upload the certificate on the target"
    ),
    update_existing="tick “Update projects that already exist on the target”",
    resume="press Resume to continue where it stopped",
    secret_name=readable,
)
