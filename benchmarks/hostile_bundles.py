"""Hostile bundles (issue 12): builders shared with the tests, and their cost measured against the budgets.

``python -m benchmarks.hostile_bundles`` builds each bomb in a temporary folder, reads it in a child process
of its own (peak RSS is then the reader's alone) and prints the outcome, the seconds and the peak RSS next to
the reader's budgets. The tests build the same files (``tests/core/test_bundle_budgets.py``) and assert the
refusal and the reader's peak Python allocations; wall-clock time is only measured here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from octodesk.core.bundle import crypto
from octodesk.core.bundle.format import FORMAT_NAME, FORMAT_VERSION, canonical_json, manifest_json

PASSWORD = "correct horse battery staple"
FAST_COST = crypto.ScryptCost(n=2**12, r=8, p=1)
ENTRY_BYTES = 64 * 1024  # at the per-entry ratio check's floor: the entries the old reader never judged


def raw_bundle(
    path: Path,
    entries: dict[str, bytes],
    index: list[dict[str, str]],
    *,
    password: str = PASSWORD,
    counts: dict[str, int] | None = None,
    secrets: bytes = b"{}",
) -> Path:
    """A bundle sealed with ``password`` exactly as an attacker who owns it would make it: any entries, any
    index, valid hashes, key check and seal; only the zip layer is the standard library's."""
    kdf = crypto.KdfSpec.new(FAST_COST)
    key = crypto.derive_key(password, kdf)
    contents = {
        "resources": index,
        "entries": {name: hashlib.sha256(data).hexdigest() for name, data in entries.items()},
    }
    index_bytes = canonical_json(contents)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "source": {"url": "https://octopus.example.com", "version": "2021.2.4488", "space": "Default"},
        "projects": [],
        "counts": dict(Counter(item["kind"] for item in index)) if counts is None else counts,
        "kdf": kdf.to_manifest(),
        "key_check": crypto.key_check(key),
        "index_sha256": hashlib.sha256(index_bytes).hexdigest(),
    }
    manifest_bytes = manifest_json(manifest)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.writestr("index.json", index_bytes)
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("secrets.enc", crypto.seal(key, secrets, manifest_bytes, kdf), zipfile.ZIP_STORED)
    return path


