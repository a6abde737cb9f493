"""Import one DAG file — a ``.py`` or a ``.zip`` of ``.py`` files at its root — with a time limit,
and collect the DAGs it defines.

Each file is imported under a unique module name (two ``dags.py`` in different folders never
collide) from the exact text that was hashed, so a file changed on disk is never confused with its
stale bytecode. Whatever goes wrong — a syntax error, a missing import, an exception, a cycle, a
file slower than the time limit — becomes one import-error message naming the file and line.
"""

from __future__ import annotations

import ctypes
import hashlib
import linecache
import signal
import sys
import threading
import time
import traceback
import types
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: every DAG file's module name starts with this (Airflow uses "unusual_prefix_")
MODULE_PREFIX = "tradewind_dagfile_"


class DagImportTimeout(BaseException):
    """Raised inside a DAG file's import that ran past its time limit.

    A BaseException, so that a DAG file's own ``except Exception`` cannot swallow it.
    """


@dataclass
class LoadedFile:
    """What importing one file gave: its DAGs, or an import error, plus what sync needs."""

    path: str
    content_hash: str
    dags: list[Any] = field(default_factory=list)
    import_error: str | None = None
    #: dag_id -> the source text of the module that defined it
    sources: dict[str, str] = field(default_factory=dict)
    #: False when safe mode decided the file holds no DAG and it was not imported
    imported: bool = True
    duration: float = 0.0

    @property
    def dag_ids(self) -> list[str]:
        return [d.dag_id for d in self.dags]


def file_hash(path: str | Path) -> str:
    """sha256 of the file's bytes ("" when the file cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def might_contain_dag(source: str) -> bool:
    """Airflow's safe-mode heuristic: only text naming both "dag" and "tradewind" is imported."""
    lowered = source.lower()
    return "dag" in lowered and "tradewind" in lowered


def module_name_for(path: str, inner: str | None = None) -> str:
    digest = hashlib.sha1(path.encode()).hexdigest()[:16]
    stem = Path(inner or path).stem
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    return f"{MODULE_PREFIX}{digest}_{safe}"


def load_file(
    path: str | Path, *, timeout: float | None = 30.0, safe_mode: bool = True
) -> LoadedFile:
    """Import the DAG file at ``path`` and collect its DAGs (``dag.fileloc`` set to ``path``).

    Never raises for a broken file: the failure is ``LoadedFile.import_error``.
    """
    filepath = str(Path(path).absolute())
    started = time.monotonic()
    try:
        data = Path(filepath).read_bytes()
    except OSError as exc:
        return LoadedFile(filepath, "", import_error=f"{filepath}: cannot read the file: {exc}")
    digest = hashlib.sha256(data).hexdigest()
    if filepath.endswith(".zip") or zipfile.is_zipfile(filepath):
        result = _load_zip(filepath, digest, timeout=timeout, safe_mode=safe_mode)
    else:
        source = data.decode("utf-8", errors="replace")
        result = LoadedFile(filepath, digest)
        if safe_mode and not might_contain_dag(source):
            result.imported = False
        else:
            _import_module(result, source, filepath, module_name_for(filepath), timeout)
    result.duration = time.monotonic() - started
    return result


def _load_zip(filepath: str, digest: str, *, timeout: float | None, safe_mode: bool) -> LoadedFile:
    result = LoadedFile(filepath, digest)
    try:
        with zipfile.ZipFile(filepath) as archive:
            members = [
                (name, archive.read(name).decode("utf-8", errors="replace"))
                for name in archive.namelist()
                if name.endswith(".py") and "/" not in name
            ]
    except (OSError, zipfile.BadZipFile) as exc:
        result.import_error = f"{filepath}: not a readable zip file: {exc}"
        return result
    members = [(n, s) for n, s in members if not safe_mode or might_contain_dag(s)]
    if not members:
        result.imported = False
        return result
    # modules inside the archive import each other as top-level modules, as with Airflow
    if filepath not in sys.path:
        sys.path.insert(0, filepath)
    errors: list[str] = []
    for name, source in sorted(members):
        inner = LoadedFile(filepath, digest)
        _import_module(
            inner, source, f"{filepath}/{name}", module_name_for(filepath, name), timeout
        )
        result.dags.extend(inner.dags)
        result.sources.update(inner.sources)
        if inner.import_error:
            errors.append(inner.import_error)
    if errors:
        result.import_error = "\n".join(errors)
        result.dags, result.sources = [], {}
    return result


