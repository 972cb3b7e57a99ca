"""Octopus Server's HTTP rate limiter (2026.3 and later): a token bucket per authenticated user.

OctopusDeploy/docs src/pages/docs/administration/managing-infrastructure/rate-limiting.md: every request
of a user takes one token; the bucket holds ``burst`` tokens, starts full and refills continuously at
``per_minute``; a request that finds it empty is refused with 429, unprocessed, and "may include" a
Retry-After in seconds. The policy's defaults on a new 2026.3 installation are not documented (the page's
screenshot shows 200 per minute, burst 200): the sandbox limits only when asked to.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

RATE_LIMITING_SINCE = (2026, 3)  # "HTTP Rate Limiting functionality was added in Octopus 2026.3"


@dataclass(frozen=True)
class RatePolicy:
    per_minute: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs a rate above 0 per minute and a burst of at least 1")

    @classmethod
    def parse(cls, text: str) -> RatePolicy:
        """``PER_MINUTE`` or ``PER_MINUTE/BURST`` (the burst is the rate when not given)."""
        rate, _, burst = text.partition("/")
        try:
            per_minute = float(rate)
            return cls(per_minute, int(burst) if burst else max(1, int(per_minute)))
        except ValueError as error:
            raise ValueError(f"--rate-limit takes PER_MINUTE[/BURST], e.g. 200/200, not {text!r}") from error


class RateLimiter:
    def __init__(self, policy: RatePolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, when counted)
        self.refused = 0  # requests answered 429

    def take(self, user: str) -> int | None:
        """None when ``user`` may go ahead (a token taken); otherwise the whole seconds until a token."""
        per_second = self.policy.per_minute / 60.0
        with self._lock:
            now = self._clock()
            tokens, counted = self._buckets.get(user, (float(self.policy.burst), now))
            tokens = min(float(self.policy.burst), tokens + (now - counted) * per_second)
            if tokens >= 1.0:
                self._buckets[user] = (tokens - 1.0, now)
                return None
            self._buckets[user] = (tokens, now)
            self.refused += 1
            return max(1, math.ceil((1.0 - tokens) / per_second))
