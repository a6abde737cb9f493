"""A task with outlets that succeeds records dataset events and queues consuming DAGs."""

from __future__ import annotations

from sqlalchemy import select

from tradewind.metastore.models import Dataset, DatasetDagRunQueue, DatasetEvent

URI = "file:///tmp/rt/orders.csv"


def test_a_successful_outlet_records_an_event_and_queues_the_consumer(rt, tw_any, metastore):
    assert rt.dags_test(tw_any, "rt_consumer")[0] == 0  # registers the consumer's schedule
    code, result = rt.dags_test(tw_any, "rt_producer")
    assert code == 0, result
    with metastore.session() as session:
        dataset = session.execute(select(Dataset).where(Dataset.uri == URI)).scalar_one()
        events = session.execute(select(DatasetEvent)).scalars().all()
        assert [(e.dataset_id, e.source_dag_id, e.source_task_id) for e in events] == [
            (dataset.id, "rt_producer", "write_orders")
        ]
        queued = session.execute(select(DatasetDagRunQueue)).scalars().all()
        assert [(q.dataset_id, q.target_dag_id) for q in queued] == [(dataset.id, "rt_consumer")]


def test_running_the_producer_twice_keeps_one_queue_row_and_two_events(rt, tw, sqlite_metastore):
    rt.dags_test(tw, "rt_consumer")
    rt.dags_test(tw, "rt_producer")
    code, _ = tw("dags", "test", "rt_producer", "2024-01-02", "-o", "json")[0:2]
    assert code == 0
    with sqlite_metastore.session() as session:
        assert len(session.execute(select(DatasetEvent)).scalars().all()) == 2
        assert len(session.execute(select(DatasetDagRunQueue)).scalars().all()) == 1
