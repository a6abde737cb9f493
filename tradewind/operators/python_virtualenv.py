"""``PythonVirtualenvOperator`` and ``ExternalPythonOperator``: a callable in another Python.

The callable's source runs in a separate interpreter (a virtualenv made for the task, or an
existing one); arguments and the return value cross with ``serializer`` (pickle by default,
or cloudpickle / dill). The function must be self-contained: imports inside its body. Context
keys in :data:`SERIALIZABLE_CONTEXT_KEYS` are passed when the function names them or takes
``**kwargs``; ``string_args`` are readable as the global ``virtualenv_string_args``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Container, Iterable, Mapping
from pathlib import Path
from typing import Any

from tradewind.errors import DagDefinitionError, TaskFailure, TaskSkipped
from tradewind.operators.process_group import ProcessGroupRunner, exit_codes
from tradewind.operators.python import PythonOperator
from tradewind.operators.python_subprocess import (
    SERIALIZABLE_CONTEXT_KEYS,
    SERIALIZERS,
    callable_source,
    render_script,
    serializable_context,
)
from tradewind.sdk.python_callable import determine_kwargs
from tradewind.sdk.xcom_arg import resolve_xcom_args

__all__ = [
    "SERIALIZABLE_CONTEXT_KEYS",
    "ExternalPythonOperator",
    "PythonVirtualenvOperator",
    "is_venv_installed",
]


def is_venv_installed() -> bool:
    """True when a virtualenv can be made: ``virtualenv`` is installed, or ``venv`` with pip."""
    if shutil.which("virtualenv") or importlib.util.find_spec("virtualenv"):
        return True
    return bool(importlib.util.find_spec("venv") and importlib.util.find_spec("ensurepip"))


class _BasePythonVirtualenvOperator(ProcessGroupRunner, PythonOperator):
    """Shared part: write the script and arguments, run them with :meth:`_python_bin`."""

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        serializer: str | None = None,
        use_dill: bool = False,
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        string_args: Iterable[str] | None = None,
        templates_dict: dict[str, Any] | None = None,
        templates_exts: list[str] | None = None,
        expect_airflow: bool = True,
        skip_on_exit_code: int | Container[int] | None = None,
        env_vars: dict[str, str] | None = None,
        inherit_env: bool = True,
        use_airflow_context: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            python_callable=python_callable,
            op_args=op_args,
            op_kwargs=op_kwargs,
            templates_dict=templates_dict,
            templates_exts=templates_exts,
            **kwargs,
        )
        serializer = serializer or ("dill" if use_dill else "pickle")
        if serializer not in SERIALIZERS:
            raise DagDefinitionError(
                f"Task {self.task_id!r}: unsupported serializer {serializer!r}; "
                f"expected one of {', '.join(SERIALIZERS)}"
            )
        if use_airflow_context:
            raise DagDefinitionError(
                f"Task {self.task_id!r}: use_airflow_context is not supported by Tradewind"
            )
        self.source = callable_source(python_callable, f"Task {self.task_id!r}")
        self.serializer = serializer
        self.string_args = list(string_args or [])
        self.expect_airflow = expect_airflow
        self.skip_on_exit_code = exit_codes(skip_on_exit_code)
        self.env_vars = env_vars
        self.inherit_env = inherit_env

    def _python_bin(self, workdir: Path) -> str:
        """The interpreter that runs the callable (may build it inside ``workdir``)."""
        raise NotImplementedError

    def execute_callable(self, context: dict[str, Any]) -> Any:
        try:
            library = importlib.import_module(self.serializer)
        except ImportError:
            raise TaskFailure(
                f"Task {self.task_id!r}: serializer {self.serializer!r} is not installed"
            ) from None
        op_args = resolve_xcom_args(self.op_args, context)
        op_kwargs = {
            **serializable_context(context),
            **resolve_xcom_args(self.op_kwargs, context),
        }
        if self.templates_dict is not None:
            op_kwargs["templates_dict"] = self.templates_dict
        kwargs = determine_kwargs(self.python_callable, op_args, op_kwargs)
        with tempfile.TemporaryDirectory(prefix="tradewind-venv") as tmp:
            workdir = Path(tmp)
            python = self._python_bin(workdir)
            script = workdir / "script.py"
            script.write_text(
                render_script(self.source, self.python_callable.__name__, self.serializer),
                encoding="utf-8",
            )
            try:
                with open(workdir / "script.in", "wb") as file:
                    library.dump({"args": list(op_args), "kwargs": kwargs}, file)
            except Exception as exc:
                raise TaskFailure(
                    f"Task {self.task_id!r}: the arguments cannot be serialized with "
                    f"{self.serializer}: {exc}"
                ) from exc
            (workdir / "string_args.txt").write_text(
                "".join(f"{arg}\n" for arg in self.string_args), encoding="utf-8"
            )
            output = workdir / "script.out"
            argv = [python, str(script), str(workdir / "script.in"), str(output)]
            argv.append(str(workdir / "string_args.txt"))
            returncode, tail = self._run_logged(argv, self._env(), tmp)
            if returncode in self.skip_on_exit_code:
                raise TaskSkipped(f"Process exited with code {returncode}. Skipping.")
            if returncode != 0:
                raise TaskFailure(
                    f"Process returned non-zero exit status {returncode}.\n" + "\n".join(tail)
                )
            if not output.exists() or output.stat().st_size == 0:
                return None
            with open(output, "rb") as file:
                return library.load(file)

    def _env(self) -> dict[str, str] | None:
        if self.env_vars is None and self.inherit_env:
            return None
        env = dict(os.environ) if self.inherit_env else {}
        env.update({str(k): str(v) for k, v in (self.env_vars or {}).items()})
        return env


class PythonVirtualenvOperator(_BasePythonVirtualenvOperator):
    """Run the callable in a virtualenv made with ``python -m venv`` for the try.

    ``requirements`` (a list, or a requirements file's content or path) are pip-installed;
    ``python_version`` picks ``pythonX.Y`` on the PATH. With ``venv_cache_path`` the
    virtualenv is kept there (one per set of settings) and reused by later tries.
    """

    template_fields = (
        "templates_dict",
        "op_args",
        "op_kwargs",
        "requirements",
        "index_urls",
        "venv_cache_path",
    )
    template_ext = (".txt",)

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        requirements: None | Iterable[str] | str = None,
        python_version: str | None = None,
        system_site_packages: bool = True,
        pip_install_options: list[str] | None = None,
        index_urls: None | Collection[str] | str = None,
        venv_cache_path: None | os.PathLike[str] | str = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(python_callable=python_callable, **kwargs)
        if isinstance(requirements, str):
            self.requirements: list[str] | str = requirements
        else:
            self.requirements = list(requirements or [])
        self.python_version = str(python_version) if python_version is not None else None
        self.system_site_packages = system_site_packages
        self.pip_install_options = list(pip_install_options or [])
        if isinstance(index_urls, str):
            index_urls = [index_urls]
        self.index_urls = list(index_urls) if index_urls is not None else None
        self.venv_cache_path = str(venv_cache_path) if venv_cache_path is not None else None

    def _requirement_lines(self) -> list[str]:
        requirements = self.requirements
        if isinstance(requirements, str):
            if os.path.isfile(requirements):
                requirements = Path(requirements).read_text(encoding="utf-8")
            requirements = requirements.splitlines()
        lines = [r.strip() for r in requirements if r.strip() and not r.strip().startswith("#")]
        if self.serializer != "pickle" and not any(
            line.startswith(self.serializer) for line in lines
        ):
            lines.append(self.serializer)
        return sorted(set(lines))

    def _base_python(self) -> str:
        version = self.python_version
        if version is None or version == f"{sys.version_info.major}.{sys.version_info.minor}":
            return sys.executable
        found = shutil.which(f"python{version}")
        if found is None:
            raise TaskFailure(f"Task {self.task_id!r}: python{version} is not on the PATH")
        return found

    def _python_bin(self, workdir: Path) -> str:
        requirements = self._requirement_lines()
        base = self._base_python()
        if self.venv_cache_path is None:
            return self._build(workdir / "venv", base, requirements)
        settings = [base, requirements, self.system_site_packages]
        settings += [self.pip_install_options, self.index_urls]
        digest = hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:12]
        cache = Path(self.venv_cache_path)
        target = cache / f"venv-{digest}"
        if (target / "install_complete_marker.json").exists():
            self.log.info("Re-using cached virtualenv %s", target)
            return str(target / "bin" / "python")
        cache.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=cache))
        python = self._build(building, base, requirements)
        (building / "install_complete_marker.json").write_text(json.dumps(settings))
        try:
            building.rename(target)  # a venv is relocated by its interpreter's symlinks only
        except OSError:  # another try finished first: use its virtualenv
            shutil.rmtree(building, ignore_errors=True)
        if not (target / "install_complete_marker.json").exists():
            return python
        return str(target / "bin" / "python")

    def _build(self, path: Path, base: str, requirements: list[str]) -> str:
        argv = [base, "-m", "venv", str(path)]
        if self.system_site_packages:
            argv.append("--system-site-packages")
        if not requirements:
            argv.append("--without-pip")
        self._check(self._run_logged(argv, None, str(path.parent)), "creating the virtualenv")
        python = str(path / "bin" / "python")
        if requirements:
            pip = [python, "-m", "pip", "install", *self.pip_install_options]
            if self.index_urls:
                pip += ["--index-url", self.index_urls[0]]
                for url in self.index_urls[1:]:
                    pip += ["--extra-index-url", url]
            elif self.index_urls is not None:
                pip.append("--no-index")
            self._check(
                self._run_logged([*pip, *requirements], None, str(path)), "installing requirements"
            )
        return python

    def _check(self, result: tuple[int, list[str]], doing: str) -> None:
        returncode, tail = result
        if returncode != 0:
            raise TaskFailure(f"Failed {doing} (exit code {returncode}).\n" + "\n".join(tail))


class ExternalPythonOperator(_BasePythonVirtualenvOperator):
    """Run the callable with an existing interpreter: ``python`` is its path (templated)."""

    template_fields = ("templates_dict", "op_args", "op_kwargs", "python")

    def __init__(self, *, python: str, python_callable: Callable[..., Any], **kwargs: Any) -> None:
        if not python:
            raise DagDefinitionError("Python Path must be defined in ExternalPythonOperator")
        super().__init__(python_callable=python_callable, **kwargs)
        self.python = python

    def _python_bin(self, workdir: Path) -> str:
        if not os.path.exists(self.python):
            raise TaskFailure(f"Python Path '{self.python}' must exists")
        return self.python
