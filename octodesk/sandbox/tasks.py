"""Server tasks: queued, run on a background thread with an activity log, cancellable, with artifacts.

A task's work is a function of a ``TaskRun``: it opens phases, logs lines and attaches artifacts. Every phase
lasts a few periods of the sandbox's injected latency, so with latency a client can watch the task sit in
Queued and Executing, poll it and cancel it; without latency tasks finish almost at once (still on their own
thread, so a client must poll). States follow ``TaskState`` (OctopusClients Model/TaskState.cs); TimedOut is
never reached, the sandbox has no queue expiry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .store import Document, Store, now_iso

QUEUED, EXECUTING, CANCELLING = "Queued", "Executing", "Cancelling"
SUCCESS, FAILED, CANCELED = "Success", "Failed", "Canceled"
ACTIVE_STATES = frozenset({QUEUED, EXECUTING, CANCELLING})

PERIODS_QUEUED = 3  # latency periods a new task waits in Queued
PERIODS_PER_PHASE = 3  # latency periods each phase of the work lasts
NODE_TASK_LIMIT = 5  # tasks executing at once (the license's EffectiveNodeTaskLimit)
FORCED_FAILURE = "The task failed: the sandbox was told to fail the next task."
CANCELED_MESSAGE = "The task was canceled."


class TaskFailed(Exception):
    """Ends the task as Failed; the message becomes the task's ErrorMessage."""


class _Canceled(Exception):
    pass


@dataclass
class LogNode:
    """One ActivityLogTreeNode: a phase with its log lines."""

    id: str
    name: str
    started: str | None = None
    ended: str | None = None
    status: str = "Pending"
    elements: list[Document] = field(default_factory=list)
    children: list[LogNode] = field(default_factory=list)


@dataclass
class Task:
    id: str
    space_id: str
    name: str
    description: str
    arguments: Document
    queue_time: str
    root: LogNode
    state: str = QUEUED
    start_time: str | None = None
    completed_time: str | None = None
    last_updated: str | None = None
    error_message: str = ""
    has_warnings_or_errors: bool = False
    committed: bool = False  # past the point of no return: a cancel now comes too late
    forced_failure: str | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    @property
    def is_completed(self) -> bool:
        return self.state not in ACTIVE_STATES


@dataclass
class Artifact:
    doc: Document
    data: bytes


class TaskRun:
    """What a task's work sees: phases, log lines, artifacts, and the cancel check between phases."""

    def __init__(self, engine: TaskEngine, task: Task) -> None:
        self._engine = engine
        self.task = task
        self._phase: LogNode | None = None

    def phase(self, name: str) -> None:
        """Close the current phase and open the next, after waiting its share of latency; a cancel
        requested meanwhile ends the task here."""
        self._engine.pace(self.task, PERIODS_PER_PHASE)
        with self._engine.lock:
            self.close_phase("Success")
            node = LogNode(f"{self.task.id}_{len(self.task.root.children) + 1}", name, now_iso())
            node.status = "Running"
            self.task.root.children.append(node)
            self._phase = node

    def info(self, message: str) -> None:
        self.log("Info", message)

    def verbose(self, message: str) -> None:
        self.log("Verbose", message)

    def warn(self, message: str) -> None:
        self.log("Warning", message)
        self.task.has_warnings_or_errors = True

    def commit(self) -> None:
        """From here on the work's effects are written: a late cancel no longer stops the task."""
        self.task.committed = True

    def attach(self, filename: str, data: bytes) -> Document:
        artifact = self._engine.add_artifact(self.task, filename, data)
        self.info(f"Attached the artifact {filename} ({len(data)} bytes).")
        return artifact

    def log(self, category: str, message: str) -> None:
        with self._engine.lock:
            node = self._phase or self.task.root
            node.elements.append({"Category": category, "OccurredAt": now_iso(), "MessageText": message})
            self.task.last_updated = now_iso()

    def close_phase(self, status: str) -> None:
        if self._phase is not None and self._phase.ended is None:
            self._phase.ended = now_iso()
            self._phase.status = status


Work = Callable[[TaskRun], None]


