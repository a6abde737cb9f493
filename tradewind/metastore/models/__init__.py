"""The metastore's tables. Rows are dumb: columns, indexes, relationships; behaviour lives in
the service modules beside this package."""

from tradewind.metastore.models.base import Base, UtcDateTime, utcnow
from tradewind.metastore.models.dags import DagModel, DagTag, DagVersion, ImportError_
from tradewind.metastore.models.datasets import (
    DagScheduleDataset,
    Dataset,
    DatasetDagRunQueue,
    DatasetEvent,
)
from tradewind.metastore.models.fleet import ApiToken, SchedulerJob, User, Worker
from tradewind.metastore.models.runs import DagRun, TaskInstance, TaskTry, XCom
from tradewind.metastore.models.secrets import Connection, Pool, Variable

__all__ = [
    "ApiToken",
    "Base",
    "Connection",
    "DagModel",
    "DagRun",
    "DagScheduleDataset",
    "DagTag",
    "DagVersion",
    "Dataset",
    "DatasetDagRunQueue",
    "DatasetEvent",
    "ImportError_",
    "Pool",
    "SchedulerJob",
    "TaskInstance",
    "TaskTry",
    "User",
    "UtcDateTime",
    "Variable",
    "Worker",
    "XCom",
    "utcnow",
]
