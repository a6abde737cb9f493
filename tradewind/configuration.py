"""``conf``: Tradewind's settings read the way Airflow's ``airflow.configuration.conf`` is.

DAG files read configuration with ``conf.get("core", "dags_folder")`` and friends. Tradewind's
own sections and keys answer directly (``conf.get("scheduler", "parallelism")``); the Airflow
names that mean the same setting are translated (``database.sql_alchemy_conn`` is
``database.url``). Values come back as strings from ``get``, as configparser gives them; an
unknown option raises :class:`~tradewind.errors.ConfigError` (``AirflowConfigException``)
unless a ``fallback`` is given. Settings are read when first asked for, not at import.
"""

from __future__ import annotations

from typing import Any

from tradewind.errors import ConfigError

_NOT_SET: Any = object()

#: (Airflow section, key) -> (Tradewind section, key), where the names differ
_AIRFLOW_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("core", "sql_alchemy_conn"): ("database", "url"),
    ("database", "sql_alchemy_conn"): ("database", "url"),
    ("database", "sql_alchemy_pool_size"): ("database", "pool_size"),
    ("core", "executor"): ("scheduler", "executor"),
    ("core", "parallelism"): ("scheduler", "parallelism"),
    ("core", "max_active_tasks_per_dag"): ("core", "max_active_tasks_per_dag"),
    ("core", "base_log_folder"): ("logging", "base_log_folder"),
    ("logging", "logging_level"): ("logging", "level"),
    ("operators", "default_queue"): ("broker", "default_queue"),
    ("celery", "default_queue"): ("broker", "default_queue"),
    ("celery", "broker_url"): ("broker", "url"),
    ("celery", "worker_concurrency"): ("worker", "concurrency"),
    ("logging", "worker_log_server_port"): ("worker", "log_server_port"),
    ("scheduler", "catchup_by_default"): ("scheduler", "catchup_by_default"),
    ("scheduler", "scheduler_zombie_task_threshold"): ("scheduler", "zombie_threshold"),
    ("scheduler", "task_queued_timeout"): ("scheduler", "queued_timeout"),
    ("operators", "default_owner"): ("core", "default_owner"),
    ("webserver", "secret_key"): ("core", "secret_key"),
    ("webserver", "web_server_port"): ("webserver", "port"),
    ("smtp", "smtp_host"): ("smtp", "host"),
    ("smtp", "smtp_port"): ("smtp", "port"),
    ("smtp", "smtp_user"): ("smtp", "user"),
    ("smtp", "smtp_password"): ("smtp", "password"),
    ("smtp", "smtp_starttls"): ("smtp", "starttls"),
    ("smtp", "smtp_ssl"): ("smtp", "ssl"),
    ("smtp", "smtp_mail_from"): ("smtp", "mail_from"),
    ("smtp", "smtp_timeout"): ("smtp", "timeout"),
}
_TRUE = {"true", "t", "1", "yes", "y", "on"}
_FALSE = {"false", "f", "0", "no", "n", "off"}


def airflow_name(section: str, key: str) -> tuple[str, str]:
    """Tradewind's ``(section, key)`` for one of Airflow's configuration names (others as
    given): ``database.sql_alchemy_conn`` is ``database.url``."""
    return _AIRFLOW_NAMES.get((section, key), (section, key))


class TradewindConfig:
    """The process's settings behind Airflow's ``conf`` methods."""

    def _value(self, section: str, key: str) -> Any:
        from tradewind.config import load_settings

        settings = load_settings()
        section, key = section.lower(), key.lower()
        ours_section, ours_key = airflow_name(section, key)
        group = getattr(settings, ours_section, None)
        if ours_section == "home" or group is None or not hasattr(group, ours_key):
            raise ConfigError(
                f"section/key [{section}/{key}] not found in config",
                hint="`tradewind config show` lists every setting",
            )
        return getattr(group, ours_key)

    def get(self, section: str, key: str, fallback: Any = _NOT_SET, **_kwargs: Any) -> Any:
        try:
            value = self._value(section, key)
        except ConfigError:
            if fallback is _NOT_SET:
                raise
            return fallback
        if isinstance(value, bool):
            return "True" if value else "False"
        return str(value)

    def getboolean(self, section: str, key: str, fallback: Any = _NOT_SET, **kwargs: Any) -> Any:
        value = self.get(section, key, fallback=_NOT_SET if fallback is _NOT_SET else None)
        if value is None:
            return fallback
        text = str(value).strip().lower().split("#")[0].strip()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"[{section}/{key}] is not a boolean: {value!r}")

    def getint(self, section: str, key: str, fallback: Any = _NOT_SET, **kwargs: Any) -> Any:
        value = self.get(section, key, fallback=_NOT_SET if fallback is _NOT_SET else None)
        return fallback if value is None else int(float(value))

    def getfloat(self, section: str, key: str, fallback: Any = _NOT_SET, **kwargs: Any) -> Any:
        value = self.get(section, key, fallback=_NOT_SET if fallback is _NOT_SET else None)
        return fallback if value is None else float(value)

    def has_option(self, section: str, key: str) -> bool:
        try:
            self._value(section, key)
        except ConfigError:
            return False
        return True

    def getsection(self, section: str) -> dict[str, Any] | None:
        from dataclasses import asdict

        from tradewind.config import load_settings

        group = getattr(load_settings(), section.lower(), None)
        if group is None or isinstance(group, str):
            return None
        return asdict(group)


conf = TradewindConfig()

__all__ = ["TradewindConfig", "conf"]
