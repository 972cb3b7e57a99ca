"""Export's engine recommendation (the app's Export… dialog): the server engine only when the source has it
and the client engine would leave values for the user to type."""

from __future__ import annotations

from octodesk.core.server_engine.api import Support
from octodesk.core.server_engine.choice import choose_export_engine


def test_the_server_engine_is_recommended_when_the_client_would_leave_values_to_type() -> None:
    choice = choose_export_engine(Support(True), sensitive_values=26, typed_values=25)
    assert choice.engine == "server"
    assert choice.reason == (
        "Octopus's own Export Projects carries all 26 sensitive values; the client engine would leave 25 "
        "for you to type"
    )


def test_the_client_engine_is_recommended_when_it_carries_every_value_itself() -> None:
    choice = choose_export_engine(Support(True), sensitive_values=2, typed_values=0)
    assert choice.engine == "client" and "can also update existing projects" in choice.reason


def test_the_client_engine_is_recommended_with_the_reason_when_the_source_has_no_export() -> None:
    choice = choose_export_engine(Support(False, "it has no Export/Import Projects"), 26, 25)
    assert choice.engine == "client"
    assert choice.reason == "OctoDesk's client engine, because it has no Export/Import Projects"