class TaskEngine:
    """Every task and artifact of one sandbox. ``latency`` is the injected latency in seconds, read live."""

    def __init__(self, store: Store, latency: Callable[[], float] = lambda: 0.0) -> None:
        self.store = store
        self.latency = latency
        self.lock = threading.RLock()
        self.tasks: dict[str, Task] = {}
        self.artifacts: dict[str, Artifact] = {}
        self.import_files: dict[str, dict[str, bytes]] = {}  # space id -> file name -> bytes
        self._forced: list[str] = []
        self._slots = threading.Semaphore(NODE_TASK_LIMIT)
        self._stopping = threading.Event()

    # queueing -------------------------------------------------------------------------------------
    def queue(self, space_id: str, name: str, description: str, arguments: Document, work: Work) -> Task:
        task_id = self.store.new_id("ServerTasks")
        with self.lock:
            task = Task(
                id=task_id,
                space_id=space_id,
                name=name,
                description=description,
                arguments=arguments,
                queue_time=now_iso(),
                root=LogNode(task_id, description),
                forced_failure=self._forced.pop(0) if self._forced else None,
            )
            task.last_updated = task.queue_time
            self.tasks[task_id] = task
        threading.Thread(target=self._run, args=(task, work), name=f"sandbox-{task_id}", daemon=True).start()
        return task

    def fail_next(self, message: str = FORCED_FAILURE) -> None:
        """The next task queued fails at its first phase with ``message`` (a test hook)."""
        with self.lock:
            self._forced.append(message)

    def get(self, task_id: str) -> Task | None:
        with self.lock:
            return self.tasks.get(task_id)

    def cancel(self, task: Task) -> None:
        """Queued: canceled at once. Executing: Cancelling until the work reaches its next phase."""
        with self.lock:
            if task.state == QUEUED:
                self._finish(task, CANCELED)
            elif task.state == EXECUTING and not task.committed:
                task.state = CANCELLING
                task.last_updated = now_iso()
            else:
                return
            task.cancel_requested.set()

    def shutdown(self) -> None:
        """Running tasks stop at their next phase (the server is going away)."""
        self._stopping.set()
        with self.lock:
            for task in self.tasks.values():
                task.cancel_requested.set()

    # artifacts ------------------------------------------------------------------------------------
    def add_artifact(self, task: Task, filename: str, data: bytes) -> Document:
        artifact_id = self.store.new_id("Artifacts")
        doc = {
            "Id": artifact_id,
            "SpaceId": task.space_id,
            "Filename": filename,
            "Source": "Octopus Server",
            "ServerTaskId": task.id,
            "Created": now_iso(),
            "LogCorrelationId": task.root.children[-1].id if task.root.children else task.id,
            "LastModifiedOn": now_iso(),
            "LastModifiedBy": "sandbox-user",
        }
        with self.lock:
            self.artifacts[artifact_id] = Artifact(doc, data)
        return doc

    def artifacts_of_task(self, space_id: str, task_id: str) -> list[Artifact]:
        with self.lock:
            return [
                a
                for a in self.artifacts.values()
                if a.doc["SpaceId"] == space_id and a.doc["ServerTaskId"] == task_id
            ]

    # running --------------------------------------------------------------------------------------
    def pace(self, task: Task, periods: int) -> None:
        """Wait ``periods`` latency periods; raise _Canceled if a cancel (or shutdown) comes first."""
        if task.cancel_requested.is_set() and not task.committed:
            raise _Canceled
        wait = self.latency() * periods
        if wait > 0 and task.cancel_requested.wait(wait) and not task.committed:
            raise _Canceled

    def _run(self, task: Task, work: Work) -> None:
        try:
            self.pace(task, PERIODS_QUEUED)
        except _Canceled:
            return  # canceled while queued: cancel() already finished it
        with self._slots:
            with self.lock:
                if task.state != QUEUED:
                    return
                task.state, task.start_time = EXECUTING, now_iso()
                task.root.started, task.root.status = task.start_time, "Running"
            run = TaskRun(self, task)
            self._execute(task, run, work)

    def _execute(self, task: Task, run: TaskRun, work: Work) -> None:
        try:
            if task.forced_failure is not None:
                run.phase("Starting")
                raise TaskFailed(task.forced_failure)
            work(run)
            self.pace(task, PERIODS_PER_PHASE)
            outcome, message = SUCCESS, ""
        except _Canceled:
            outcome, message = CANCELED, CANCELED_MESSAGE
        except TaskFailed as failure:
            outcome, message = FAILED, str(failure)
        except Exception as error:  # a sandbox bug: the task fails the way a server's would, with the reason
            outcome, message = FAILED, f"{type(error).__name__}: {error}"
        if outcome == CANCELED:
            run.info("Cancellation was requested; stopping.")
            with self.lock:
                task.state = CANCELLING
            self._stopping.wait(self.latency())  # the Cancelling state lasts one period
        elif outcome == FAILED:
            run.log("Error", message)
        with self.lock:
            run.close_phase(outcome)  # ActivityStatus spells these as TaskState does
            task.error_message = message
            task.has_warnings_or_errors = task.has_warnings_or_errors or outcome != SUCCESS
            self._finish(task, outcome)

    def _finish(self, task: Task, state: str) -> None:
        task.state = state
        task.completed_time = task.last_updated = now_iso()
        task.root.ended = task.completed_time
        task.root.status = state
        if state == CANCELED:
            task.error_message = CANCELED_MESSAGE
