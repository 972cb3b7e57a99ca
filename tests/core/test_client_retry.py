"""Reads are retried with back-off on 5xx, 429 and dropped connections; writes never are once sent."""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from stub_server import DROP, Script, StubRequest, StubResponse, Stubs, closed_port_url, json_reply

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ConnectionFailed, RateLimited, ServerFailure
from octodesk.core.octopus.http import parse_retry_after

API_KEY = "API-RETRYTESTKEY0123456789ABCDEF"
ENVS = "/api/Spaces-1/environments"
OK = {"Id": "Environments-1", "Name": "Production"}


def unavailable(**headers: str) -> StubResponse:
    return StubResponse(503, {"ErrorMessage": "The service is starting."}, headers=dict(headers))


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def test_500_then_503_then_success_is_retried_with_growing_backoff(stubs: Stubs) -> None:
    script = Script().then(f"GET {ENVS}", StubResponse(500, {"ErrorMessage": "boom"}), unavailable())
    server, client, waits = stubs.serve(script.always(f"GET {ENVS}", json_reply(OK)))
    assert client.get(ENVS) == OK
    assert server.request_count == 3
    assert client.request_count == 3
    assert len(waits) == 2
    first, second = waits
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0  # exponential, with jitter in the upper half


def test_a_retry_is_logged_as_one_sentence(stubs: Stubs, caplog: pytest.LogCaptureFixture) -> None:
    """Seen in the app's log pane: "... the connection was refused.; retrying in 0.4 s"."""
    script = Script().then(f"GET {ENVS}", unavailable())
    _, client, _ = stubs.serve(script.always(f"GET {ENVS}", json_reply(OK)))
    with caplog.at_level("INFO", logger="octodesk"):
        assert client.get(ENVS) == OK
    retry = next(message for message in caplog.messages if "retrying in" in message)
    assert ".;" not in retry and retry.endswith("(attempt 2 of 5)"), retry


def test_503_forever_gives_server_failure_after_max_retries(stubs: Stubs) -> None:
    server, client, waits = stubs.serve(Script().always(f"GET {ENVS}", unavailable()), max_retries=4)
    with pytest.raises(ServerFailure) as caught:
        client.get(ENVS)
    assert str(caught.value) == (
        "GET /api/Spaces-1/environments failed with a server error (503) after 5 attempts: "
        "The service is starting."
    )
    assert caught.value.status == 503
    assert server.request_count == 5 and len(waits) == 4


def test_backoff_is_capped(stubs: Stubs) -> None:
    _, client, waits = stubs.serve(Script().always(f"GET {ENVS}", unavailable()), max_retries=10)
    client.backoff_cap = 3.0
    with pytest.raises(ServerFailure):
        client.get(ENVS)
    assert max(waits) <= 3.0 and len(waits) == 10


def test_429_honours_retry_after(stubs: Stubs) -> None:
    limited = StubResponse(429, {"ErrorMessage": "Too many requests"}, headers={"Retry-After": "7"})
    script = Script().then(f"GET {ENVS}", limited, limited).always(f"GET {ENVS}", json_reply(OK))
    server, client, waits = stubs.serve(script)
    assert client.get(ENVS) == OK
    assert waits == [7.0, 7.0]
    assert server.request_count == 3


def test_retry_after_is_capped_and_429_forever_is_rate_limited_after_the_patience(stubs: Stubs) -> None:
    """A rate limiter's 429 does not use up retries (waiting on it is progress), but a server that refuses
    for ever ends the request once it has waited ``rate_limit_patience`` in all."""
    limited = StubResponse(429, {"ErrorMessage": "Slow down"}, headers={"Retry-After": "86400"})
    server, client, waits = stubs.serve(Script().always(f"GET {ENVS}", limited), max_retries=2)
    with pytest.raises(RateLimited, match=r"GET /api/Spaces-1/environments was rate-limited \(429\)") as err:
        client.get(ENVS)
    assert "refused again after 600 s of waiting on the rate limit" in str(err.value)
    assert waits == [client.retry_after_cap] * 5  # 5 x 120 s = the 600 s patience, more than max_retries
    assert server.request_count == 6


def test_a_429_holds_every_request_of_the_client_not_only_the_refused_one(stubs: Stubs) -> None:
    limited = StubResponse(429, {"ErrorMessage": "Too many requests"}, headers={"Retry-After": "5"})
    script = Script().then(f"GET {ENVS}", limited).always(f"GET {ENVS}", json_reply(OK))
    other = "/api/Spaces-1/lifecycles"
    server, client, waits = stubs.serve(script.always(f"GET {other}", json_reply({"Id": "Lifecycles-1"})))
    assert client.get(ENVS) == OK  # refused, waited 5 s (recorded, not slept), sent again
    client.get(other)  # another request right after: the pause (real time) is not over, so it waits too
    assert len(waits) == 2 and waits[0] == 5.0 and 4.0 < waits[1] <= 5.0
    assert server.request_count == 3


