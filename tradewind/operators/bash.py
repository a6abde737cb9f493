"""``BashOperator``: run a bash command; the last line of its output goes to XCom."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Container
from typing import Any

from tradewind.errors import TaskFailure, TaskSkipped
from tradewind.operators.process_group import ProcessGroupRunner, exit_codes
from tradewind.sdk.baseoperator import BaseOperator

__all__ = ["BashOperator"]


class BashOperator(ProcessGroupRunner, BaseOperator):
    """Run ``bash_command`` with ``bash -c`` in its own process group.

    ``env`` replaces the environment (``append_env=True`` adds to it instead); ``cwd`` is the
    working directory (a temporary one by default). Exit code ``skip_on_exit_code`` (99 by
    default) skips the task; any other non-zero exit code fails it.
    """

    template_fields = ("bash_command", "env", "cwd")
    template_fields_renderers = {"bash_command": "bash", "env": "json"}
    template_ext = (".sh", ".bash")
    ui_color = "#f0ede4"

    def __init__(
        self,
        *,
        bash_command: str,
        env: dict[str, str] | None = None,
        append_env: bool = False,
        output_encoding: str = "utf-8",
        skip_exit_code: int | None = None,
        skip_on_exit_code: int | Container[int] | None = 99,
        cwd: str | None = None,
        output_processor: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.append_env = append_env
        self.output_encoding = output_encoding
        if skip_exit_code is not None:
            skip_on_exit_code = skip_exit_code
        self.skip_on_exit_code = exit_codes(skip_on_exit_code)
        self.cwd = cwd
        self.output_processor = output_processor or (lambda result: result)

    def get_env(self, context: dict[str, Any]) -> dict[str, str]:
        """The command's environment, with TRADEWIND_CTX_* / AIRFLOW_CTX_* about the try."""
        system_env = dict(os.environ)
        if self.env is None:
            env = system_env
        else:
            env = {**system_env, **self.env} if self.append_env else dict(self.env)
        env.update(_context_env(context))
        return {str(k): str(v) for k, v in env.items()}

    def execute(self, context: dict[str, Any]) -> Any:
        if self.cwd is not None:
            if not os.path.exists(self.cwd):
                raise TaskFailure(f"Can not find the cwd: {self.cwd}")
            if not os.path.isdir(self.cwd):
                raise TaskFailure(f"The cwd {self.cwd} must be a directory")
        env = self.get_env(context)
        with tempfile.TemporaryDirectory(prefix="tradewindtmp") as tmp:
            returncode, last_line = self._run(self.bash_command, env, self.cwd or tmp)
        if returncode in self.skip_on_exit_code:
            raise TaskSkipped(f"Bash command returned exit code {returncode}. Skipping.")
        if returncode != 0:
            raise TaskFailure(
                f"Bash command failed. The command returned a non-zero exit code {returncode}."
            )
        return self.output_processor(last_line)

    def _run(self, command: str, env: dict[str, str], cwd: str) -> tuple[int, str]:
        """Run ``bash -c command``: its exit code and the last line of its output."""
        returncode, tail = self._run_logged(
            ["bash", "-c", command], env, cwd, encoding=self.output_encoding, keep=1
        )
        self.log.info("Command exited with return code %s", returncode)
        return returncode, tail[-1] if tail else ""


def _context_env(context: dict[str, Any]) -> dict[str, str]:
    ti = context.get("ti")
    dag = context.get("dag")
    task = context.get("task")
    values = {
        "DAG_ID": getattr(dag, "dag_id", None) or getattr(ti, "dag_id", None),
        "TASK_ID": getattr(task, "task_id", None) or getattr(ti, "task_id", None),
        "DAG_RUN_ID": context.get("run_id"),
        "TRY_NUMBER": getattr(ti, "try_number", None),
        "EXECUTION_DATE": context.get("logical_date"),
        "LOGICAL_DATE": context.get("logical_date"),
        "DAG_OWNER": getattr(task, "owner", None),
    }
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        out[f"TRADEWIND_CTX_{name}"] = text
        out[f"AIRFLOW_CTX_{name}"] = text
    return out
