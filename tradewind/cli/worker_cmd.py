"""``tradewind worker -q high_cpu,default -c 8 [--processes N] [--hostname NAME]``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click


@click.command()
@click.option(
    "-q",
    "--queues",
    default=None,
    help="Comma-separated queues to serve (default: TRADEWIND__BROKER__DEFAULT_QUEUE).",
)
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Tries run at once by each process (default: TRADEWIND__WORKER__CONCURRENCY).",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes to start, each with its own -c.",
)
@click.option(
    "--hostname",
    "name",
    default=None,
    help="Name of this worker in the metastore (default: <host>-<pid>).",
)
def worker(queues: str | None, concurrency: int | None, processes: int, name: str | None) -> None:
    """Consume task messages from the given queues and run their tries."""
    from broker_config.routing import parse_queue_list
    from tradewind.cli.context import command_context

    ctx = command_context()
    settings = ctx.settings
    queue_list = parse_queue_list(queues or settings.broker.default_queue)
    slots = concurrency or settings.worker.concurrency
    _configure_logging(settings.logging.level)
    if processes > 1:
        sys.exit(_run_many(processes, queue_list, slots, name))
    from worker.main import WorkerOptions, run_worker

    run_worker(settings, WorkerOptions(queues=queue_list, concurrency=slots, name=name))


def _configure_logging(level: str) -> None:
    import logging

    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="[%(asctime)s] %(processName)s %(name)s %(levelname)s - %(message)s",
    )
    logging.getLogger("pika").setLevel(logging.WARNING)
    _console_level(level)


def _console_level(level: str) -> None:
    """The console shows records at ``level`` and above, whichever logger they come from: a
    task's own INFO lines (its logger propagates) belong in its try log, not a WARNING console."""
    import logging

    for handler in logging.getLogger().handlers:
        handler.setLevel(getattr(logging, level.upper(), logging.INFO))


def _run_many(processes: int, queues: list[str], slots: int, name: str | None) -> int:
    """Start ``processes`` single-process workers and forward SIGTERM/SIGINT to them."""
    import socket

    base = name or f"{socket.gethostname()}-{os.getpid()}"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tradewind.cli.main",
                "worker",
                "-q",
                ",".join(queues),
                "-c",
                str(slots),
                "--hostname",
                f"{base}-{i}",
            ]
        )
        for i in range(1, processes + 1)
    ]

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return max(child.wait() for child in children)
