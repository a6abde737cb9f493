"""The Starlette dashboard: DAG views, the fleet monitor, the REST API."""
