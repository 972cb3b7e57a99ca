"""client.map on the shared bounded pool: order kept, first error wins, cancel stops further requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from stub_server import Script, StubRequest, StubResponse, Stubs, json_reply

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ResourceNotFound

API_KEY = "API-MAPTESTKEY0123456789ABCDEF"


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def echo(request: StubRequest) -> StubResponse:
    number = int(request.path.rsplit("-", 1)[1])
    if number == 13 and "/missing/" in request.path:
        return json_reply({"ErrorMessage": "The resource 'Things-13' was not found."}, 404)
    return json_reply({"Id": request.path.rsplit("/", 1)[1], "Number": number})


def test_map_keeps_input_order(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(echo, concurrency=4)
    results = client.map(lambda n: client.get(f"/api/Spaces-1/things/Things-{n}")["Number"], range(1, 41))
    assert results == list(range(1, 41))
    assert server.request_count == 40


def test_connection_pool_is_bounded_by_concurrency(stubs: Stubs) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def counting(request: StubRequest) -> StubResponse:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return echo(request)
        finally:
            with lock:
                in_flight -= 1

    server, client, _ = stubs.serve(counting, concurrency=3)
    assert client._transport.connections == 3
    client.map(lambda n: client.get(f"/api/Spaces-1/things/Things-{n}"), range(1, 31))
    assert peak <= 3
    assert len({request.client_port for request in server.requests}) <= 3  # connections reused


def test_first_error_is_raised_and_nothing_more_is_scheduled(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(echo, concurrency=2)
    with pytest.raises(ResourceNotFound, match="Things-13"):
        client.map(lambda n: client.get(f"/api/Spaces-1/missing/Things-{n}"), range(1, 101))
    # items after 13 are not started once the error is seen; at most the one running beside it finishes
    assert server.request_count <= 15


def test_cancel_mid_map_raises_cancelled_and_sends_no_further_requests(stubs: Stubs) -> None:
    token = CancelToken()
    server, client, _ = stubs.serve(echo, concurrency=1, cancel=token)

    def fetch(n: int) -> object:
        body = client.get(f"/api/Spaces-1/things/Things-{n}")
        if n == 5:
            token.cancel()
        return body

    with pytest.raises(Cancelled):
        client.map(fetch, range(1, 50))
    assert server.request_count == 5


def test_cancel_mid_map_with_parallel_workers_stops_early(stubs: Stubs) -> None:
    token = CancelToken()
    server, client, _ = stubs.serve(echo, concurrency=4, cancel=token)

    def fetch(n: int) -> object:
        body = client.get(f"/api/Spaces-1/things/Things-{n}")
        if n == 5:
            token.cancel()
        return body

    with pytest.raises(Cancelled):
        client.map(fetch, range(1, 200))
    # what was already running may finish (and a slot freed in the instant before cancel), nothing more
    assert server.request_count <= 5 + 2 * 4


def test_nested_map_runs_inline_instead_of_deadlocking(stubs: Stubs) -> None:
    _, client, _ = stubs.serve(echo, concurrency=2)

    def outer(group: int) -> list[int]:
        return client.map(
            lambda n: client.get(f"/api/Spaces-1/things/Things-{group * 10 + n}")["Number"], range(1, 4)
        )

    assert client.map(outer, range(1, 5)) == [[g * 10 + n for n in range(1, 4)] for g in range(1, 5)]


def test_map_over_nothing_sends_nothing(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(Script(), concurrency=4)
    assert client.map(lambda n: client.get(f"/api/x/{n}"), []) == []
    assert server.request_count == 0


def test_ctrl_c_while_waiting_cancels_running_calls(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    from octodesk.core.octopus import pool as worker_pool

    token = CancelToken()
    _, client, _ = stubs.serve(echo, concurrency=2, cancel=token)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(worker_pool, "wait_for_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        client.map(lambda n: client.get(f"/api/Spaces-1/things/Things-{n}"), range(1, 10))
    assert token.cancelled


def test_closing_the_pool_under_a_waiting_map_ends_it_instead_of_hanging() -> None:
    """The client closed while a map waits (the app quitting mid-run): the calls not started are dropped,
    the running ones finish, and the map raises Cancelled rather than waiting for ever."""
    from octodesk.core.octopus.pool import BoundedPool

    pool = BoundedPool(2, CancelToken())
    started, release = threading.Semaphore(0), threading.Event()
    calls: list[int] = []
    outcome: list[BaseException] = []

    def slow(number: int) -> int:
        calls.append(number)
        started.release()
        release.wait(5)
        return number

    def run() -> None:
        try:
            pool.map(slow, range(6))
        except BaseException as error:  # the test looks at what it was
            outcome.append(error)

    mapper = threading.Thread(target=run)
    mapper.start()
    assert started.acquire(timeout=5) and started.acquire(timeout=5)  # two running, four queued
    closer = threading.Thread(target=pool.close)
    closer.start()
    release.set()
    closer.join(5)
    mapper.join(5)
    assert not mapper.is_alive() and not closer.is_alive()
    assert isinstance(outcome[0], Cancelled)
    assert sorted(calls) == [0, 1]


def test_a_closed_pool_serves_a_later_map() -> None:
    from octodesk.core.octopus.pool import BoundedPool

    pool = BoundedPool(3, CancelToken())
    assert pool.map(lambda n: n * 2, range(5)) == [0, 2, 4, 6, 8]
    pool.close()
    assert pool.map(lambda n: n + 1, range(4)) == [1, 2, 3, 4]
    pool.close()


def test_workers_start_as_a_map_needs_them_or_all_at_once_when_asked() -> None:
    """A map of two starts two threads, not the whole pool: each thread started while the export's key
    derivation takes its memory waited ~2 ms on the memory map's lock (24 of them: 47 ms before the first
    request). ``start()`` starts them all ahead of that."""
    from octodesk.core.octopus.pool import BoundedPool

    pool = BoundedPool(24, CancelToken())
    names = lambda: sorted(t.name for t in threading.enumerate() if t.name.startswith("octodesk-http-"))  # noqa: E731
    before = len(names())
    assert pool.map(lambda n: n, range(2)) == [0, 1]
    assert len(names()) - before == 2
    assert pool.map(lambda n: n, range(5)) == list(range(5))
    assert len(names()) - before == 5
    pool.start()
    assert len(names()) - before == 24
    pool.close()


def test_after_a_rate_limiters_429_requests_go_one_at_a_time(stubs: Stubs) -> None:
    """Sent all together after each pause, a pool found tokens for a few and was refused for the rest:
    within a minute of a 429 the client sends one request at a time (the limiter's rate is the pace)."""
    in_flight = 0
    peaks: list[int] = []
    refused_once = threading.Event()
    lock = threading.Lock()

    def limited_once(request: StubRequest) -> StubResponse:
        nonlocal in_flight
        with lock:
            in_flight += 1
            peaks.append(in_flight)
        try:
            if not refused_once.is_set():
                refused_once.set()
                return StubResponse(429, {"ErrorMessage": "Slow down"}, headers={"Retry-After": "0"})
            threading.Event().wait(0.01)  # long enough for requests sent together to overlap
            return echo(request)
        finally:
            with lock:
                in_flight -= 1

    _, client, _ = stubs.serve(limited_once, concurrency=4)
    client.get("/api/Spaces-1/things/Things-0")  # refused once, then sent again
    results = client.map(lambda n: client.get(f"/api/Spaces-1/things/Things-{n}"), range(1, 13))
    assert [r["Number"] for r in results] == list(range(1, 13))
    assert max(peaks[2:]) == 1  # every request after the 429 was alone on the wire
