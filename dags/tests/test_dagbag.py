"""The DAG folder imports cleanly and holds exactly the DAGs the project has commands for."""
from __future__ import annotations

import warnings

EXPECTED_DAG_IDS = {"ecomcrm_nightly", "ecomcrm_hourly", "ecomcrm_compliance", "ecomcrm_maintenance"}


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dag_ids(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAG_IDS


def test_dag_files_import_without_deprecation_warnings():
    """No DAG relies on something Airflow has deprecated (it would break on the next upgrade)."""
    from airflow.models import DagBag

    from conftest import DAGS

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DagBag(dag_folder=str(DAGS), include_examples=False)
    ours = [w for w in caught if str(DAGS) in str(w.filename) and issubclass(w.category, DeprecationWarning)]
    assert ours == [], [str(w.message) for w in ours]


def test_every_dag_has_tags_owner_and_docs(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags and "ecomcrm" in dag.tags, dag.dag_id
        assert dag.doc_md, dag.dag_id
        for task in dag.tasks:
            assert task.owner == "ecomcrm", task.task_id
