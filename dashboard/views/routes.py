"""Page routes (server-rendered HTML), and the small form handlers behind their buttons."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route


def page_routes() -> list[BaseRoute]:
    from dashboard.views import admin, browse, dag_views, fleet, home, task_views

    dag = "/dags/{dag_id}"
    run = dag + "/runs/{run_id}"
    ti = run + "/tasks/{task_id}"
    return [
        Route("/", home.home, name="home"),
        Route(dag + "/pause", home.pause, methods=["POST"]),
        Route(dag + "/trigger", home.trigger_form, methods=["GET"]),
        Route(dag + "/trigger", home.trigger, methods=["POST"]),
        Route(dag + "/delete", home.delete, methods=["POST"]),
        Route(dag, dag_views.grid, name="dag"),
        Route(dag + "/grid", dag_views.grid),
        Route(dag + "/graph", dag_views.graph),
        Route(dag + "/gantt", dag_views.gantt),
        Route(dag + "/calendar", dag_views.calendar),
        Route(dag + "/duration", dag_views.duration),
        Route(dag + "/landing", dag_views.landing),
        Route(dag + "/code", dag_views.code),
        Route(dag + "/details", dag_views.details),
        Route(run, task_views.run_page),
        Route(run + "/{action:str}", task_views.run_action, methods=["POST"]),
        Route(ti, task_views.task_instance_page),
        Route(ti + "/log", task_views.task_log),
        Route(ti + "/{action:str}", task_views.ti_action, methods=["POST"]),
        Route("/browse/runs", browse.runs),
        Route("/browse/task-instances", browse.task_instances),
        Route("/browse/xcoms", browse.xcoms),
        Route("/browse/dataset-events", browse.dataset_events),
        Route("/admin/connections", admin.connections, methods=["GET"]),
        Route("/admin/connections", admin.connection_save, methods=["POST"]),
        Route("/admin/connections/{conn_id}/delete", admin.connection_delete, methods=["POST"]),
        Route("/admin/variables", admin.variables, methods=["GET"]),
        Route("/admin/variables", admin.variable_save, methods=["POST"]),
        Route("/admin/variables/{key}/delete", admin.variable_delete, methods=["POST"]),
        Route("/admin/pools", admin.pools, methods=["GET"]),
        Route("/admin/pools", admin.pool_save, methods=["POST"]),
        Route("/admin/pools/{name}/delete", admin.pool_delete, methods=["POST"]),
        Route("/admin/users", admin.users, methods=["GET"]),
        Route("/admin/users", admin.user_create, methods=["POST"]),
        Route("/admin/users/{username}/{action:str}", admin.user_action, methods=["POST"]),
        Route("/fleet", fleet.fleet),
        Route("/fleet/data.json", fleet.fleet_data),
        Route("/fleet/workers/{name}/{action:str}", fleet.worker_action, methods=["POST"]),
    ]
