"""Every way a request can fail becomes one typed error naming the method and path, never the API key."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from stub_server import (
    DROP,
    HANG,
    TRUNCATE,
    Script,
    StubResponse,
    Stubs,
    closed_port_url,
    json_reply,
    make_tls_files,
)

from octodesk.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidServerUrl,
    NotAnOctopusServer,
    PermissionDenied,
    RequestTimedOut,
    ResourceNotFound,
    ServerFailure,
    TlsError,
    ValidationFailed,
)
from octodesk.core.octopus.client import OctopusClient

API_KEY = "API-ERRORTESTKEY0123456789ABCDEF"
PROJECTS = "/api/Spaces-1/projects"
HTML_PAGE = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
ROOT = {"Application": "Octopus Deploy", "Version": "2021.2.4488", "ApiVersion": "3.0.0"}


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def test_401_is_authentication_failed_with_server_message(stubs: Stubs) -> None:
    body = {"ErrorMessage": "Either your API key is invalid, or your account has been disabled."}
    server, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}", json_reply(body, 401)))
    with pytest.raises(AuthenticationFailed) as caught:
        client.get(PROJECTS)
    message = str(caught.value)
    assert message.startswith(f"GET {PROJECTS} was refused (401)")
    assert "Either your API key is invalid" in message
    assert caught.value.status == 401
    assert server.request_count == 1  # never retried


def test_403_is_permission_denied(stubs: Stubs) -> None:
    body = {"ErrorMessage": "You do not have permission to perform this action."}
    _, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}", json_reply(body, 403)))
    with pytest.raises(PermissionDenied, match=r"GET /api/Spaces-1/projects was refused \(403\).*permission"):
        client.get(PROJECTS)


def test_404_is_resource_not_found(stubs: Stubs) -> None:
    body = {"ErrorMessage": "The resource 'Projects-9' was not found."}
    server, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}/Projects-9", json_reply(body, 404)))
    with pytest.raises(ResourceNotFound) as caught:
        client.get(f"{PROJECTS}/Projects-9")
    assert str(caught.value) == (
        "GET /api/Spaces-1/projects/Projects-9 was not found (404): The resource 'Projects-9' was not found."
    )
    assert server.request_count == 1


def test_a_caught_error_leaves_no_reference_cycle_behind(stubs: Stubs) -> None:
    # The request frame is in the error's traceback: had it kept the error in a local, every caller's frame
    # (an export's whole source read) stayed alive until a full collection, or for good once frozen.
    body = {"ErrorMessage": "The resource 'Projects-9' was not found."}
    _, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}/Projects-9", json_reply(body, 404)))
    gc.collect()
    gc.disable()
    try:
        try:
            client.get(f"{PROJECTS}/Projects-9")
        except ResourceNotFound:
            pass
        cycles = gc.collect()
    finally:
        gc.enable()
    assert cycles == 0


def test_400_names_method_path_error_message_and_every_error(stubs: Stubs) -> None:
    path = "/api/Spaces-1/variables/variableset-Projects-1"
    body = {
        "ErrorMessage": "There was a problem with your request.",
        "Errors": ["The name field is required", "Environment 'Environments-99' does not exist"],
    }
    server, client, waits = stubs.serve(Script().always(f"PUT {path}", json_reply(body, 400)))
    with pytest.raises(ValidationFailed) as caught:
        client.put(path, {"Variables": []})
    assert str(caught.value) == (
        "PUT /api/Spaces-1/variables/variableset-Projects-1 was refused (400): There was a problem with your "
        "request. — The name field is required; Environment 'Environments-99' does not exist"
    )
    assert caught.value.errors == body["Errors"]
    assert caught.value.status == 400
    assert server.request_count == 1 and waits == []


def test_409_is_validation_failed(stubs: Stubs) -> None:
    body = {"ErrorMessage": "A project with this name already exists.", "Errors": ["Name must be unique"]}
    _, client, _ = stubs.serve(Script().always(f"POST {PROJECTS}", json_reply(body, 409)))
    with pytest.raises(ValidationFailed) as caught:
        client.post(PROJECTS, {"Name": "Web"})
    assert "(409): A project with this name already exists. — Name must be unique" in str(caught.value)
    assert caught.value.errors == ["Name must be unique"]


def test_timeout_is_request_timed_out_and_not_retried(stubs: Stubs) -> None:
    server, client, waits = stubs.serve(Script().always(f"GET {PROJECTS}", HANG), timeout=0.3)
    with pytest.raises(RequestTimedOut, match=r"GET /api/Spaces-1/projects timed out: .* within 0\.3 s"):
        client.get(PROJECTS)
    assert server.request_count == 1 and waits == []


def test_connection_refused_is_connection_failed(stubs: Stubs) -> None:
    url = closed_port_url()
    client, waits = stubs.client(url, max_retries=2)
    with pytest.raises(ConnectionFailed, match="connection was refused") as caught:
        client.get("/api")
    assert url in str(caught.value)
    assert len(waits) == 2  # a refused connection never reached the server, so it is tried again


def test_unresolvable_host_is_connection_failed_without_retries(stubs: Stubs) -> None:
    client, waits = stubs.client("https://octodesk-test-host.invalid")
    with pytest.raises(ConnectionFailed, match=r"test-host\.invalid: the host name does not resolve"):
        client.get("/api")
    assert waits == []


@pytest.mark.parametrize(
    "url",
    [
        "octopus.example.com",
        "ftp://octopus.example.com",
        "https://",
        "http://host:99999",
        "",
        "file:///etc/x",
        "http://[::1",
        "https://octo pus.example.com",
    ],
)
def test_unusable_server_urls_are_rejected(url: str) -> None:
    with pytest.raises(InvalidServerUrl):
        OctopusClient(url, API_KEY)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("https://octopus.example.com/", "https://octopus.example.com"),
        ("https://octopus.example.com/api", "https://octopus.example.com"),
        ("https://octopus.example.com/api/", "https://octopus.example.com"),
        ("  HTTPS://octopus.example.com:8443/octopus/api/ ", "https://octopus.example.com:8443/octopus"),
        ("http://10.0.0.5", "http://10.0.0.5"),
    ],
)
def test_server_url_is_normalised(given: str, normalised: str) -> None:
    with OctopusClient(given, API_KEY) as client:
        assert client.server_url == normalised


def test_server_below_a_virtual_directory_gets_api_under_it(stubs: Stubs) -> None:
    spaces = [{"Id": "Spaces-1", "Name": "Default"}]
    server, _, _ = stubs.serve(Script().always("GET /octopus/api/spaces/all", json_reply(spaces)))
    client, _ = stubs.client(server.url + "/octopus/api/")
    assert client.list_spaces() == spaces


def test_untrusted_certificate_is_tls_error_and_ca_bundle_fixes_it(stubs: Stubs, tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    server, client, _ = stubs.serve(Script().always("GET /api", json_reply(ROOT)), tls=tls)
    with pytest.raises(TlsError, match="certificate verify failed") as caught:
        client.get("/api")
    assert server.url in str(caught.value)
    trusting, _ = stubs.client(server.url, verify=str(tls.ca))
    assert trusting.get("/api")["Version"] == "2021.2.4488"
    insecure, _ = stubs.client(server.url, verify=False)
    assert insecure.get("/api")["Version"] == "2021.2.4488"


def test_missing_ca_bundle_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TlsError, match=r"CA bundle file .* does not exist"):
        OctopusClient("https://octopus.example.com", API_KEY, verify=str(tmp_path / "nope.pem"))


def test_html_error_page_is_server_failure_with_clear_message(stubs: Stubs) -> None:
    page = StubResponse(502, HTML_PAGE, content_type="text/html")
    server, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}", page), max_retries=1)
    with pytest.raises(ServerFailure) as caught:
        client.get(PROJECTS)
    assert str(caught.value) == (
        "GET /api/Spaces-1/projects failed with a server error (502) after 2 attempts: "
        "the server returned an HTML page instead of an API answer"
    )
    assert server.request_count == 2


def test_html_page_with_status_200_is_server_failure(stubs: Stubs) -> None:
    page = StubResponse(200, HTML_PAGE, content_type="text/html")
    _, client, _ = stubs.serve(Script().always(f"GET {PROJECTS}", page), max_retries=0)
    with pytest.raises(ServerFailure, match="HTML page instead of JSON"):
        client.get(PROJECTS)


def test_html_at_api_root_is_not_an_octopus_server(stubs: Stubs) -> None:
    page = StubResponse(200, "<html><body>Welcome to nginx!</body></html>", content_type="text/html")
    server, client, waits = stubs.serve(Script().always("GET /api", page))
    with pytest.raises(NotAnOctopusServer, match="not as an Octopus Server"):
        client.server_info()
    # not asked again (the license status, read beside it, is the other request)
    assert server.paths().count("GET /api") == 1 and waits == []


def test_malformed_json_is_retried_for_reads_then_server_failure(stubs: Stubs) -> None:
    broken = StubResponse(200, b'{"Items": [{"Id": "Projects-1"', content_type="application/json")
    server, client, waits = stubs.serve(Script().always(f"GET {PROJECTS}", broken), max_retries=2)
    with pytest.raises(ServerFailure, match="not valid JSON"):
        client.get(PROJECTS)
    assert server.request_count == 3 and len(waits) == 2


def test_body_cut_short_is_retried_for_reads(stubs: Stubs) -> None:
    script = Script().then(f"GET {PROJECTS}", TRUNCATE).always(f"GET {PROJECTS}", json_reply({"Id": "ok"}))
    server, client, waits = stubs.serve(script)
    assert client.get(PROJECTS) == {"Id": "ok"}
    assert server.request_count == 2 and len(waits) == 1


def test_api_key_is_sent_but_never_in_messages_or_logs(
    stubs: Stubs, caplog: pytest.LogCaptureFixture
) -> None:
    script = (
        Script()
        .then(f"GET {PROJECTS}", StubResponse(503, {"ErrorMessage": "starting"}), DROP)
        .always(f"GET {PROJECTS}", json_reply({"ErrorMessage": f"bad key {API_KEY}"}, 401))
        .always(f"POST {PROJECTS}", json_reply({"ErrorMessage": f"echo {API_KEY}", "Errors": [API_KEY]}, 400))
    )
    caplog.set_level(logging.DEBUG)
    server, client, _ = stubs.serve(script)
    with pytest.raises(AuthenticationFailed) as auth_error:
        client.get(PROJECTS)
    with pytest.raises(ValidationFailed) as validation_error:
        client.post(PROJECTS, {"Name": "x"})
    assert API_KEY not in repr(client)
    assert all(request.headers["X-Octopus-ApiKey"] == API_KEY for request in server.requests)
    assert server.requests[0].headers["User-Agent"].startswith("octodesk/")
    assert API_KEY not in str(auth_error.value)
    assert API_KEY not in str(validation_error.value)
    assert caplog.records, "the retries should have been logged"
    for record in caplog.records:
        assert API_KEY not in record.getMessage()


def test_redirect_is_not_followed_and_names_the_address_to_use(stubs: Stubs) -> None:
    moved = StubResponse(301, None, headers={"Location": "https://octopus.example.com/api/spaces/all"})
    other = StubResponse(302, None, headers={"Location": "/login?returnUrl=%2Fapi"})
    script = Script().always("GET /api/spaces/all", moved).always(f"POST {PROJECTS}", other)
    server, client, _ = stubs.serve(script)
    with pytest.raises(InvalidServerUrl) as caught:
        client.list_spaces()
    assert str(caught.value) == (
        "GET /api/spaces/all was redirected (301): use https://octopus.example.com as the server URL."
    )
    with pytest.raises(InvalidServerUrl, match=r"POST .* was redirected \(302\) to .*/login"):
        client.post(PROJECTS, {"Name": "Web"})
    assert server.paths() == ["GET /api/spaces/all", f"POST {PROJECTS}"]  # nothing followed, POST not re-sent


@pytest.mark.parametrize("key", ["", "   ", "API-ABC DEF", "API-ABC\nX-Other: 1", "API-ÄBC"])
def test_unusable_api_key_is_refused_before_any_request(key: str) -> None:
    with pytest.raises(AuthenticationFailed, match="API key is empty or contains characters") as caught:
        OctopusClient("https://octopus.example.com", key)
    assert not key.strip() or key.strip() not in str(caught.value)


def test_pasted_key_with_surrounding_whitespace_is_trimmed(stubs: Stubs) -> None:
    server, _, _ = stubs.serve(Script().always("GET /api", json_reply(ROOT)))
    with OctopusClient(server.url, f"  {API_KEY}\n") as pasted:
        pasted.get("/api")
    assert server.requests[-1].headers["X-Octopus-ApiKey"] == API_KEY


def test_unreachable_proxy_is_named(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", closed_port_url())
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client, waits = stubs.client("https://octopus.example.com", max_retries=1)
    with pytest.raises(ConnectionFailed, match=r"through the proxy \(HTTPS_PROXY/HTTP_PROXY\)"):
        client.get("/api")
    assert len(waits) == 1


def test_an_error_the_server_repeats_is_said_once(stubs: Stubs) -> None:
    path = "/api/Spaces-1/certificates"
    said = "The certificate file could not be read: wrong password or not a PFX/PEM/DER certificate."
    _server, client, _waits = stubs.serve(
        Script().always(f"POST {path}", json_reply({"ErrorMessage": said, "Errors": [said]}, 400))
    )
    with pytest.raises(ValidationFailed) as caught:
        client.post(path, {"Name": "Portal TLS"})
    assert str(caught.value).count("could not be read") == 1
    assert caught.value.reason == said
