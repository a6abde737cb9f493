"""DAG-file parsing: the ignore rules, one file's import with a time limit, the DagBag."""

from tradewind.parsing.dagbag import CollectResult, DagBag
from tradewind.parsing.ignore import list_dag_files
from tradewind.parsing.loader import LoadedFile, load_file

__all__ = ["CollectResult", "DagBag", "LoadedFile", "list_dag_files", "load_file"]
