"""Server task routes: the task (TaskResource), its details with the activity log, its raw log, cancel.

Shapes: 2021.2 Swagger TaskResource / TaskDetailsResource / ActivityLogTreeNode; links as a real server sends
them (``resource-collection-tasks-2017.json``), without those the sandbox does not serve (Rerun,
QueuedBehind, Interruptions).
"""

from __future__ import annotations

from datetime import datetime

from ..errors import ApiError, not_found
from ..http_types import Request, Response
from ..paging import query_int
from ..store import Document, now_iso
from ..tasks import CANCELLING, EXECUTING, QUEUED, LogNode, Task, TaskEngine


def find_task(engine: TaskEngine, task_id: str, space_id: str | None) -> Task:
    """The task; through a space's route only when it belongs to that space."""
    task = engine.get(task_id)
    if task is None or (space_id is not None and task.space_id != space_id):
        raise not_found(task_id)
    return task


def _duration(task: Task) -> str | None:
    if task.start_time is None:
        return None
    end = datetime.fromisoformat(task.completed_time or now_iso())
    seconds = max(0, round((end - datetime.fromisoformat(task.start_time)).total_seconds()))
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _completed(task: Task) -> str:
    """The human ``Completed`` text: a state while running, the completion time after."""
    if task.state in (QUEUED, EXECUTING, CANCELLING):
        return f"{task.state}..."
    done = datetime.fromisoformat(str(task.completed_time))
    hour = done.hour % 12 or 12
    return f"{done:%A}, {done:%B} {done.day}, {done.year} {hour}:{done:%M} {'AM' if done.hour < 12 else 'PM'}"


def render_task(task: Task) -> Document:
    base = f"/api/tasks/{task.id}"
    return {
        "Id": task.id,
        "SpaceId": task.space_id,
        "Name": task.name,
        "Description": task.description,
        "Arguments": dict(task.arguments),
        "State": task.state,
        "Completed": _completed(task),
        "QueueTime": task.queue_time,
        "QueueTimeExpiry": None,
        "StartTime": task.start_time,
        "LastUpdatedTime": task.last_updated,
        "CompletedTime": task.completed_time,
        "ServerNode": "SANDBOX",
        "Duration": _duration(task),
        "ErrorMessage": task.error_message,
        "HasBeenPickedUpByProcessor": task.start_time is not None,
        "IsCompleted": task.is_completed,
        "FinishedSuccessfully": task.state == "Success",
        "HasPendingInterruptions": False,
        "CanRerun": False,
        "HasWarningsOrErrors": task.has_warnings_or_errors,
        "LastModifiedOn": task.last_updated,
        "LastModifiedBy": "sandbox-user",
        "Links": {
            "Self": base,
            "Web": f"/app#/{task.space_id}/tasks/{task.id}",
            "Raw": f"{base}/raw",
            "Details": f"{base}/details{{?verbose,tail}}",
            "Cancel": f"{base}/cancel",
            "Artifacts": f"/api/{task.space_id}/artifacts?regarding={task.id}",
        },
    }


def _node(node: LogNode, *, verbose: bool, tail: int | None) -> Document:
    elements = [e for e in node.elements if verbose or e["Category"] != "Verbose"]
    if tail is not None:
        elements = elements[-tail:] if tail else []
    return {
        "Id": node.id,
        "Name": node.name,
        "Started": node.started,
        "Ended": node.ended,
        "Status": node.status,
        "Children": [_node(child, verbose=verbose, tail=tail) for child in node.children],
        "ShowAtSummaryLevel": True,
        "LogElements": elements,
        "ProgressPercentage": 100 if node.ended else 0,
        "ProgressMessage": "",
    }


def _flag(request: Request, name: str) -> bool:
    raw = request.query.get(name, "").lower()
    if raw not in ("", "true", "false"):
        raise ApiError(
            400, f"The query parameter '{name}' must be true or false, not '{request.query[name]}'."
        )
    return raw == "true"


def details(engine: TaskEngine, request: Request, task_id: str, space_id: str | None) -> Response:
    """TaskDetailsResource. ``verbose=true`` adds Verbose lines; ``tail=N`` keeps each node's last N lines."""
    tail = query_int(request.query, "tail", -1)
    verbose = _flag(request, "verbose")
    with engine.lock:
        task = find_task(engine, task_id, space_id)
        nodes = [_node(task.root, verbose=verbose, tail=None if tail < 0 else tail)]
        lines = _lines(task.root)
        done = sum(1 for child in task.root.children if child.ended)
        total = max(len(task.root.children), 1)
        return Response(
            200,
            {
                "Id": task.id,
                "Task": render_task(task),
                "ActivityLogs": nodes,
                "Progress": {
                    "ProgressPercentage": 100 if task.is_completed else min(99, 100 * done // total),
                    "EstimatedTimeRemaining": "" if task.is_completed else "a moment",
                },
                "PhysicalLogSize": sum(len(line.encode()) + 1 for line in lines),
                "LastModifiedOn": task.last_updated,
                "LastModifiedBy": "sandbox-user",
                "Links": {"Self": f"/api/tasks/{task.id}/details"},
            },
        )


def _lines(node: LogNode, depth: int = 0) -> list[str]:
    lines = [f"{'  ' * depth}{node.name}"]
    lines += [f"{'  ' * depth}{e['OccurredAt']} {e['Category']:<8} {e['MessageText']}" for e in node.elements]
    for child in node.children:
        lines += _lines(child, depth + 1)
    return lines


def raw_log(engine: TaskEngine, task_id: str, space_id: str | None) -> Response:
    with engine.lock:
        text = "\n".join(_lines(find_task(engine, task_id, space_id).root)) + "\n"
    return Response(200, text.encode(), content_type="text/plain; charset=utf-8")


def get_task(engine: TaskEngine, task_id: str, space_id: str | None) -> Response:
    with engine.lock:
        return Response(200, render_task(find_task(engine, task_id, space_id)))


def cancel_task(engine: TaskEngine, task_id: str, space_id: str | None) -> Response:
    """A task already finished is answered as it is (the cancel came too late)."""
    with engine.lock:
        task = find_task(engine, task_id, space_id)
        engine.cancel(task)
        return Response(200, render_task(task))