def _import_module(
    result: LoadedFile, source: str, filename: str, mod_name: str, timeout: float | None
) -> None:
    """Execute ``source`` as module ``mod_name`` and add its DAGs to ``result``."""
    if "/" in filename and filename != result.path:  # a member of a zip: teach linecache its text
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(mod_name)
    module.__file__ = filename
    _pop_autoregistered()  # forget DAGs left over from code outside a DAG file
    sys.modules[mod_name] = module
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
        with _time_limit(timeout):
            exec(code, module.__dict__)
        dags = _collect_dags(module, _pop_autoregistered())
        for dag in dags:
            _check_dag(dag)
    except DagImportTimeout:
        sys.modules.pop(mod_name, None)
        result.import_error = _timeout_message(filename, timeout)
        return
    except (Exception, SystemExit) as exc:
        sys.modules.pop(mod_name, None)
        result.import_error = format_import_error(exc, filename)
        return
    finally:
        _pop_autoregistered()
    for dag in dags:
        dag.fileloc = result.path
        result.dags.append(dag)
        result.sources[dag.dag_id] = source


def _dag_class() -> type | None:
    try:
        from tradewind.sdk.dag import DAG
    except ImportError:
        return None
    return DAG


def _pop_autoregistered() -> list[Any]:
    """DAGs entered as context managers since the last call — those made by ``@dag`` functions
    that were called but not assigned (Airflow's ``DagContext.autoregistered_dags``)."""
    try:
        from tradewind.sdk.dag_context import pop_autoregistered_dags
    except ImportError:
        return []
    return list(pop_autoregistered_dags())


def _collect_dags(module: types.ModuleType, autoregistered: list[Any]) -> list[Any]:
    dag_cls = _dag_class()
    if dag_cls is None:
        return []
    found: dict[int, Any] = {}
    for value in list(module.__dict__.values()):
        if isinstance(value, dag_cls):
            found[id(value)] = value
    for dag in autoregistered:
        if isinstance(dag, dag_cls):
            found.setdefault(id(dag), dag)
    by_id: dict[str, Any] = {}
    for dag in found.values():
        by_id[dag.dag_id] = dag
    return list(by_id.values())


def _check_dag(dag: Any) -> None:
    """Parse-time checks the SDK may not have run yet (a cycle in particular)."""
    validate = getattr(dag, "validate", None)
    if callable(validate):
        validate()
        return
    check_cycle = getattr(dag, "check_cycle", None)
    if callable(check_cycle):
        check_cycle()


# -- messages --------------------------------------------------------------------------------


def format_import_error(exc: BaseException, filename: str) -> str:
    """One line naming the file, the line and the error, then the offending source line.

    Only frames of the DAG file itself are considered, as Airflow trims its tracebacks.
    """
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        text = (exc.text or "").rstrip("\n")
        line = f"{filename}, line {exc.lineno}: {kind}: {exc.msg}"
        return f"{line}\n    {text.strip()}" if text.strip() else line
    message = str(exc).strip() or repr(exc)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if not frames:
        return f"{filename}: {kind}: {message}"
    frame = frames[-1]
    head = f"{filename}, line {frame.lineno}: {kind}: {message}"
    code = (frame.line or "").strip()
    return f"{head}\n    {code}" if code else head


def _timeout_message(filename: str, timeout: float | None) -> str:
    return (
        f"{filename}: DagImportTimeout: importing the file took longer than {timeout:g} s "
        "(core.dagbag_import_timeout); move slow work out of the module level, into tasks"
    )


# -- the time limit --------------------------------------------------------------------------


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM"):
        with _alarm_limit(seconds):
            yield
    else:
        with _watchdog_limit(seconds):
            yield


@contextmanager
def _alarm_limit(seconds: float) -> Iterator[None]:
    def _on_alarm(_signum: int, _frame: Any) -> None:
        raise DagImportTimeout()

    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # someone else's alarm was pending: put it back
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))


@contextmanager
def _watchdog_limit(seconds: float) -> Iterator[None]:
    """Outside the main thread: a timer raises DagImportTimeout asynchronously in this thread.

    Best effort: the exception lands at the next Python bytecode, so a long blocking C call
    (``time.sleep``) finishes first.
    """
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def _fire() -> None:
        with lock:
            if state["done"]:
                return
            state["fired"] = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(thread_id), ctypes.py_object(DagImportTimeout)
            )

    timer = threading.Timer(seconds, _fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:  # clear an exception that has not been delivered yet
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
