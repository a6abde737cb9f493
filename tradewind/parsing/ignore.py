"""Which files under a DAG folder are DAG files: `.tradewindignore` rules and the file walk.

A ``.tradewindignore`` file may sit in any folder of the tree. Its lines are gitignore-style glob
patterns (Airflow 2.3+'s default "glob" syntax) that apply to the folder holding the file and
everything below it: ``*`` and ``?`` never cross a ``/``, ``**`` does, a leading or inner ``/``
anchors the pattern to the folder of the ignore file, a trailing ``/`` matches folders only,
``!`` re-includes, ``#`` starts a comment. The last matching rule wins.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE_NAME = ".tradewindignore"


@dataclass(frozen=True)
class IgnoreRule:
    """One pattern line of an ignore file, relative to ``base`` (the ignore file's folder)."""

    pattern: str
    regex: re.Pattern[str]
    base: Path
    negated: bool = False
    dir_only: bool = False

    def matches(self, path: Path, *, is_dir: bool) -> bool | None:
        """True/False when this rule decides ``path``, None when it does not apply."""
        if self.dir_only and not is_dir:
            return None
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        if rel in ("", "."):
            return None
        return self.regex.fullmatch(rel) is not None


def _translate(glob: str) -> str:
    """Translate one gitignore glob (already without ``!``/leading ``/``) to a regex body."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**", i):
            at_start = i == 0 or glob[i - 1] == "/"
            after = glob[i + 2 : i + 3]
            if at_start and after == "/":
                out.append("(?:.*/)?")
                i += 3
                continue
            if at_start and after == "":
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def parse_rule(line: str, base: Path) -> IgnoreRule | None:
    """One line of an ignore file as a rule, or None for blank lines and comments."""
    text = line.rstrip("\n").rstrip()
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    if text.startswith("\\#") or text.startswith("\\!"):
        text = text[1:]
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    text = text.lstrip("/")
    body = _translate(text)
    if not anchored:
        body = "(?:.*/)?" + body
    # a pattern naming a folder ignores what is inside it too
    regex = re.compile(body + "(?:/.*)?")
    return IgnoreRule(line.strip(), regex, base, negated=negated, dir_only=dir_only)


def read_ignore_file(path: Path) -> list[IgnoreRule]:
    """The rules of one ignore file (an unreadable file gives no rules)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    rules = [parse_rule(line, path.parent) for line in lines]
    return [r for r in rules if r is not None]


def is_ignored(path: Path, rules: Sequence[IgnoreRule], *, is_dir: bool = False) -> bool:
    """Whether the last rule that applies to ``path`` ignores it."""
    ignored = False
    for rule in rules:
        if rule.matches(path, is_dir=is_dir):
            ignored = not rule.negated
    return ignored


def _is_dag_file_candidate(path: Path) -> bool:
    if path.suffix == ".py":
        return True
    if path.suffix == ".zip":
        return zipfile.is_zipfile(path)
    return False


def list_dag_files(dag_folder: str | os.PathLike[str]) -> list[Path]:
    """Every ``.py`` and ``.zip`` file under ``dag_folder`` that no ignore rule excludes, sorted.

    A path to a single file is returned as is (when it exists).
    """
    root = Path(dag_folder)
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(_walk(root))


def _walk(root: Path) -> Iterator[Path]:
    seen: set[str] = set()
    stack: list[tuple[Path, list[IgnoreRule]]] = [(root, [])]
    while stack:
        folder, inherited = stack.pop()
        real = os.path.realpath(folder)
        if real in seen:  # a symlink loop
            continue
        seen.add(real)
        rules = inherited + read_ignore_file(folder / IGNORE_FILE_NAME)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=True):
                if not is_ignored(path, rules, is_dir=True):
                    stack.append((path, rules))
            elif (
                entry.is_file(follow_symlinks=True)
                and _is_dag_file_candidate(path)
                and not is_ignored(path, rules)
            ):
                yield path
