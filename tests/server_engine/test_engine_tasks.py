"""Server tasks as OctoDesk drives them: failures become typed errors with the task's own message, a cancel
reaches the task on the server, polling backs off and every request is counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_support import FAST, PASSWORD, TWO_PROJECTS, client_for, names, server_export, server_import

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ServerTaskFailed, ServerTaskTimedOut
from octodesk.core.progress import Progress
from octodesk.core.server_engine import (
    PollSettings,
    TaskProgress,
    apply_server_import,
    export_with_server,
    plan_server_import,
)
from octodesk.core.server_engine.tasks import TaskWatcher


def test_a_failed_export_task_is_a_typed_error_with_the_servers_message(source: Any, tmp_path: Path) -> None:
    source.fail_next_task("The export ran out of disk space.")
    with pytest.raises(ServerTaskFailed) as failed:
        server_export(source, tmp_path / "x.octobundle")
    assert failed.value.server_message == "The export ran out of disk space."
    assert "failed: The export ran out of disk space." in str(failed.value)
    assert failed.value.state == "Failed" and failed.value.task_id.startswith("ServerTasks-")
    assert list(tmp_path.iterdir()) == []  # no bundle, no partial file


def test_a_failed_import_task_fails_the_import_and_the_next_run_starts_over(
    source: Any, target: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "server.octobundle"
    server_export(source, bundle)
    target.fail_next_task("The database is read-only.")
    with pytest.raises(ServerTaskFailed) as failed:
        server_import(target, bundle)
    assert "The database is read-only." in str(failed.value)
    assert names(target, "projects") == []

    report = server_import(target, bundle)

    assert report.succeeded and names(target, "projects") == sorted(TWO_PROJECTS)
    assert len(target.tasks.tasks) == 2  # the failed import and this one


def _cancel_when(token: CancelToken, state: str, seen: list[Progress]) -> Any:
    def progress(p: Progress) -> None:
        seen.append(p)
        if isinstance(p, TaskProgress) and p.state == state:
            token.cancel()

    return progress


def test_cancel_mid_task_cancels_the_import_task_on_the_server(
    source: Any, target: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "server.octobundle"
    server_export(source, bundle)
    target.set_faults(latency_ms=100)  # each task phase now lasts 0.3 s
    token, seen = CancelToken(), []
    with client_for(target, cancel=token) as client, client_for(target) as control:
        plan = plan_server_import(bundle, PASSWORD, client, "Default", control=control)
        with pytest.raises(Cancelled):
            apply_server_import(
                plan,
                client,
                control=control,
                poll=FAST,
                progress=_cancel_when(token, "Executing", seen),
                cancel=token,
            )
    (task,) = target.tasks.tasks.values()
    assert task.state == "Canceled"
    assert [p.state for p in seen if isinstance(p, TaskProgress)][-1] == "Canceled"
    assert names(target, "projects") == []
    target.set_faults(latency_ms=0)
    assert server_import(target, bundle).succeeded  # the next run starts over


def test_cancel_while_reading_cancels_the_running_export_task(source: Any, tmp_path: Path) -> None:
    source.set_faults(latency_ms=20)
    token = CancelToken()

    def progress(p: Progress) -> None:
        if p.phase == "read" and p.kind == "Environment":
            token.cancel()

    with (
        client_for(source, cancel=token) as client,
        client_for(source) as control,
        pytest.raises(Cancelled),
    ):
        export_with_server(
            client,
            "Default",
            TWO_PROJECTS,
            tmp_path / "x.octobundle",
            PASSWORD,
            control=control,
            poll=FAST,
            progress=progress,
            cancel=token,
        )
    (task,) = source.tasks.tasks.values()
    assert task.state == "Canceled"
    assert list(tmp_path.iterdir()) == []


def test_every_request_is_counted_polls_included(source: Any, tmp_path: Path) -> None:
    source.reset_counters()
    report = server_export(source, tmp_path / "x.octobundle")
    assert report.http_requests == source.request_count
    polls = [path for method, path in source.request_log if "/tasks/" in path and method == "GET"]
    assert report.details["server_task"]["polls"] == len(
        [p for p in polls if not p.split("?")[0].endswith("details")]
    )


def test_polls_back_off_to_the_maximum() -> None:
    delays = PollSettings().delays()
    assert [round(delays(), 3) for _ in range(6)] == [1.0, 1.5, 2.25, 3.375, 5.0, 5.0]


class _TimedOutTask:
    """Answers every task read with a task that timed out in the queue (the sandbox never does)."""

    def get(self, path: str, params: Any = None) -> dict[str, Any]:
        return {"Id": "ServerTasks-9", "State": "TimedOut", "ErrorMessage": "The task expired in the queue."}


def test_a_timed_out_task_is_a_typed_error_with_its_message() -> None:
    watcher = TaskWatcher(_TimedOutTask(), "Spaces-1", "ServerTasks-9", what="the export", poll=FAST)
    with pytest.raises(ServerTaskTimedOut) as timed_out:
        watcher.wait()
    assert str(timed_out.value) == "the export (ServerTasks-9) timed out: The task expired in the queue."
