"""Typed configuration sections. Every field has a default and a one-line doc.

A field whose metadata has ``sensitive=True`` is masked by ``tradewind config show``.
Fields whose default is ``""`` and whose doc says "under TRADEWIND_HOME" are filled in by the
loader, because they depend on where TRADEWIND_HOME is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def setting(default: Any, doc: str, *, sensitive: bool = False) -> Any:
    return field(default=default, metadata={"doc": doc, "sensitive": sensitive})


@dataclass
class CoreSettings:
    dags_folder: str = setting("", "Folder of DAG files (default: $TRADEWIND_HOME/dags).")
    default_timezone: str = setting("UTC", "Time zone of naive dates in DAG files.")
    dags_are_paused_at_creation: bool = setting(True, "New DAGs start paused.")
    fernet_key: str = setting(
        "", "Fernet key(s), comma-separated, newest first, for stored secrets.", sensitive=True
    )
    secret_key: str = setting(
        "", "Shared secret signing log requests and dashboard sessions.", sensitive=True
    )
    dagbag_import_timeout: float = setting(30.0, "Seconds a DAG file may take to import.")
    max_active_tasks_per_dag: int = setting(16, "Default max_active_tasks of a DAG.")
    max_active_runs_per_dag: int = setting(16, "Default max_active_runs of a DAG.")
    default_pool_slots: int = setting(128, "Slots of default_pool when it is created.")
    xcom_max_size: int = setting(1_048_576, "Largest JSON-serialized XCom value, in bytes.")
    default_owner: str = setting("tradewind", "Owner of tasks that name none.")
    hostname: str = setting("", "This machine's name in task records (default: its FQDN).")
    sensitive_var_conn_names: str = setting(
        "", "Extra comma-separated words that mark a variable as secret."
    )
    allow_trigger_in_future: bool = setting(
        False, "Run a run with a future logical date at once (else it waits for its date)."
    )


@dataclass
class DatabaseSettings:
    url: str = setting(
        "",
        "SQLAlchemy URL of the metastore (default: sqlite under TRADEWIND_HOME).",
        sensitive=True,
    )
    pool_size: int = setting(5, "Connections kept open per process (Postgres, MySQL).")
    echo: bool = setting(False, "Log every SQL statement.")


@dataclass
class SchedulerSettings:
    executor: str = setting("local", "How tasks run: sequential, local or broker.")
    parallelism: int = setting(32, "Tries running at once across this scheduler's executor.")
    catchup_by_default: bool = setting(True, "Default of a DAG's catchup.")
    dag_dir_list_interval: float = setting(30.0, "Seconds between scans of the DAG folder.")
    poll_interval: float = setting(1.0, "Seconds the loop sleeps when nothing wakes it.")
    zombie_threshold: float = setting(60.0, "Seconds without a heartbeat before a try is lost.")
    queued_timeout: float = setting(600.0, "Seconds a try may wait queued for a worker.")
    queued_timeout_action: str = setting("requeue", "What a stale queued try gets: requeue|fail.")
    max_dagruns_per_loop: int = setting(20, "DAG runs created per DAG in one loop.")
    standalone_dashboard: bool = setting(True, "`tradewind standalone` starts the dashboard.")


@dataclass
class BrokerSettings:
    url: str = setting("memory://", "amqp://, redis:// or memory://", sensitive=True)
    default_queue: str = setting("default", "Queue of tasks that name none.")
    queue_prefix: str = setting(
        "", "Prefix of every broker queue name (separates fleets sharing one broker)."
    )
    consumer_timeout_ms: int = setting(
        0, "RabbitMQ x-consumer-timeout per queue; 0 leaves the server's default."
    )


@dataclass
class WorkerSettings:
    concurrency: int = setting(16, "Tries one worker runs at once.")
    log_server_port: int = setting(8793, "Port of the worker's log server.")
    heartbeat_interval: float = setting(5.0, "Seconds between heartbeats of a running try.")
    drain_grace_period: float = setting(60.0, "Seconds a draining worker waits for its tries.")
    max_tries_per_process: int = setting(
        1000, "Tries one warm try process runs before it is replaced (0: no limit)."
    )


@dataclass
class LoggingSettings:
    base_log_folder: str = setting("", "Folder of task logs (default: $TRADEWIND_HOME/logs).")
    level: str = setting("INFO", "Level of Tradewind's own logs.")


@dataclass
class SmtpSettings:
    host: str = setting("localhost", "SMTP server.")
    port: int = setting(25, "SMTP port.")
    user: str = setting("", "SMTP login, if any.")
    password: str = setting("", "SMTP password.", sensitive=True)
    starttls: bool = setting(False, "Upgrade the connection with STARTTLS.")
    ssl: bool = setting(False, "Connect with SMTP over TLS.")
    mail_from: str = setting("tradewind@localhost", "Sender of Tradewind's e-mail.")
    timeout: float = setting(30.0, "Seconds to wait for the SMTP server.")


@dataclass
class WebserverSettings:
    host: str = setting("127.0.0.1", "Address the dashboard listens on.")
    port: int = setting(8080, "Port of the dashboard.")
    workers: int = setting(1, "uvicorn worker processes.")
    base_url: str = setting("http://localhost:8080", "Public URL, used in e-mail links.")
    session_lifetime_minutes: int = setting(43200, "How long a login lasts.")


@dataclass
class Settings:
    home: str = ""
    core: CoreSettings = field(default_factory=CoreSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    webserver: WebserverSettings = field(default_factory=WebserverSettings)


SECTIONS: tuple[str, ...] = (
    "core",
    "database",
    "scheduler",
    "broker",
    "worker",
    "logging",
    "smtp",
    "webserver",
)
