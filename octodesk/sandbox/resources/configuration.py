"""Server configuration the client may probe: the feature toggles of newer servers."""

from __future__ import annotations

from ..http_types import Response
from ..profiles import Profile
from ..routes import Call, RouteTable


def _has_toggles(profile: Profile) -> bool:
    return profile.feature_toggles is not None


def feature_toggles(call: Call) -> Response:
    """``{"FeatureToggles": [{"Name", "IsEnabled"}]}``, narrowed to ``?Name=`` when given."""
    toggles = call.ctx.profile.feature_toggles or {}
    wanted = call.request.query.get("Name") or call.request.query.get("name")
    listed = [
        {"Name": name, "IsEnabled": enabled}
        for name, enabled in sorted(toggles.items())
        if not wanted or name.lower() == wanted.lower()
    ]
    return Response(200, {"FeatureToggles": listed})


def register_routes(table: RouteTable) -> None:
    table.add(
        "GET", "/api/configuration/feature-toggles", feature_toggles, answers="document", when=_has_toggles
    )
