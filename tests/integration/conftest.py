"""The server profile the profile-aware integration tests run against: each of them, over real HTTP."""

from __future__ import annotations

import pytest

from octodesk.sandbox.profiles import PROFILE_NAMES


@pytest.fixture(scope="module", params=PROFILE_NAMES)
def profile(request: pytest.FixtureRequest) -> str:
    """A sandbox version (``2021.2``, ``2023.1``, ...): source and target run the same one."""
    return str(request.param)
