echo "searchpath {{ params.name }}"
