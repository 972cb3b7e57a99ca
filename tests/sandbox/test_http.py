"""The HTTP layer: keep-alive cost, authentication and roles, error bodies, faults, ids, clean shutdown."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from sandbox_client import Octo

from octodesk.sandbox.server import INVALID_KEY, MISSING_KEY


def test_keep_alive_requests_reuse_one_connection_and_are_cheap(
    octo: Octo, capsys: pytest.CaptureFixture[str]
) -> None:
    octo.server.reset_counters()
    started = time.perf_counter()
    for _ in range(200):
        assert octo.get(f"{octo.p}/environments").status_code == 200
    elapsed = time.perf_counter() - started
    assert octo.server.request_count == 200
    pool = octo.session.get_adapter(octo.server.url).poolmanager  # type: ignore[attr-defined]
    assert len(pool.pools) == 1  # one keep-alive connection served all 200
    with capsys.disabled():
        print(f"\n[sandbox] 200 keep-alive requests: {elapsed * 1000 / 200:.2f} ms per request")


def test_api_root_and_license_report_version_and_hosting(sandbox_factory: Callable[..., Any]) -> None:
    cloud = Octo(sandbox_factory("empty", hosting="cloud", version="2024.3.12345"))
    root = cloud.ok(cloud.get("/api"))
    assert root["Application"] == "Octopus Deploy"
    assert root["Version"] == "2024.3.12345"
    assert root["ApiVersion"] == "3.0.0"
    assert root["Links"]["CurrentLicenseStatus"] == "/api/licenses/licenses-current-status"
    assert (
        cloud.ok(cloud.get("/api/licenses/licenses-current-status"))["HostingEnvironment"] == "OctopusCloud"
    )
    local = Octo(sandbox_factory("empty"))
    assert local.ok(local.get("/api/licenses/licenses-current-status"))["HostingEnvironment"] == "SelfHosted"
    assert local.ok(local.get(local.p))["Links"]["Projects"].startswith(f"{local.p}/projects")


def test_missing_and_invalid_api_keys_are_401_with_the_server_message(octo: Octo) -> None:
    anonymous = requests.get(octo.server.url + f"{octo.p}/projects", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["ErrorMessage"] == MISSING_KEY
    wrong = requests.get(
        octo.server.url + "/api/spaces", headers={"X-Octopus-ApiKey": "API-WRONG"}, timeout=10
    )
    assert wrong.status_code == 401
    assert wrong.json()["ErrorMessage"] == INVALID_KEY
    by_query = requests.get(
        octo.server.url + "/api/spaces", params={"apikey": octo.server.api_key}, timeout=10
    )
    assert by_query.status_code == 200


def test_read_only_key_cannot_write_and_export_role_cannot_export_certificates(octo: Octo) -> None:
    octo.server.add_api_key("API-READONLY", "read-only")
    reader = Octo(octo.server, "API-READONLY")
    assert reader.get(f"{octo.p}/environments").status_code == 200
    denied = reader.post(f"{octo.p}/environments", {"Name": "Nope"})
    assert denied.status_code == 403
    assert "permission" in denied.json()["ErrorMessage"]
    octo.server.add_api_key("API-NOEXPORT", "no-certificate-export")
    no_export = Octo(octo.server, "API-NOEXPORT")
    assert no_export.get(f"{octo.p}/certificates/Certificates-1/export").status_code == 403
    assert no_export.post(f"{octo.p}/environments", {"Name": "Allowed"}).status_code == 201


def test_unknown_ids_are_404_and_unsupported_verbs_405(octo: Octo) -> None:
    missing = octo.get(f"{octo.p}/projects/Projects-999999")
    assert missing.status_code == 404
    assert missing.json()["ErrorMessage"] == "The resource 'Projects-999999' was not found."
    assert octo.get("/api/Spaces-999999/projects").status_code == 404
    assert octo.delete(f"{octo.p}/projects").status_code == 405
    process_id = octo.project("P")["DeploymentProcessId"]
    assert octo.delete(f"{octo.p}/deploymentprocesses/{process_id}").status_code == 405


def test_ids_start_at_different_offsets_in_two_instances(sandbox_factory: Callable[..., Any]) -> None:
    first, second = Octo(sandbox_factory("empty")), Octo(sandbox_factory("empty"))
    assert first.space != second.space
    env_a = first.create("environments", {"Name": "Production"})
    env_b = second.create("environments", {"Name": "Production"})
    assert env_a["Id"] != env_b["Id"]
    assert env_a["Id"].startswith("Environments-")


def test_fail_next_injects_each_mode_once_then_serves_normally(octo: Octo) -> None:
    url = octo.server.url + f"{octo.p}/environments"
    headers = {"X-Octopus-ApiKey": octo.server.api_key}
    octo.server.fail_next(1, "503", path_contains="/environments")
    assert requests.get(url, headers=headers, timeout=10).status_code == 503
    octo.server.fail_next(1, "429", retry_after=7)
    limited = requests.get(url, headers=headers, timeout=10)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    octo.server.fail_next(1, "html")
    page = requests.get(url, headers=headers, timeout=10)
    assert page.status_code == 502 and page.headers["Content-Type"].startswith("text/html")
    octo.server.fail_next(1, "truncated")
    with pytest.raises(ValueError):
        requests.get(url, headers=headers, timeout=10).json()
    octo.server.fail_next(1, "content-type")
    assert requests.get(url, headers=headers, timeout=10).headers["Content-Type"].startswith("text/html")
    octo.server.fail_next(1, "drop", method="GET")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=headers, timeout=10)
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_fail_next_matches_only_the_given_method(octo: Octo) -> None:
    octo.server.fail_next(1, "503", method="POST")
    assert octo.get(f"{octo.p}/environments").status_code == 200
    assert octo.post(f"{octo.p}/environments", {"Name": "A"}).status_code == 503
    assert octo.post(f"{octo.p}/environments", {"Name": "A"}).status_code == 201


def test_fail_rate_is_seeded_and_roughly_the_fraction_asked(sandbox_factory: Callable[..., Any]) -> None:
    def statuses() -> list[int]:
        server = sandbox_factory("empty", fail_rate=0.3)
        server.set_faults(modes={"503"})
        session = requests.Session()
        session.headers["X-Octopus-ApiKey"] = server.api_key
        return [session.get(server.url + "/api/spaces", timeout=10).status_code for _ in range(100)]

    first, second = statuses(), statuses()
    assert first == second
    assert 15 <= first.count(503) <= 45
    assert set(first) == {200, 503}


def test_request_log_records_method_and_path_with_query(octo: Octo) -> None:
    octo.server.reset_counters()
    octo.get(f"{octo.p}/projects", partialName="web")
    assert octo.server.request_log == [("GET", f"{octo.p}/projects?partialName=web")]


def test_stop_closes_the_port_and_open_keep_alive_connections(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("empty")
    client = Octo(server)
    assert client.get("/api/spaces").status_code == 200
    server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass
    with pytest.raises(requests.ConnectionError):
        client.get("/api/spaces")


def test_parallel_writes_and_reads_all_succeed(octo: Octo) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(index: int) -> tuple[int, int]:
        client = Octo(octo.server)
        created = client.post(f"{client.p}/environments", {"Name": f"Parallel {index}"}).status_code
        listed = client.get(f"{client.p}/environments", take=1000).status_code
        client.close()
        return created, listed

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(40)))
    assert results == [(201, 200)] * 40
    assert octo.ok(octo.get(f"{octo.p}/environments"))["TotalResults"] == 40


def test_an_api_key_in_the_query_never_reaches_the_request_log(octo: Octo) -> None:
    octo.server.reset_counters()
    url = octo.server.url + f"{octo.p}/projects"
    assert (
        requests.get(url, params={"apikey": octo.server.api_key, "take": "5"}, timeout=10).status_code == 200
    )
    assert octo.server.request_log == [("GET", f"{octo.p}/projects?take=5")]


def test_a_burst_of_new_connections_is_queued_not_dropped() -> None:
    """A client opening its whole pool at once (OctoDesk opens up to --concurrency connections) must find
    them queued until accepted, as on Octopus's own web servers: a dropped connection request costs the
    client a one-second retransmit. The server here accepts nothing, so all 64 wait in its backlog."""
    from octodesk.sandbox.wire import HttpServer

    server = HttpServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]  # never answers: no responder
    sockets = []
    try:
        for _ in range(64):
            connection = socket.socket()
            connection.settimeout(5)
            connection.connect(server.server_address[:2])  # times out once the backlog is full
            sockets.append(connection)
        assert len(sockets) == 64
    finally:
        for connection in sockets:
            connection.close()
        server.server_close()
