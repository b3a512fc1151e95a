"""Test set-up for the EcomCRM DAGs: a private Airflow home and the DAG folder, set before Airflow is imported.

dags/run-tests sets the same variables; these defaults make a plain `pytest dags/tests` from the venv work too.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"

os.environ.setdefault("AIRFLOW_HOME", str(REPO / "var" / "airflow"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:///" + os.environ["AIRFLOW_HOME"] + "/airflow.db")
os.environ.setdefault("AIRFLOW__CORE__EXECUTOR", "SequentialExecutor")
if str(DAGS) not in sys.path:
    sys.path.insert(0, str(DAGS))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def dagbag():
    from airflow.models import DagBag

    return DagBag(dag_folder=str(DAGS), include_examples=False)


@pytest.fixture(scope="session")
def airflow_db():
    """A fresh SQLite metadata database (the same as `airflow db reset -y`)."""
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    from airflow.utils import db

    db.resetdb()
    return True
