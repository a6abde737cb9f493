echo "hello from {{ dag.dag_id }} on {{ ds_nodash }}"
