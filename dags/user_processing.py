"""The seed notes' ``user_processing`` pipeline: create a table, wait for the users API, extract
a user, flatten it to CSV and COPY it into Postgres.

Needs two connections (the DAG imports fine without them; its tasks need them to run):

    tradewind connections add postgres --conn-uri postgresql://postgres@127.0.0.1:5432/postgres
    tradewind connections add user_api --conn-uri https://randomuser.me

The course used pandas' ``json_normalize`` to write the CSV; the csv module does the same here.
"""

import csv
import json
from datetime import datetime

from tradewind import DAG
from tradewind.hooks.postgres import PostgresHook
from tradewind.operators.http import SimpleHttpOperator
from tradewind.operators.postgres import PostgresOperator
from tradewind.operators.python import PythonOperator
from tradewind.sensors.http import HttpSensor

PROCESSED_CSV = "/tmp/processed_user.csv"


def _process_user(ti):
    user = ti.xcom_pull(task_ids="extract_user")
    user = user["results"][0]
    processed_user = {
        "firstname": user["name"]["first"],
        "lastname": user["name"]["last"],
        "country": user["location"]["country"],
        "username": user["login"]["username"],
        "password": user["login"]["password"],
        "email": user["email"],
    }
    with open(PROCESSED_CSV, "w", newline="") as fh:
        csv.writer(fh).writerow(processed_user.values())


def _store_user():
    hook = PostgresHook(postgres_conn_id="postgres")
    hook.copy_expert(sql="COPY users FROM stdin WITH DELIMITER as ','", filename=PROCESSED_CSV)


with DAG(
    "user_processing",
    start_date=datetime(2024, 1, 1),
    schedule_interval="@daily",
    catchup=False,
    tags=["example", "seed"],
) as dag:
    create_table = PostgresOperator(
        task_id="create_table",
        postgres_conn_id="postgres",
        sql="""
        CREATE TABLE IF NOT EXISTS users(
            firstname TEXT NOT NULL,
            lastname TEXT NOT NULL,
            country TEXT NOT NULL,
            username TEXT NOT NULL,
            password TEXT NOT NULL,
            email TEXT NOT NULL
        );
        """,
    )

    is_api_available = HttpSensor(
        task_id="is_api_available",
        http_conn_id="user_api",
        endpoint="api/",
        poke_interval=5,
        timeout=60,
    )

    extract_user = SimpleHttpOperator(
        task_id="extract_user",
        http_conn_id="user_api",
        endpoint="api/",
        method="GET",
        response_filter=lambda response: json.loads(response.text),
        log_response=True,
    )

    process_user = PythonOperator(task_id="process_user", python_callable=_process_user)

    store_user = PythonOperator(task_id="store_user", python_callable=_store_user)

    create_table >> is_api_available >> extract_user >> process_user >> store_user
