"""Octopus 2026.3's rate limiter in the sandbox: a token bucket per user; 429, Retry-After, unprocessed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox_client import Octo

from octodesk.sandbox.rate_limit import RateLimiter, RatePolicy


def test_the_bucket_starts_full_refills_at_the_rate_and_names_the_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(RatePolicy(per_minute=60, burst=3), clock=lambda: now[0])
    assert [limiter.take("alice") for _ in range(3)] == [None, None, None]
    assert limiter.take("alice") == 1  # empty: one token a second
    assert limiter.take("bob") is None  # each user has a bucket of their own
    now[0] = 2.5  # two and a half tokens back
    assert [limiter.take("alice") for _ in range(3)] == [None, None, 1]
    now[0] = 100.0
    assert [limiter.take("alice") for _ in range(4)] == [None, None, None, 1]  # never more than the burst


def test_a_request_over_the_limit_is_refused_with_retry_after_and_not_processed(
    sandbox_factory: Callable[..., Any],
) -> None:
    octo = Octo(sandbox_factory("empty", version="2026.3"))
    octo.server.limit_rate(RatePolicy(per_minute=6, burst=2))  # a token every 10 s
    for name in ("First", "Second"):
        assert octo.post(f"{octo.p}/environments", {"Name": name}).status_code == 201
    refused = octo.post(f"{octo.p}/environments", {"Name": "Third"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "10"
    octo.server.limit_rate(None)
    environments = octo.ok(octo.get(f"{octo.p}/environments/all"))
    assert sorted(e["Name"] for e in environments) == ["First", "Second"]


def test_servers_older_than_2026_3_have_no_rate_limiter(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("empty", version="2025.2")
    with pytest.raises(ValueError, match=r"it arrived in 2026\.3"):
        server.limit_rate(RatePolicy(per_minute=200, burst=200))


@pytest.mark.parametrize("text", ["fast", "0/10", "200/0", "-5"])
def test_a_bad_rate_limit_option_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        RatePolicy.parse(text)


def test_the_rate_limit_option_reads_rate_and_burst() -> None:
    assert RatePolicy.parse("200/50") == RatePolicy(200.0, 50)
    assert RatePolicy.parse("120") == RatePolicy(120.0, 120)
