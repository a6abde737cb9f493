"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 21:28:52.764446
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connection",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conn_id", sa.String(length=250), nullable=False),
        sa.Column("conn_type", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("host", sa.String(length=500), nullable=True),
        sa.Column("schema", sa.String(length=500), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("is_encrypted", sa.Boolean(), nullable=False),
        sa.Column("is_extra_encrypted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("conn_id", name=op.f("uq_connection_conn_id")),
    )
    op.create_table(
        "dag",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("fileloc", sa.String(length=1000), nullable=False),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("owners", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("schedule_description", sa.String(length=500), nullable=False),
        sa.Column("timezone", sa.String(length=100), nullable=False),
        sa.Column("max_active_runs", sa.Integer(), nullable=False),
        sa.Column("max_active_tasks", sa.Integer(), nullable=False),
        sa.Column("has_import_errors", sa.Boolean(), nullable=False),
        sa.Column("last_parsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest_version_id", sa.Integer(), nullable=True),
        sa.Column("next_dagrun", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_dagrun_data_interval_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_dagrun_data_interval_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_dagrun_create_after", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("dag_id", name=op.f("pk_dag")),
    )
    op.create_index(op.f("ix_dag_is_active"), "dag", ["is_active"], unique=False)
    op.create_index(
        op.f("ix_dag_next_dagrun_create_after"), "dag", ["next_dagrun_create_after"], unique=False
    )
    op.create_index("ix_dag_paused_active", "dag", ["is_paused", "is_active"], unique=False)
    op.create_table(
        "dag_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("logical_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_interval_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_interval_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_type", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conf", sa.JSON(), nullable=True),
        sa.Column("external_trigger", sa.Boolean(), nullable=False),
        sa.Column("triggered_by", sa.String(length=250), nullable=True),
        sa.Column("dag_version_id", sa.Integer(), nullable=True),
        sa.Column("last_scheduling_decision", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dag_run")),
        sa.UniqueConstraint("dag_id", "logical_date", name=op.f("uq_dag_run_dag_id_logical_date")),
        sa.UniqueConstraint("dag_id", "run_id", name=op.f("uq_dag_run_dag_id_run_id")),
    )
    op.create_index("ix_dag_run_dag_id_state", "dag_run", ["dag_id", "state"], unique=False)
    op.create_index("ix_dag_run_state_queued_at", "dag_run", ["state", "queued_at"], unique=False)
    op.create_table(
        "dag_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("fileloc", sa.String(length=1000), nullable=False),
        sa.Column("source_code", sa.Text(), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dag_version")),
        sa.UniqueConstraint(
            "dag_id", "version_hash", name=op.f("uq_dag_version_dag_id_version_hash")
        ),
    )
    op.create_index(op.f("ix_dag_version_dag_id"), "dag_version", ["dag_id"], unique=False)
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uri", sa.String(length=1500), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset")),
        sa.UniqueConstraint("uri", name=op.f("uq_dataset_uri")),
    )
    op.create_table(
        "import_error",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filename", sa.String(length=1000), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_error")),
    )
    op.create_index(op.f("ix_import_error_filename"), "import_error", ["filename"], unique=False)
    op.create_table(
        "scheduler_job",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hostname", sa.String(length=1000), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loop_duration", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_job")),
    )
    op.create_table(
        "slot_pool",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool", sa.String(length=256), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_pool")),
        sa.UniqueConstraint("pool", name=op.f("uq_slot_pool_pool")),
    )
    op.create_table(
        "task_instance",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("try_number", sa.Integer(), nullable=False),
        sa.Column("max_tries", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(length=250), nullable=True),
        sa.Column("queue", sa.String(length=250), nullable=False),
        sa.Column("pool", sa.String(length=250), nullable=False),
        sa.Column("pool_slots", sa.Integer(), nullable=False),
        sa.Column("priority_weight", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(length=1000), nullable=True),
        sa.Column("worker_name", sa.String(length=250), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_poke_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rendered_fields", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("dag_version_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "dag_id", "run_id", "task_id", "map_index", name=op.f("pk_task_instance")
        ),
    )
    op.create_index(
        "ix_task_instance_dag_id_state", "task_instance", ["dag_id", "state"], unique=False
    )
    op.create_index("ix_task_instance_dag_run", "task_instance", ["dag_id", "run_id"], unique=False)
    op.create_index("ix_task_instance_pool_state", "task_instance", ["pool", "state"], unique=False)
    op.create_index("ix_task_instance_queued_at", "task_instance", ["queued_at"], unique=False)
    op.create_index("ix_task_instance_state", "task_instance", ["state"], unique=False)
    op.create_table(
        "task_try",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("try_number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("operator", sa.String(length=250), nullable=True),
        sa.Column("queue", sa.String(length=250), nullable=True),
        sa.Column("hostname", sa.String(length=1000), nullable=True),
        sa.Column("worker_name", sa.String(length=250), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_try")),
        sa.UniqueConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            "try_number",
            name=op.f("uq_task_try_dag_id_run_id_task_id_map_index_try_number"),
        ),
    )
    op.create_index("ix_task_try_end_date", "task_try", ["end_date"], unique=False)
    op.create_table(
        "tw_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=250), nullable=False),
        sa.Column("email", sa.String(length=500), nullable=False),
        sa.Column("first_name", sa.String(length=250), nullable=False),
        sa.Column("last_name", sa.String(length=250), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tw_user")),
        sa.UniqueConstraint("username", name=op.f("uq_tw_user_username")),
    )
    op.create_table(
        "variable",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("val", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_encrypted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variable")),
        sa.UniqueConstraint("key", name=op.f("uq_variable_key")),
    )
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("hostname", sa.String(length=1000), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("queues", sa.String(length=2000), nullable=False),
        sa.Column("wanted_queues", sa.String(length=2000), nullable=True),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("drain_requested", sa.Boolean(), nullable=False),
        sa.Column("tries_running", sa.Integer(), nullable=False),
        sa.Column("load_1m", sa.Float(), nullable=False),
        sa.Column("log_server_url", sa.String(length=1000), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("name", name=op.f("uq_worker_name")),
    )
    op.create_table(
        "xcom",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xcom")),
        sa.UniqueConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            "key",
            name=op.f("uq_xcom_dag_id_run_id_task_id_map_index_key"),
        ),
    )
    op.create_index("ix_xcom_dag_run", "xcom", ["dag_id", "run_id"], unique=False)
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["tw_user.id"],
            name=op.f("fk_api_token_user_id_tw_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "dag_schedule_dataset",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dag_schedule_dataset_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "dag_id", name=op.f("pk_dag_schedule_dataset")),
    )
    op.create_table(
        "dag_tag",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["dag_id"], ["dag.dag_id"], name=op.f("fk_dag_tag_dag_id_dag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dag_id", "name", name=op.f("pk_dag_tag")),
    )
    op.create_index(op.f("ix_dag_tag_name"), "dag_tag", ["name"], unique=False)
    op.create_table(
        "dataset_dag_run_queue",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("target_dag_id", sa.String(length=250), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_dag_run_queue_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "dataset_id", "target_dag_id", name=op.f("pk_dataset_dag_run_queue")
        ),
    )
    op.create_table(
        "dataset_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("source_dag_id", sa.String(length=250), nullable=True),
        sa.Column("source_run_id", sa.String(length=250), nullable=True),
        sa.Column("source_task_id", sa.String(length=250), nullable=True),
        sa.Column("source_map_index", sa.Integer(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_event_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_event")),
    )
    op.create_index(
        op.f("ix_dataset_event_dataset_id"), "dataset_event", ["dataset_id"], unique=False
    )
    op.create_index(
        op.f("ix_dataset_event_timestamp"), "dataset_event", ["timestamp"], unique=False
    )


def downgrade() -> None:
    # dropping a table drops its indexes (MySQL won't drop one a foreign key uses)
    op.drop_table("dataset_event")
    op.drop_table("dataset_dag_run_queue")
    op.drop_table("dag_tag")
    op.drop_table("dag_schedule_dataset")
    op.drop_table("api_token")
    op.drop_table("xcom")
    op.drop_table("worker")
    op.drop_table("variable")
    op.drop_table("tw_user")
    op.drop_table("task_try")
    op.drop_table("task_instance")
    op.drop_table("slot_pool")
    op.drop_table("scheduler_job")
    op.drop_table("import_error")
    op.drop_table("dataset")
    op.drop_table("dag_version")
    op.drop_table("dag_run")
    op.drop_table("dag")
    op.drop_table("connection")