def resource_entries(
    documents: list[tuple[str, str, str, bytes]],
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """Entries and index lines for (kind, id, index name, document bytes)."""
    entries: dict[str, bytes] = {}
    index: list[dict[str, str]] = []
    for kind, source_id, name, data in documents:
        path = f"resources/{kind}/{source_id}.json"
        entries[path] = data
        index.append({"kind": kind, "id": source_id, "name": name, "path": path})
    return entries, index


def json_bomb(path: Path, count: int = 2400) -> Path:
    """~600 KB of 64 KiB entries like {"a":[{},{},...]}: ~160 MB of JSON, ~50 million objects."""
    body = b'{"a":[' + b"{}," * ((ENTRY_BYTES - 9) // 3) + b"{}]}"
    documents = [("Environment", f"Environments-{i}", f"E{i}", body) for i in range(count)]
    return raw_bundle(path, *resource_entries(documents))


def zero_logos(path: Path, count: int = 16_350) -> Path:
    """~3 MB of 64 KiB zero-filled entries, each just under the per-entry ratio floor: 1.07 GB decoded."""
    zero = bytes(ENTRY_BYTES)
    return raw_bundle(path, {f"logos/Projects-{i}.png": zero for i in range(count)}, [])


def manifest_bomb(path: Path, size: int = 32 * 1024 * 1024) -> Path:
    """A ~180 KB manifest.json of 32 MB: ~11 million objects, parsed before any password is asked. Random
    text keeps the entry's own compression ratio under 200:1."""
    noise = os.urandom(150_000).hex()
    head = b'{"format":"octodesk-bundle","format_version":2,"noise":"' + noise.encode() + b'","pad":['
    body = head + b"{}," * ((size - len(head) - 4) // 3) + b"{}]}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", body)
    return path


def central_directory_bomb(path: Path, count: int = 2_000_000) -> Path:
    """Only a central directory: ``count`` empty records and a zip64 end record."""
    records = b"".join(
        struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0x21, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0
        )
        + b"%07d" % i
        for i in range(count)
    )
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(records), 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(records), 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(records + end64 + locator + end)
    return path


def value_budget_bomb(path: Path, count: int = 110) -> Path:
    """Within the size ratio (a 200 KB random logo pads the file) but past the JSON value budget: 64 KiB
    entries of ~22,000 {} objects (~44,000 by the reader's count, which counts each at its "{" and its ","):
    the reader stops at the budget, having parsed ~2 million objects."""
    body = b'{"a":[' + b"{}," * ((ENTRY_BYTES - 9) // 3) + b"{}]}"
    project = {
        "Id": "Projects-1",
        "Name": "P",
        "ProjectGroupId": "ProjectGroups-1",
        "LifecycleId": "Lifecycles-1",
        "DeploymentProcessId": "deploymentprocess-Projects-1",
        "VariableSetId": "variableset-Projects-1",
    }
    documents = [("Project", "Projects-1", "P", canonical_json(project))]
    documents += [("Environment", f"Environments-{i}", f"E{i}", body) for i in range(count)]
    entries, index = resource_entries(documents)
    return raw_bundle(path, {"logos/Projects-1.png": os.urandom(200_000), **entries}, index)


BOMBS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "JSON objects in 64 KiB entries": (json_bomb, "read_bundle"),
    "64 KiB zero entries": (zero_logos, "read_bundle"),
    "manifest before the password": (manifest_bomb, "read_manifest"),
    "2M-entry central directory": (central_directory_bomb, "read_manifest"),
    "JSON objects within the ratio": (value_budget_bomb, "read_bundle"),
}


def read_in_child(path: Path, how: str) -> dict[str, Any]:
    """Read ``path`` in a fresh process (address space capped at 4 GB): outcome, seconds, peak RSS."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.hostile_bundles", "--child", how, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [_root(), os.environ.get("PYTHONPATH")])),
        },
    )
    lines = completed.stdout.strip().splitlines()
    if not lines:
        return {"outcome": f"exit {completed.returncode}: {completed.stderr[-200:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _child(how: str, path: str) -> None:
    import resource

    from octodesk.core.bundle import read_bundle, read_manifest

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    started = time.perf_counter()
    try:
        if how == "read_bundle":
            read_bundle(path, PASSWORD)
        else:
            read_manifest(path)
        outcome = "accepted"
    except MemoryError:
        outcome = "MemoryError"
    except Exception as error:  # what the reader said, whatever it is
        outcome = f"{type(error).__name__}: {str(error).replace(path, 'BUNDLE')}"
    seconds = round(time.perf_counter() - started, 2)
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_rss_mb": round(_own_peak_rss_mb())}))


def _own_peak_rss_mb() -> float:
    """This process's own peak RSS: Linux carries ru_maxrss across fork and exec (the parent built a
    100 MB bomb), VmHWM belongs to this process's memory map alone."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        from benchmarks.memory import peak_rss_mb

        return peak_rss_mb()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile_bundles", description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("HOW", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    from octodesk.core.bundle import format as budgets

    print("Hostile bundles: each read in a child process (peak RSS is the reader's own)")
    print(
        f"budgets: file {budgets.MAX_FILE_BYTES >> 20} MiB, {budgets.MAX_ENTRIES} entries, central directory "
        f"{budgets.MAX_CENTRAL_DIRECTORY_BYTES >> 20} MiB, manifest {budgets.MAX_MANIFEST_BYTES >> 10} KiB, "
        f"decoded {budgets.MAX_BUNDLE_RATIO}x the file "
        f"(at least {budgets.BUNDLE_RATIO_FLOOR_BYTES >> 20} MiB), "
        f"{budgets.MAX_JSON_VALUES_PER_ENTRY} JSON values an entry, {budgets.MAX_JSON_VALUES_TOTAL} in all"
    )
    with tempfile.TemporaryDirectory(prefix="octodesk-hostile-") as folder:
        for label, (build, how) in BOMBS.items():
            path = build(Path(folder) / "bomb.octobundle")
            size_kb = path.stat().st_size // 1024
            result = read_in_child(path, how)
            path.unlink()
            print(
                f"  {label:<32} {size_kb:>7} KB  {result.get('seconds', '?'):>6} s  "
                f"{result.get('peak_rss_mb', '?'):>5} MB  {result['outcome'][:120]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