def test_dropped_connection_is_retried_for_get(stubs: Stubs) -> None:
    script = Script().then(f"GET {ENVS}", DROP, DROP).always(f"GET {ENVS}", json_reply(OK))
    server, client, waits = stubs.serve(script)
    assert client.get(ENVS) == OK
    assert server.request_count == 3 and len(waits) == 2


def test_dropped_connection_forever_is_connection_failed(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(Script().always(f"GET {ENVS}", DROP), max_retries=2)
    with pytest.raises(ConnectionFailed, match=r"dropped .* \(after 3 attempts\)"):
        client.get(ENVS)
    assert server.request_count == 3


def test_post_is_not_retried_on_503(stubs: Stubs) -> None:
    script = Script().then(f"POST {ENVS}", unavailable()).always(f"POST {ENVS}", json_reply(OK))
    server, client, waits = stubs.serve(script)
    with pytest.raises(ServerFailure, match=r"POST /api/Spaces-1/environments failed with a server") as err:
        client.post(ENVS, {"Name": "Production"})
    assert str(err.value).endswith("(not sent again: the server may have applied it)")
    assert server.request_count == 1 and waits == []


def test_put_is_not_retried_after_a_dropped_connection(stubs: Stubs) -> None:
    path = f"{ENVS}/Environments-1"
    script = Script().then(f"PUT {path}", DROP).always(f"PUT {path}", json_reply(OK))
    server, client, waits = stubs.serve(script)
    with pytest.raises(ConnectionFailed, match="PUT /api/Spaces-1/environments/Environments-1"):
        client.put(path, OK)
    assert server.request_count == 1 and waits == []
    assert client.request_counts == {"PUT": 1}


def test_delete_is_not_retried_on_500(stubs: Stubs) -> None:
    path = f"{ENVS}/Environments-1"
    server, client, _ = stubs.serve(Script().then(f"DELETE {path}", StubResponse(500, {"ErrorMessage": "x"})))
    with pytest.raises(ServerFailure):
        client.delete(path)
    assert server.request_count == 1


def test_write_refused_by_rate_limit_is_sent_again(stubs: Stubs) -> None:
    limited = StubResponse(429, {"ErrorMessage": "Too many requests"}, headers={"Retry-After": "2"})
    script = Script().then(f"POST {ENVS}", limited).always(f"POST {ENVS}", json_reply(OK, 201))
    server, client, waits = stubs.serve(script)
    assert client.post(ENVS, {"Name": "Production"}) == OK
    assert server.request_count == 2 and waits == [2.0]


def test_request_counts_include_retries_per_method(stubs: Stubs) -> None:
    script = (
        Script()
        .then(f"GET {ENVS}", unavailable())
        .always(f"GET {ENVS}", json_reply(OK))
        .always(f"POST {ENVS}", json_reply(OK, 201))
    )
    _, client, _ = stubs.serve(script)
    client.get(ENVS)
    client.get(ENVS)
    client.post(ENVS, {"Name": "x"})
    assert client.request_counts == {"GET": 3, "POST": 1}
    assert client.request_count == 4


def test_cancel_during_backoff_stops_retrying(stubs: Stubs) -> None:
    token = CancelToken()

    def fail_and_cancel(request: StubRequest) -> StubResponse:
        token.cancel()  # the user presses Cancel while the client waits to retry
        return unavailable(**{"Retry-After": "3600"})

    server, client, _ = stubs.serve(fail_and_cancel, cancel=token)
    client.sleep = client._cancellable_sleep  # the real, cancellable wait
    with pytest.raises(Cancelled):
        client.get(ENVS)
    assert server.request_count == 1


def test_nothing_is_sent_once_cancelled(stubs: Stubs) -> None:
    token = CancelToken()
    server, client, _ = stubs.serve(Script().always(f"GET {ENVS}", json_reply(OK)), cancel=token)
    token.cancel()
    with pytest.raises(Cancelled):
        client.get(ENVS)
    assert server.request_count == 0


def test_retry_after_may_be_seconds_or_an_http_date() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    future = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    waited = parse_retry_after(future)
    assert waited is not None and 60 < waited <= 120
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_write_is_retried_only_while_no_connection_could_be_made(stubs: Stubs) -> None:
    client, waits = stubs.client(closed_port_url(), max_retries=3)
    with pytest.raises(ConnectionFailed, match="refused"):
        client.post(ENVS, {"Name": "Production"})
    assert len(waits) == 3 and client.request_counts == {"POST": 4}


def test_a_run_paced_by_the_rate_limiter_says_so_once(stubs: Stubs, caplog: pytest.LogCaptureFixture) -> None:
    """The app's log pane gets one line when the limiter starts pacing the run, not one per pause."""
    limited = StubResponse(429, {"ErrorMessage": "Too many requests"}, headers={"Retry-After": "1"})
    script = Script().then(f"GET {ENVS}", limited, limited, limited).always(f"GET {ENVS}", json_reply(OK))
    _, client, waits = stubs.serve(script)
    with caplog.at_level("INFO", logger="octodesk"):
        assert client.get(ENVS) == OK
    said = [message for message in caplog.messages if "limiting the rate" in message]
    assert len(waits) == 3 and len(said) == 1, said
