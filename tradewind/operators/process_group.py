"""A command run in its own process group, its output streamed to the task log, killable as a
whole: what ``BashOperator``, ``BashSensor`` and the virtualenv operators share."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import deque
from collections.abc import Container, Sequence
from typing import Any


def exit_codes(value: int | Container[int] | None) -> Container[int]:
    """``skip_on_exit_code`` as a container: None, one code, or several."""
    if value is None:
        return ()
    if isinstance(value, int):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


class ProcessGroupRunner:
    """Mixin for operators: :meth:`_run_logged` a command, :meth:`on_kill` its whole group."""

    log: Any
    _process: subprocess.Popen[bytes] | None = None

    def _run_logged(
        self,
        argv: Sequence[str],
        env: dict[str, str] | None,
        cwd: str,
        *,
        encoding: str = "utf-8",
        keep: int = 20,
    ) -> tuple[int, list[str]]:
        """Run ``argv``; its exit code and its output's last ``keep`` lines."""
        self.log.info("Running command: %s", list(argv))
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        self._process = process
        tail: deque[str] = deque(maxlen=keep)
        try:
            assert process.stdout is not None
            for raw in iter(process.stdout.readline, b""):
                line = raw.decode(encoding, errors="backslashreplace").rstrip()
                tail.append(line)
                self.log.info("%s", line)
            process.wait()
        finally:
            if process.poll() is None:  # interrupted (timeout): take the whole group down
                self.on_kill()
            if process.stdout is not None:
                process.stdout.close()
            self._process = None
        return process.returncode, list(tail)

    def on_kill(self) -> None:
        """Terminate the command's whole process group (then kill it if it lingers)."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        self.log.info("Sending SIGTERM signal to process group")
        try:
            os.killpg(os.getpgid(process.pid), signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(os.getpgid(process.pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
