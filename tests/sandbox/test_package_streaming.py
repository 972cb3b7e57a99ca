"""Packages stream through the sandbox: a large upload and download do not grow the server process, uploads
may be chunked, faults, refusals and broken bodies leave the feed and the connection in a sane state, and
the multipart reader finds the file however the body is split."""

from __future__ import annotations

import hashlib
import io
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_process import SOURCE_COMMAND, SandboxProcess, child_env, start_sandbox
from sandbox_client import Octo

from octodesk.sandbox.multipart import MultipartError, read_file_part
from octodesk.sandbox.package_files import PackageSpec, package_bytes, write_package

BOUNDARY = "streamed-package-boundary"
MB = 1 << 20


class MultipartFile:
    """A package file as a multipart body with a Content-Length, read from disk as requests sends it."""

    def __init__(self, path: Path) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="fileData"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(head) + path.stat().st_size + len(tail)
        self._pieces: list[Any] = [io.BytesIO(head), path.open("rb"), io.BytesIO(tail)]

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        while self._pieces:
            data: bytes = self._pieces[0].read(size if size and size > 0 else MB)
            if data:
                return data
            self._pieces.pop(0).close()
        return b""


def chunked_body(path: Path) -> Iterator[bytes]:
    """The same body sent with chunked transfer encoding (no Content-Length), as OctopusClients does."""
    body = MultipartFile(path)
    while chunk := body.read(MB):
        yield chunk


def upload_headers(api_key: str) -> dict[str, str]:
    return {"X-Octopus-ApiKey": api_key, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def download_sha1(session: requests.Session, url: str) -> str:
    digest = hashlib.sha1()
    with session.get(url, stream=True, timeout=60) as response:
        assert response.status_code == 200
        for chunk in response.iter_content(MB):
            digest.update(chunk)
    return digest.hexdigest()


# memory ----------------------------------------------------------------------------------------------------
def peak_rss(pid: int) -> int:
    """A process's peak resident memory so far (Linux VmHWM, Windows peak working set)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    psutil = pytest.importorskip("psutil")
    info = psutil.Process(pid).memory_info()
    if not hasattr(info, "peak_wset"):
        pytest.skip("this platform reports no peak resident memory for a process")
    return int(info.peak_wset)


@pytest.fixture
def child(tmp_path: Path) -> Iterator[SandboxProcess]:
    """``octodesk sandbox`` in its own process, so its memory is measured apart from the test's."""
    env = child_env(drop=("OCTOPUS_API_KEY", "OCTODESK_PASSWORD"))
    sandbox = start_sandbox(SOURCE_COMMAND, "--data", "empty", env=env, cwd=tmp_path)
    yield sandbox
    assert sandbox.child.interrupt() == 0  # Ctrl+C: the sandbox stops and removes its package files


def test_a_64_mb_package_goes_in_and_out_without_the_server_holding_it(
    child: SandboxProcess, tmp_path: Path
) -> None:
    session = requests.Session()
    session.headers["X-Octopus-ApiKey"] = child.api_key
    space = next(s["Id"] for s in session.get(f"{child.url}/api/spaces/all", timeout=10).json())
    upload_url = f"{child.url}/api/{space}/packages/raw"
    small = write_package(PackageSpec("Acme.Warmup", "1.0.0", payload_bytes=MB), tmp_path)
    headers = upload_headers(child.api_key)
    assert session.post(upload_url, data=MultipartFile(small.path), headers=headers).status_code == 201
    download_sha1(session, f"{child.url}/api/{space}/packages/packages-Acme.Warmup.1.0.0/raw")
    before = peak_rss(child.child.pid)

    big = write_package(PackageSpec("Acme.Big", "1.0.0", payload_bytes=64 * MB, seed=9), tmp_path)
    sent = session.post(upload_url, data=MultipartFile(big.path), headers=headers, timeout=120)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["Hash"], sent.json()["PackageSizeBytes"]) == (big.sha1, big.size)
    chunked = session.post(
        f"{upload_url}?overwriteMode=OverwriteExisting", data=chunked_body(big.path), headers=headers
    )
    assert chunked.status_code == 201 and chunked.json()["Hash"] == big.sha1
    assert download_sha1(session, f"{child.url}{sent.json()['Links']['Raw']}") == big.sha1

    grown = peak_rss(child.child.pid) - before
    assert grown < 24 * MB, f"the sandbox's peak memory grew by {grown / MB:.1f} MB for a 64 MB package"
    session.close()


