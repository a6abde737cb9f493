"""Render an operator's ``template_fields`` against a try's context.

A string is a Jinja template, unless it ends with one of the operator's ``template_ext``
(``.sh``, ``.sql``...): then it names a template file, loaded from the DAG's folder or its
``template_searchpath``. Lists, tuples, sets and dicts are rendered item by item; ``XComArg``
values are resolved from XCom; objects with their own ``template_fields`` are rendered in place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import jinja2
import jinja2.nativetypes

from tradewind.errors import TemplateError
from tradewind.templating.environment import get_template_env
from tradewind.templating.literal import LiteralValue


class _TemplateVars(Mapping[str, Any]):
    """The context first, then the environment's globals; values are looked up on use, so a
    lazy context entry (a query, say) is only computed when a template names it."""

    def __init__(self, context: Mapping[str, Any], globals_: Mapping[str, Any]) -> None:
        self._context = context
        self._globals = globals_

    def __getitem__(self, key: str) -> Any:
        if key in self._context:
            return self._context[key]
        return self._globals[key]

    def __contains__(self, key: object) -> bool:
        return key in self._context or key in self._globals

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self._context
        yield from (k for k in self._globals if k not in self._context)

    def __len__(self) -> int:
        return len(set(self._context) | set(self._globals))


def _render_jinja(template: jinja2.Template, context: Mapping[str, Any]) -> Any:
    jinja_ctx = template.new_context(_TemplateVars(context, template.globals), shared=True)  # type: ignore[arg-type]
    chunks = template.root_render_func(jinja_ctx)
    if isinstance(template.environment, jinja2.nativetypes.NativeEnvironment):
        return jinja2.nativetypes.native_concat(chunks)
    return template.environment.concat(chunks)  # type: ignore[attr-defined]


def _xcom_arg_type() -> type | None:
    try:
        from tradewind.sdk.xcom_arg import XComArg
    except ImportError:  # pragma: no cover - the SDK is always installed
        return None
    return XComArg


def _has_markup(env: jinja2.Environment, text: str) -> bool:
    if isinstance(env, jinja2.nativetypes.NativeEnvironment):
        return True  # "123" renders to 123 there, as in Airflow
    return (
        env.variable_start_string in text
        or env.block_start_string in text
        or env.comment_start_string in text
        or env.line_statement_prefix is not None
    )


def _compile(env: jinja2.Environment, source: str) -> jinja2.Template:
    """``env.from_string`` with a per-environment cache: a retry or the next run of the same
    task compiles nothing."""
    cache: dict[str, jinja2.Template] = env.__dict__.setdefault("_tradewind_compiled", {})
    template = cache.get(source)
    if template is None:
        template = env.from_string(source)
        if len(cache) < 2048:
            cache[source] = template
    return template


def _load_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    if os.path.isabs(name) and os.path.isfile(name):
        with open(name, encoding="utf-8") as handle:
            return env.from_string(handle.read())
    return env.get_template(name)


def render_template(
    content: Any,
    context: Mapping[str, Any],
    jinja_env: jinja2.Environment,
    *,
    template_ext: tuple[str, ...] = (),
    seen: set[int] | None = None,
) -> Any:
    """Render ``content`` (a string, a container of them, an XComArg...) with ``context``."""
    if isinstance(content, LiteralValue):
        return content.value  # literal(...): as it is, never rendered
    if isinstance(content, str):
        if template_ext and content.endswith(template_ext):
            return _render_jinja(_load_template(jinja_env, content), context)
        if not _has_markup(jinja_env, content):
            return content  # nothing to render: the common case, kept cheap
        return _render_jinja(_compile(jinja_env, content), context)
    if content is None or isinstance(content, int | float | bool | bytes):
        return content
    xcom_arg = _xcom_arg_type()
    if xcom_arg is not None and isinstance(content, xcom_arg):
        return content.resolve(context)  # type: ignore[attr-defined]
    if type(content).__name__ == "DagParam" and hasattr(content, "resolve"):
        return content.resolve(context)  # a @dag function's parameter
    kw = {"template_ext": template_ext, "seen": seen}
    if isinstance(content, tuple):
        if hasattr(content, "_fields"):  # a namedtuple keeps its type
            return type(content)(*(render_template(v, context, jinja_env, **kw) for v in content))
        return tuple(render_template(v, context, jinja_env, **kw) for v in content)
    if isinstance(content, list):
        return [render_template(v, context, jinja_env, **kw) for v in content]
    if isinstance(content, dict):
        return {k: render_template(v, context, jinja_env, **kw) for k, v in content.items()}
    if isinstance(content, set | frozenset):
        return type(content)(render_template(v, context, jinja_env, **kw) for v in content)
    nested_fields = getattr(content, "template_fields", None)
    if nested_fields and not callable(content):
        _render_nested(content, nested_fields, context, jinja_env, seen)
    return content


def _render_nested(
    obj: Any,
    fields: Any,
    context: Mapping[str, Any],
    jinja_env: jinja2.Environment,
    seen: set[int] | None,
) -> None:
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    ext = tuple(getattr(obj, "template_ext", ()) or ())
    for name in field_names(fields):
        value = getattr(obj, name, None)
        if value:
            setattr(
                obj, name, render_template(value, context, jinja_env, template_ext=ext, seen=seen)
            )


def field_names(fields: Any) -> tuple[str, ...]:
    """``template_fields`` as a tuple: a lone string (``template_fields = ("sql")``, a common
    slip) is one field name, as Airflow takes it."""
    if isinstance(fields, str):
        return (fields,)
    return tuple(fields or ())


def resolve_template_files(
    task: Any, jinja_env: jinja2.Environment, fields: tuple[str, ...], ext: tuple[str, ...]
) -> None:
    """Airflow's ``resolve_template_files``, for an operator with a ``prepare_template`` hook:
    a field naming a template file (or a list item naming one) becomes the file's source, then
    ``task.prepare_template()`` may change it before it is rendered. A file that cannot be read
    is left to rendering, which reports it."""
    for name in fields if ext else ():
        content = getattr(task, name, None)
        if isinstance(content, str) and content.endswith(ext):
            source = _template_source(jinja_env, content)
            if source is not None:
                setattr(task, name, source)
        elif isinstance(content, list):  # a new list: the DAG's own task keeps its names
            setattr(task, name, [_file_or_item(jinja_env, item, ext) for item in content])
    task.prepare_template()


def _file_or_item(env: jinja2.Environment, item: Any, ext: tuple[str, ...]) -> Any:
    if isinstance(item, str) and item.endswith(ext):
        source = _template_source(env, item)
        return item if source is None else source
    return item


def _template_source(env: jinja2.Environment, name: str) -> str | None:
    try:
        if os.path.isabs(name) and os.path.isfile(name):
            with open(name, encoding="utf-8") as handle:
                return handle.read()
        if env.loader is None:
            return None
        return env.loader.get_source(env, name)[0]
    except (OSError, jinja2.TemplateNotFound):
        return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template file {exc.name!r} not found"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error on line {exc.lineno}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def render_template_fields(
    task: Any, context: Mapping[str, Any], jinja_env: jinja2.Environment | None = None
) -> dict[str, Any]:
    """Render every ``task.template_fields`` entry, set the result on ``task``, return them.

    ``task`` should be the try's own copy of the operator: its attributes are overwritten.
    The returned dict holds the rendered values as they are (redact before storing them).
    Raises :class:`TemplateError` naming the field and the task when one fails.
    """
    if jinja_env is None:
        jinja_env = get_template_env(getattr(task, "dag", None))
    ext = tuple(getattr(task, "template_ext", ()) or ())
    fields = field_names(getattr(task, "template_fields", ()))
    if callable(getattr(task, "prepare_template", None)):
        resolve_template_files(task, jinja_env, fields, ext)
    rendered: dict[str, Any] = {}
    for name in fields:
        if not hasattr(task, name):
            raise TemplateError(
                f"{name!r} is in template_fields of task {task.task_id!r} "
                "but is not an attribute of it"
            )
        value = getattr(task, name)
        try:
            result = render_template(value, context, jinja_env, template_ext=ext)
        except TemplateError:
            raise
        except Exception as exc:
            searchpath = getattr(jinja_env.loader, "searchpath", None)
            hint = f"template search path: {searchpath}" if searchpath else None
            raise TemplateError(
                f"cannot render template field {name!r} of task {task.task_id!r}: {_describe(exc)}",
                hint=hint if isinstance(exc, jinja2.TemplateNotFound) else None,
            ) from exc
        setattr(task, name, result)
        rendered[name] = result
    return rendered


def storable_rendered_fields(rendered: Mapping[str, Any]) -> dict[str, Any]:
    """The rendered fields as JSON-able data with secrets replaced by ``***``."""
    from tradewind.runtime.secrets_masker import redact_value

    return {name: redact_value(_jsonable(value), name) for name, value in rendered.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)
