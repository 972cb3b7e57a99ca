"""Each benchmark scenario runs in a child process of its own, so its peak memory (RSS) is its alone.

The sandbox servers stay in the parent (their request logs and counters are read there); the child gets the
server's URL and its API key through the environment (never the command line), runs one function of a
``benchmarks`` module with JSON parameters read from stdin, and prints a JSON result that includes the
child's peak RSS in MB.

Child entry point: ``python -m benchmarks.memory MODULE:FUNCTION`` (used only by :func:`run_child`).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from octodesk.core.errors import OctoDeskError

API_KEY_ENV = "OCTODESK_BENCH_API_KEY"
CHILD_TIMEOUT_S = 1800
_ALLOWED_MODULES = ("benchmarks.common", "benchmarks.import_bench", "benchmarks.gui_stall")
_ALLOWED_MODULES += ("benchmarks.package_bench", "benchmarks.package_bundle_bench")


class BenchmarkFailed(RuntimeError):
    """A scenario did not complete; the message says which one and the child's last words."""


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def api_key_from_env() -> str:
    key = os.environ.get(API_KEY_ENV)
    if not key:
        raise BenchmarkFailed(
            f"{API_KEY_ENV} is not set: scenarios are started by benchmarks.memory.run_child"
        )
    return key


def run_child(function: str, params: dict[str, Any], api_key: str) -> dict[str, Any]:
    """Run ``module:function`` (one of the benchmark modules) in a fresh Python process; its JSON result.

    The child's config, data, log and journal folders are a throw-away temp folder, so a benchmark import
    never finds the journal of an earlier run and nothing lands in the user's own folders.
    """
    with tempfile.TemporaryDirectory(prefix="octodesk-bench-") as home:
        env = {
            **os.environ,
            API_KEY_ENV: api_key,
            "OCTODESK_CONFIG_DIR": str(Path(home, "config")),
            "OCTODESK_DATA_DIR": str(Path(home, "data")),
            "OCTODESK_LOG_DIR": str(Path(home, "log")),
            "OCTODESK_JOURNAL_DIR": str(Path(home, "journals")),
            "PYTHONPATH": os.pathsep.join(filter(None, [_repository_root(), os.environ.get("PYTHONPATH")])),
        }
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", function],
            input=json.dumps(params),
            capture_output=True,
            text=True,
            env=env,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    lines = completed.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    if completed.returncode != 0:
        problem = f"{function} exited with {completed.returncode}: {_last_words(completed.stderr)}"
        if not result:
            raise BenchmarkFailed(problem)
        # The figures were complete before the process died on its way out: keep them, say so.
        result["exit_problem"] = problem
    if not result:
        raise BenchmarkFailed(f"{function} printed no result: {_last_words(completed.stderr)}")
    return result


def _last_words(stderr: str) -> str:
    """The line that says why a child failed: a fatal error if there was one, else its last real line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not _is_qt_noise(line)]
    fatal = [line for line in lines if line.startswith("Fatal Python error")]
    return (fatal or lines or ["(nothing on stderr)"])[-1]


def _is_qt_noise(line: str) -> bool:
    return "This plugin does not support" in line


def _repository_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def _resolve(function: str) -> Callable[..., dict[str, Any]]:
    module_name, _, name = function.partition(":")
    if module_name not in _ALLOWED_MODULES or not name or name.startswith("_"):
        raise BenchmarkFailed(f"Not a benchmark scenario: {function}")
    target = getattr(importlib.import_module(module_name), name, None)
    if not callable(target):
        raise BenchmarkFailed(f"No scenario {name} in {module_name}")
    return target


def child_main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m benchmarks.memory MODULE:FUNCTION  (JSON parameters on stdin)", file=sys.stderr
        )
        return 2
    scenario = _resolve(argv[0])
    params = json.loads(sys.stdin.read() or "{}")
    try:
        result = scenario(**params)
    except (BenchmarkFailed, OctoDeskError) as error:  # anything else is a bug: let its traceback show
        print(f"{argv[0]}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
