"""``BashSensor``: poke by running a bash command, as ``airflow.sensors.bash.BashSensor``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any, ClassVar

from tradewind.errors import TaskFailureNoRetry
from tradewind.operators.process_group import ProcessGroupRunner
from tradewind.sensors.base import BaseSensorOperator

__all__ = ["BashSensor"]


class BashSensor(ProcessGroupRunner, BaseSensorOperator):
    """Done when ``bash_command`` exits 0.

    With ``retry_exit_code`` set, that exit code means "not yet" and any other non-zero code
    fails the task without retries; without it, any non-zero code means "not yet". ``env``
    replaces the environment of the command (the worker's environment when None). The command
    runs in a temporary directory, in its own process group, as :class:`BashOperator` runs it.
    """

    template_fields: ClassVar[Sequence[str]] = ("bash_command", "env")
    template_fields_renderers: ClassVar[dict[str, str]] = {"bash_command": "bash", "env": "json"}

    def __init__(
        self,
        *,
        bash_command: str,
        env: dict[str, str] | None = None,
        output_encoding: str = "utf-8",
        retry_exit_code: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.output_encoding = output_encoding
        self.retry_exit_code = retry_exit_code

    def poke(self, context: dict[str, Any]) -> bool:
        env = (
            dict(os.environ) if self.env is None else {str(k): str(v) for k, v in self.env.items()}
        )
        with tempfile.TemporaryDirectory(prefix="tradewindtmp") as tmp:
            returncode, _ = self._run_logged(
                ["bash", "-c", str(self.bash_command)], env, tmp, encoding=self.output_encoding
            )
        self.log.info("Command exited with return code %s", returncode)
        if returncode == 0:
            return True
        if self.retry_exit_code is None:
            self.log.info("Non-zero return code and no retry code set, will retry later")
            return False
        if returncode == self.retry_exit_code:
            self.log.info("Return code matches retry code, will retry later")
            return False
        raise TaskFailureNoRetry(f"Command exited with return code {returncode}")
