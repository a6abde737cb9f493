"""The authoring SDK: everything a DAG file imports (DAG, TaskFlow, groups, params)."""
