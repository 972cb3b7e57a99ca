"""Watching an Octopus server task to its end: poll, report progress and log lines, cancel on request.

States are Octopus's ``TaskState`` (OctopusClients Model/TaskState.cs): Queued, Executing, Cancelling are
active; Success, Failed, Canceled (one l), TimedOut are final. The task is polled with
``GET /api/{spaceId}/tasks/{id}`` (as Octopus's own ExportImportProjects.ps1 does); the last lines of its log
come from ``tasks/{id}/details?tail=`` only when the task says it changed. Polls start fast and back off
to a few seconds (OctopusClients' WaitForCompletion polls every 4 s). A cancel from the user is sent with
``POST tasks/{id}/cancel`` and the task is then watched until the server says it stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import (
    Cancelled,
    OctoDeskError,
    ServerFailure,
    ServerTaskCanceled,
    ServerTaskError,
    ServerTaskFailed,
    ServerTaskTimedOut,
)
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.progress import Progress, ProgressCallback, no_progress

log = logging.getLogger(__name__)

QUEUED, EXECUTING, CANCELLING = "Queued", "Executing", "Cancelling"
SUCCESS, FAILED, CANCELED, TIMED_OUT = "Success", "Failed", "Canceled", "TimedOut"
ACTIVE_STATES = frozenset({QUEUED, EXECUTING, CANCELLING})
FINAL_STATES = frozenset({SUCCESS, FAILED, CANCELED, TIMED_OUT})
LOG_TAIL = 20  # lines asked for per activity node; the last of them are shown
SHOWN_LINES = 12
CANCEL_GRACE_SECONDS = 120.0  # how long a cancelled task is watched before we stop waiting for it


@dataclass(frozen=True)
class PollSettings:
    """How often a task is polled: ``first`` seconds, then times ``factor`` per poll up to ``maximum``."""

    first: float = 1.0
    factor: float = 1.5
    maximum: float = 5.0

    def delays(self) -> Callable[[], float]:
        current = [self.first]

        def next_delay() -> float:
            delay = current[0]
            current[0] = min(self.maximum, max(delay * self.factor, self.first))
            return delay

        return next_delay


@dataclass(frozen=True)
class ServerTask:
    """What OctoDesk reads from a TaskResource."""

    id: str
    state: str
    description: str = ""
    error_message: str = ""
    duration: str = ""
    has_warnings: bool = False
    last_updated: str = ""
    started: bool = False

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @classmethod
    def from_resource(cls, document: Any) -> ServerTask:
        if not isinstance(document, dict) or not isinstance(document.get("Id"), str):
            raise ServerFailure("The server answered a task request without a task document.")
        state = str(document.get("State") or "")
        if state not in ACTIVE_STATES | FINAL_STATES:
            raise ServerFailure(f"Task {document['Id']} is in a state OctoDesk does not know: '{state}'.")
        return cls(
            id=document["Id"],
            state=state,
            description=str(document.get("Description") or ""),
            error_message=str(document.get("ErrorMessage") or ""),
            duration=str(document.get("Duration") or ""),
            has_warnings=bool(document.get("HasWarningsOrErrors")),
            last_updated=str(document.get("LastUpdatedTime") or document.get("LastModifiedOn") or ""),
            started=bool(document.get("StartTime")),
        )


@dataclass(frozen=True)
class TaskProgress(Progress):
    """Progress of a server task: its state, and the last lines of its log."""

    task_id: str = ""
    state: str = ""
    duration: str = ""
    log_lines: tuple[str, ...] = field(default=())


@dataclass
class TaskOutcome:
    """A task that ended in Success, with what the watch cost. ``cancelled_late``: the user cancelled but
    the task finished first, so its result stands and the caller stops before its next step."""

    task: ServerTask
    log_lines: tuple[str, ...]
    polls: int
    cancelled_late: bool = False


def task_path(space_id: str, task_id: str, suffix: str = "") -> str:
    return f"/api/{space_id}/tasks/{task_id}{suffix}"


def read_task(client: OctopusClient, space_id: str, task_id: str) -> ServerTask:
    return ServerTask.from_resource(client.get(task_path(space_id, task_id)))


def log_tail(client: OctopusClient, space_id: str, task_id: str) -> tuple[str, ...]:
    """The last lines of the task's activity log, each prefixed with its phase."""
    details = client.get(task_path(space_id, task_id, "/details"), {"tail": LOG_TAIL, "verbose": "false"})
    return tuple(line for _, line in _log_lines(details)[-SHOWN_LINES:])


def task_warnings(client: OctopusClient, space_id: str, task_id: str) -> list[str]:
    """Every warning and error line of the task's whole log."""
    details = client.get(task_path(space_id, task_id, "/details"), {"verbose": "false"})
    return [line for category, line in _log_lines(details) if category in ("Warning", "Error", "Fatal")]


