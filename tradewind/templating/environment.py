"""One Jinja environment per DAG, built the way Airflow builds it.

The loader searches the DAG file's folder, then the DAG's ``template_searchpath``; undefined
names raise (``StrictUndefined``); ``user_defined_macros`` become globals and
``user_defined_filters`` filters; ``render_template_as_native_obj=True`` gives a
``NativeEnvironment`` so that ``"{{ [1, 2] }}"`` renders to a list.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any

import jinja2
import jinja2.nativetypes
import jinja2.sandbox

from tradewind.templating.filters import FILTERS

_cache_lock = threading.Lock()
# a try process is forked from a threaded worker: no other thread may hold this lock at fork
os.register_at_fork(
    before=_cache_lock.acquire,
    after_in_parent=_cache_lock.release,
    after_in_child=_cache_lock.release,
)
_cache: weakref.WeakKeyDictionary[Any, jinja2.Environment] = weakref.WeakKeyDictionary()


class SandboxedEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """Airflow's sandbox: unlike Jinja's, it lets templates read ``_``-prefixed attributes
    (``{{ obj._field }}``, ``{{ interval._asdict() }}``); ``__`` ones stay blocked."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not jinja2.sandbox.is_internal_attribute(obj, attr)


def template_searchpath(dag: Any) -> list[str]:
    """The DAG file's folder, then the DAG's ``template_searchpath`` entries."""
    paths: list[str] = []
    fileloc = getattr(dag, "fileloc", None)
    if fileloc:
        paths.append(os.path.dirname(os.path.abspath(fileloc)))
    extra = getattr(dag, "template_searchpath", None)
    if isinstance(extra, str | os.PathLike):
        extra = [extra]
    for path in extra or ():
        paths.append(os.fspath(path))
    return paths


def build_template_env(
    searchpath: Iterable[str] = (),
    *,
    native: bool = False,
    user_defined_macros: dict[str, Any] | None = None,
    user_defined_filters: dict[str, Any] | None = None,
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
    extra_options: dict[str, Any] | None = None,
) -> jinja2.Environment:
    """A fresh environment (use :func:`get_template_env` for a DAG: it caches)."""
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(list(searchpath)),
        "undefined": undefined,
        "extensions": ["jinja2.ext.do"],
    }
    options.update(extra_options or {})
    env: jinja2.Environment
    if native:
        env = jinja2.nativetypes.NativeEnvironment(**options)
    else:
        env = SandboxedEnvironment(**options)
    env.filters.update(FILTERS)
    if user_defined_macros:
        env.globals.update(user_defined_macros)
    if user_defined_filters:
        env.filters.update(user_defined_filters)
    return env


def _build_for_dag(dag: Any) -> jinja2.Environment:
    return build_template_env(
        template_searchpath(dag),
        native=bool(getattr(dag, "render_template_as_native_obj", False)),
        user_defined_macros=getattr(dag, "user_defined_macros", None),
        user_defined_filters=getattr(dag, "user_defined_filters", None),
        undefined=getattr(dag, "template_undefined", None) or jinja2.StrictUndefined,
        extra_options=getattr(dag, "jinja_environment_kwargs", None),
    )


def get_template_env(dag: Any | None) -> jinja2.Environment:
    """The (cached) Jinja environment of ``dag``; a plain sandboxed one when there is no DAG."""
    if dag is None:
        return build_template_env()
    with _cache_lock:
        try:
            env = _cache.get(dag)
        except TypeError:  # not weak-referenceable / hashable: do not cache
            return _build_for_dag(dag)
        if env is None:
            env = _build_for_dag(dag)
            _cache[dag] = env
        return env
