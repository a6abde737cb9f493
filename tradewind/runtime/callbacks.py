"""Task and DAG callbacks. A callback that raises is logged; it never changes a state."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

log = logging.getLogger("tradewind.task")

#: TaskState value -> the task attribute holding its callbacks
TASK_CALLBACK_ATTRS: dict[str, str] = {
    "success": "on_success_callback",
    "failed": "on_failure_callback",
    "up_for_retry": "on_retry_callback",
    "skipped": "on_skipped_callback",
}


def _as_list(callbacks: Any) -> list[Callable[..., Any]]:
    if not callbacks:
        return []
    if callable(callbacks):
        return [callbacks]
    return [cb for cb in callbacks if callable(cb)]


def run_callbacks(callbacks: Any, context: Mapping[str, Any], *, what: str) -> int:
    """Call each callback with ``context``; return how many raised (each is logged)."""
    failures = 0
    for callback in _as_list(callbacks):
        name = getattr(callback, "__name__", repr(callback))
        try:
            log.info("Running %s %s", what, name)
            callback(context)
        except Exception as exc:
            failures += 1
            trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            log.error(
                "Error in %s callback %s (ignored: it changes no state)\n%s",
                what,
                name,
                trace.rstrip(),
            )
    return failures


def run_task_callbacks(task: Any, state: str, context: Mapping[str, Any]) -> int:
    """Run the task's callbacks for the final ``state`` of a try (none for other states)."""
    attr = TASK_CALLBACK_ATTRS.get(str(state))
    if attr is None:
        return 0
    return run_callbacks(getattr(task, attr, None), context, what=attr)


def run_dag_callbacks(dag: Any, context: Mapping[str, Any], success: bool) -> int:
    """Run the DAG's ``on_success_callback`` or ``on_failure_callback`` for a finished run.

    Called by whoever finishes the run (the scheduler, ``dags test``). ``context`` should hold
    ``dag``, ``dag_run``, ``run_id`` and ``reason`` (``"success"`` or ``"task_failure"``), and
    the ``ti``/``task`` of a deciding task instance when there is one, as Airflow passes them.
    """
    attr = "on_success_callback" if success else "on_failure_callback"
    return run_callbacks(getattr(dag, attr, None), context, what=f"DAG {attr}")


def has_work_after_try(task: Any, state: str) -> bool:
    """Whether :func:`run_after_try` would do anything for a try of ``task`` that ended in
    ``state`` (a callback, or an e-mail)."""
    state = str(state)
    attr = TASK_CALLBACK_ATTRS.get(state)
    if attr is not None and _as_list(getattr(task, attr, None)):
        return True
    if not getattr(task, "email", None):
        return False
    if state == "failed":
        return bool(getattr(task, "email_on_failure", False))
    return state == "up_for_retry" and bool(getattr(task, "email_on_retry", False))


def run_after_try(
    task: Any,
    context: MutableMapping[str, Any],
    state: str,
    error: BaseException | None,
    *,
    settings: Any,
    ti: Any,
) -> None:
    """What follows a recorded try: the task's callbacks, then e-mail on failure or retry."""
    state = str(state)
    if error is not None and state in ("failed", "up_for_retry"):
        context["exception"] = error
    run_task_callbacks(task, state, context)
    if state == "failed" and getattr(task, "email_on_failure", False):
        _email(settings, task, ti, error, retry=False)
    elif state == "up_for_retry" and getattr(task, "email_on_retry", False):
        _email(settings, task, ti, error, retry=True)


def _email(settings: Any, task: Any, ti: Any, error: BaseException | None, *, retry: bool) -> None:
    if not getattr(task, "email", None):
        return
    try:
        from tradewind.runtime.email import send_task_failure_email

        send_task_failure_email(settings, task=task, ti=ti, exception=error, is_retry=retry)
    except Exception as exc:  # a mail that cannot be sent changes nothing
        log.error("Failed to send e-mail about %s: %s", ti, exc)