def _log_lines(details: Any) -> list[tuple[str, str]]:
    """(category, "phase: message") for every line of a TaskDetailsResource's activity logs, in order."""
    lines: list[tuple[str, str]] = []

    def walk(node: Any, phase: str) -> None:
        if not isinstance(node, dict):
            return
        name = str(node.get("Name") or phase)
        for element in node.get("LogElements") or []:
            if isinstance(element, dict) and element.get("MessageText"):
                category = str(element.get("Category") or "Info")
                prefix = "" if category == "Info" else f"{category}: "
                lines.append((category, f"{name}: {prefix}{element['MessageText']}"))
        for child in node.get("Children") or []:
            walk(child, name)

    roots = details.get("ActivityLogs") if isinstance(details, dict) else None
    for root in roots if isinstance(roots, list) else []:
        walk(root, "")
    return lines


class TaskWatcher:
    """Polls one task until it ends. ``client`` sends the task's requests and must not be bound to
    ``cancel``: after the user cancels, the cancel itself and the polls that follow still have to go out."""

    def __init__(
        self,
        client: OctopusClient,
        space_id: str,
        task_id: str,
        *,
        what: str,
        poll: PollSettings | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.client = client
        self.space_id = space_id
        self.task_id = task_id
        self.what = what
        self.poll = poll or PollSettings()
        self.progress = progress or no_progress
        self.cancel = cancel or CancelToken()
        self.lines: tuple[str, ...] = ()
        self.polls = 0
        self._seen_update = ""

    def wait(self) -> TaskOutcome:
        """The task once it succeeded. Failed, Canceled and TimedOut tasks raise their typed error. A cancel
        by the user cancels the task on the server and raises Cancelled once it stopped; a task that finished
        before the cancel reached it is returned with ``cancelled_late`` set."""
        next_delay = self.poll.delays()
        try:
            while True:
                task = self._poll()
                if task.is_final:
                    return self._finish(task)
                if self.cancel.wait(next_delay()):
                    return self._cancel()
        except KeyboardInterrupt:  # Ctrl+C on the command line: cancel the task too, then stop
            self.cancel.cancel()
            self._cancel()
            raise

    def _poll(self) -> ServerTask:
        task = read_task(self.client, self.space_id, self.task_id)
        self.polls += 1
        if task.last_updated != self._seen_update or not task.last_updated:
            self._seen_update = task.last_updated
            if self.progress is not no_progress:  # the log is for the user to watch
                self.lines = log_tail(self.client, self.space_id, self.task_id)
        self._report(task)
        return task

    def _report(self, task: ServerTask, message: str = "") -> None:
        when = f", {task.duration}" if task.duration else ""
        self.progress(
            TaskProgress(
                "task",
                "ServerTask",
                task.id,
                message=message or f"{self.what}: {_state_text(task.state)}{when}",
                task_id=task.id,
                state=task.state,
                duration=task.duration,
                log_lines=self.lines,
            )
        )

    def _finish(self, task: ServerTask) -> TaskOutcome:
        if task.state == SUCCESS:
            return TaskOutcome(task, self.lines, self.polls)
        reason = task.error_message or "the server gave no reason"
        error: type[ServerTaskError] = {
            FAILED: ServerTaskFailed,
            CANCELED: ServerTaskCanceled,
            TIMED_OUT: ServerTaskTimedOut,
        }[task.state]
        verb = {FAILED: "failed", CANCELED: "was canceled on the server", TIMED_OUT: "timed out"}[task.state]
        raise error(
            f"{self.what} ({task.id}) {verb}: {reason}",
            task_id=task.id,
            state=task.state,
            server_message=task.error_message,
        )

    def _cancel(self) -> TaskOutcome:
        task = self.stop()
        if task.state == SUCCESS:
            return TaskOutcome(task, self.lines, self.polls, cancelled_late=True)
        if not task.is_final:
            state = _state_text(task.state)
            raise Cancelled(f"Cancelled. {self.what} ({task.id}) was asked to stop and is still {state}.")
        raise Cancelled(f"Cancelled: {self.what} ({task.id}) was canceled on the server.")

    def stop(self) -> ServerTask:
        """Ask the server to cancel the task, then watch it until it stopped (or finished after all)."""
        task = cancel_task(self.client, self.space_id, self.task_id)
        self._report(task, f"{self.what}: cancelling ({_state_text(task.state)})")
        waited = 0.0
        next_delay = self.poll.delays()
        while not task.is_final and waited < CANCEL_GRACE_SECONDS:
            delay = next_delay()
            time.sleep(delay)  # the user already cancelled: the token would no longer make anyone wait
            waited += delay
            task = self._poll()
        return task


def cancel_task(client: OctopusClient, space_id: str, task_id: str) -> ServerTask:
    """``POST tasks/{id}/cancel``; the answer is the task as it now is."""
    try:
        return ServerTask.from_resource(client.post(task_path(space_id, task_id, "/cancel"), None))
    except OctoDeskError as error:
        log.warning("Could not cancel task %s: %s", task_id, error)
        return read_task(client, space_id, task_id)


def _state_text(state: str) -> str:
    return {
        QUEUED: "queued",
        EXECUTING: "running",
        CANCELLING: "cancelling",
        SUCCESS: "finished",
        FAILED: "failed",
        CANCELED: "canceled",
        TIMED_OUT: "timed out",
    }.get(state, state)
