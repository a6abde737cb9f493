"""`.tradewindignore`: gitignore-style glob patterns, per folder, applying below it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tradewind.parsing.ignore import is_ignored, list_dag_files, parse_rule


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# dag\n")


def _names(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in list_dag_files(root)]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("*.py", "a.py", False, True),
        ("*.py", "sub/deep/a.py", False, True),
        ("a?.py", "ab.py", False, True),
        ("a?.py", "a/.py", False, False),
        ("/top.py", "top.py", False, True),
        ("/top.py", "sub/top.py", False, False),
        ("sub/*.py", "sub/x.py", False, True),
        ("sub/*.py", "sub/deeper/x.py", False, False),
        ("sub/**/x.py", "sub/a/b/x.py", False, True),
        ("**/x.py", "x.py", False, True),
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("data_[0-9].py", "data_7.py", False, True),
        ("data_[!0-9].py", "data_7.py", False, False),
        ("vendor", "vendor/lib/mod.py", False, True),
    ],
)
def test_a_glob_pattern_matches_like_gitignore(
    tmp_path: Path, pattern: str, path: str, is_dir: bool, expected: bool
) -> None:
    rule = parse_rule(pattern, tmp_path)
    assert rule is not None
    assert is_ignored(tmp_path / path, [rule], is_dir=is_dir) is expected


def test_comments_and_blank_lines_are_not_rules(tmp_path: Path) -> None:
    assert parse_rule("# a comment", tmp_path) is None
    assert parse_rule("   ", tmp_path) is None


def test_only_py_and_zip_files_are_listed_sorted(tmp_path: Path) -> None:
    _touch(tmp_path, "b.py", "a.py", "notes.txt", "sub/c.py")
    with zipfile.ZipFile(tmp_path / "packed.zip", "w") as archive:
        archive.writestr("d.py", "x = 1\n")
    (tmp_path / "fake.zip").write_text("not a zip")
    assert _names(tmp_path) == ["a.py", "b.py", "packed.zip", "sub/c.py"]


def test_an_ignore_file_applies_to_its_folder_and_below_only(tmp_path: Path) -> None:
    _touch(tmp_path, "skip_me.py", "sub/skip_me.py", "sub/keep.py", "sub/deep/helper.py")
    (tmp_path / "sub" / ".tradewindignore").write_text("skip_me.py\ndeep/\n")
    assert _names(tmp_path) == ["skip_me.py", "sub/keep.py"]


def test_a_negated_pattern_re_includes_a_file_and_the_last_rule_wins(tmp_path: Path) -> None:
    _touch(tmp_path, "tmp_a.py", "tmp_keep.py", "main.py")
    (tmp_path / ".tradewindignore").write_text("# scratch files\ntmp_*\n!tmp_keep.py\n")
    assert _names(tmp_path) == ["main.py", "tmp_keep.py"]


def test_rules_of_a_parent_folder_reach_nested_folders(tmp_path: Path) -> None:
    _touch(tmp_path, "a/b/c/test_x.py", "a/b/c/real.py")
    (tmp_path / ".tradewindignore").write_text("test_*.py\n")
    assert _names(tmp_path) == ["a/b/c/real.py"]


def test_a_single_file_path_is_listed_as_is(tmp_path: Path) -> None:
    _touch(tmp_path, "one.py")
    assert list_dag_files(tmp_path / "one.py") == [tmp_path / "one.py"]
    assert list_dag_files(tmp_path / "missing") == []
