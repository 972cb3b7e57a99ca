"""Run ``octodesk`` commands as child processes (from source or a frozen build) and talk to them.

Shared by the secrets tests and the frozen-build smoke test: both start ``octodesk sandbox`` the way a user
would and read the URL and API key it prints.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_COMMAND = [sys.executable, "-m", "octodesk"]
URL_PATTERN = re.compile(r"https?://[\w.\-\[\]:]+(?::\d+)?")
KEY_PATTERN = re.compile(r"api[\s_-]?key\W*\s*[:=]?\s*(\S+)", re.IGNORECASE)
START_TIMEOUT = 90.0


def child_env(extra: dict[str, str] | None = None, drop: Sequence[str] = ()) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra or {})
    return env


@dataclass
class ChildProcess:
    """A running ``octodesk`` child whose stdout and stderr are read on background threads."""

    process: subprocess.Popen[str]
    stdout_lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen_stdout: list[str] = field(default_factory=list)
    stderr_chunks: list[str] = field(default_factory=list)
    stderr_lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, command: Sequence[str], *, env: dict[str, str], cwd: Path) -> ChildProcess:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        child = cls(process)
        threading.Thread(target=child._pump_stdout, daemon=True).start()
        threading.Thread(target=child._pump_stderr, daemon=True).start()
        return child

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout_lines.put(line.rstrip("\n"))
        self.stdout_lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_chunks.append(line)
            self.stderr_lines.put(line.rstrip("\n"))
        self.stderr_lines.put(None)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stdout(self) -> str:
        return "\n".join(self.seen_stdout)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_chunks)

    def next_line(self, deadline: float) -> str | None:
        """The next stdout line; None when the child closed stdout or the deadline passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            line = self.stdout_lines.get(timeout=remaining)
        except queue.Empty:
            return None
        if line is not None:
            self.seen_stdout.append(line)
        return line

    def wait_for_stderr(self, pattern: str, timeout: float = START_TIMEOUT) -> str:
        """Block until a stderr line matches ``pattern`` (a regex); fail with the output if it never does."""
        deadline = time.monotonic() + timeout
        wanted = re.compile(pattern)
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self.stderr_lines.get(timeout=max(remaining, 0.001)) if remaining > 0 else None
            except queue.Empty:
                line = None
            if line is None:
                self.kill()
                raise AssertionError(
                    f"no stderr line matched {pattern!r} (exit {self.process.poll()}):\n{self.stderr[-5000:]}"
                )
            if wanted.search(line):
                return line

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a session manager sends at logout, then wait for the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"pid {self.pid} ignored SIGTERM for {timeout} s") from None

    def interrupt(self, timeout: float = 60.0) -> int:
        """Ctrl+C, then wait for the exit status (killed, and an error raised, if it does not stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"pid {self.pid} ignored Ctrl+C for {timeout} s") from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class SandboxProcess:
    child: ChildProcess
    url: str
    api_key: str


def start_sandbox(
    command_prefix: Sequence[str],
    *options: str,
    env: dict[str, str],
    cwd: Path,
    timeout: float = START_TIMEOUT,
) -> SandboxProcess:
    """``octodesk sandbox --port 0 ...``; returns once it has printed the URL and the API key it serves."""
    child = ChildProcess.start([*command_prefix, "sandbox", "--port", "0", *options], env=env, cwd=cwd)
    deadline = time.monotonic() + timeout
    url = api_key = ""
    while not (url and api_key):
        line = child.next_line(deadline)
        if line is None:
            child.kill()
            raise AssertionError(
                "octodesk sandbox did not print its URL and API key "
                f"(exit {child.process.poll()}):\nstdout:\n{child.stdout}\nstderr:\n{child.stderr}"
            )
        url_match = URL_PATTERN.search(line)
        if url_match and not url:
            url = url_match.group(0).rstrip("/.,;")
        key_match = KEY_PATTERN.search(line)
        if key_match and not api_key:
            api_key = key_match.group(1).strip("'\".,;")
    return SandboxProcess(child, url, api_key)


def run(
    command: Sequence[str], *, env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