# faults and broken bodies ----------------------------------------------------------------------------------
@pytest.fixture
def server(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory("empty")


def upload(server: Any, octo: Octo, spec: PackageSpec) -> requests.Response:
    files = {"file": (spec.file_name, package_bytes(spec))}
    return octo.session.post(f"{server.url}{octo.p}/packages/raw", files=files, timeout=30)


def incoming_files(server: Any) -> list[Path]:
    return list((server.store.packages.folder / "incoming").glob("*"))


def test_an_upload_answered_503_leaves_nothing_and_the_retry_succeeds(server: Any) -> None:
    octo = Octo(server)
    package = PackageSpec("Acme.Web", "1.0.0", payload_bytes=2 * MB)
    server.fail_next(1, "503", path_contains="/packages/raw")
    assert upload(server, octo, package).status_code == 503
    assert server.snapshot()["packages"] == {}
    assert upload(server, octo, package).status_code == 201  # same connection: the refused body was drained
    octo.close()


def test_a_truncated_download_is_short_and_only_the_size_and_hash_tell(server: Any) -> None:
    octo = Octo(server)
    package = PackageSpec("Acme.Web", "1.0.0", payload_bytes=MB)
    document = upload(server, octo, package).json()
    server.fail_next(1, "truncated", path_contains="/raw")
    short = octo.get(document["Links"]["Raw"])
    assert short.status_code == 200
    assert len(short.content) == document["PackageSizeBytes"] // 2
    assert hashlib.sha1(short.content).hexdigest() != document["Hash"]
    assert octo.get(document["Links"]["Raw"]).content == package_bytes(package)
    octo.close()


def test_a_client_that_disconnects_mid_upload_leaves_no_package_or_spool_file(server: Any) -> None:
    octo = Octo(server)
    upload(server, octo, PackageSpec("Acme.Other", "1.0.0"))  # creates the folders
    head = (
        f"POST {octo.p}/packages/raw HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: {server.api_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 5000000\r\n\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="Acme.Web.1.0.0.zip"\r\n\r\n'
    ).encode()
    with socket.create_connection((server.host, server.port)) as connection:
        connection.sendall(head + b"PK" * 50_000)
    # The server may not have opened its spool file yet when the socket closes (a loaded machine): wait
    # until the folder has stayed empty for a while, not just until it is empty once.
    deadline, empty_since = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        if incoming_files(server):
            empty_since = None
        elif empty_since is None:
            empty_since = time.monotonic()
        elif time.monotonic() - empty_since > 0.5:
            break
        time.sleep(0.02)
    assert incoming_files(server) == []
    assert [p["PackageId"] for p in server.snapshot()["packages"][octo.space]] == ["Acme.Other"]
    octo.close()


def test_a_malformed_chunked_body_is_refused(server: Any) -> None:
    octo = Octo(server)
    request = (
        f"POST {octo.p}/packages/raw HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: {server.api_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n"
        "zz\r\nnot hex\r\n0\r\n\r\n"
    ).encode()
    with socket.create_connection((server.host, server.port)) as connection:
        connection.sendall(request)
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert server.snapshot()["packages"] == {}
    octo.close()


def test_a_cloud_server_refuses_a_package_over_its_size_limit(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("empty", hosting="cloud")
    server.store.packages.cloud_max_package_bytes = 100_000  # stands in for Octopus Cloud's 5 GB
    octo = Octo(server)
    small = upload(server, octo, PackageSpec("Acme.Small", "1.0.0", payload_bytes=50_000))
    assert small.status_code == 201
    refused = upload(server, octo, PackageSpec("Acme.Web", "1.0.0", payload_bytes=150_000))
    assert refused.status_code == 413
    assert "maximum package size" in refused.json()["ErrorMessage"]
    assert [p["PackageId"] for p in server.snapshot()["packages"][octo.space]] == ["Acme.Small"]
    assert incoming_files(server) == []
    octo.close()


def test_a_self_hosted_server_has_no_package_size_limit(server: Any) -> None:
    assert server.store.packages.max_package_bytes("self-hosted") is None
    server.store.packages.cloud_max_package_bytes = 100_000
    octo = Octo(server)
    assert upload(server, octo, PackageSpec("Acme.Web", "1.0.0", payload_bytes=150_000)).status_code == 201
    octo.close()


# the multipart reader --------------------------------------------------------------------------------------
def trickle(data: bytes, size: int) -> Callable[[int], bytes]:
    """A body that arrives a few bytes at a time, so every marker is split across reads."""
    stream = io.BytesIO(data)
    return lambda _wanted: stream.read(size)


@pytest.mark.parametrize("piece", [1, 3, 7, 64])
def test_the_reader_finds_the_file_whatever_the_reads_split(piece: int) -> None:
    # near misses of the delimiter CRLF--edge, which the content itself may never contain
    content = b"\r\n--edgX" * 20 + b"--edge without CRLF\r\n-edge\r" + b"\r\n--edg"
    body = (
        b'--edge\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        b'--edge\r\nContent-Disposition: form-data; name="fileData"; filename="A.1.0.0.zip"\r\n\r\n'
        + content
        + b"\r\n--edge--\r\n"
    )
    sink = io.BytesIO()
    sink.close = lambda: None  # type: ignore[method-assign]
    part = read_file_part(trickle(body, piece), "multipart/form-data; boundary=edge", lambda _name: sink)
    assert part is not None
    assert (part.field, part.file_name, part.size) == ("fileData", "A.1.0.0.zip", len(content))
    assert sink.getvalue() == content
    assert part.sha1 == hashlib.sha1(content).hexdigest()


def test_a_body_cut_off_inside_the_file_is_an_error() -> None:
    body = b'--edge\r\nContent-Disposition: form-data; name="f"; filename="A.1.0.0.zip"\r\n\r\nabc'
    with pytest.raises(MultipartError, match="closing boundary"):
        read_file_part(trickle(body, 5), "multipart/form-data; boundary=edge", lambda _name: io.BytesIO())
