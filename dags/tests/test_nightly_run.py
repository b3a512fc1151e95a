"""`dag.test()` of ecomcrm_nightly for a fixed logical date against a throwaway warehouse, checking what it published.

The world of this test, dropped and made afresh each run, never the demo's or the other tests' data:
PostgreSQL database `ecomcrm_airflow` (Iceberg catalog and app tables), ClickHouse database `ecomcrm_airflow`,
and a landing zone and Iceberg warehouse in a temporary directory. Input arrives the way the demo's does
(bin/demo): the Shopify simulator serves a seeded store and BulkImportMain imports it by a bulk operation.
The expected numbers come from the simulator's own `generate` manifest for the same seed.

Needs the local servers (`bin/services start`) and a built project (`make build`).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pendulum
import pytest

from conftest import REPO

DATABASE = "ecomcrm_airflow"
LOGICAL_DATE = pendulum.datetime(2026, 6, 30, 2, 0, tz="UTC")
DS = LOGICAL_DATE.to_date_string()
HISTORY_END = LOGICAL_DATE.add(days=1).to_date_string()  # the simulated history ends with the logical date
SEED = "20260630"
CUSTOMERS = "250"
NIGHTLY_TASKS = ("migrate", "ingest", "rfm", "predictions", "transitions", "kpis", "email_performance", "insights",
                 "publish")

# The servers bin/services started: ECOMCRM_PG_PORT moves PostgreSQL (a CI check beside a developer's servers).
PG_PORT = int(os.environ.get("ECOMCRM_PG_PORT", "55432"))
PG = {"host": "127.0.0.1", "port": PG_PORT, "user": "ecomcrm", "password": "ecomcrm", "dbname": "ecomcrm"}
CH_URL = os.environ.get("ECOMCRM_CH_URL", "http://127.0.0.1:58123")


def clickhouse(sql: str, database: str | None = None) -> list[dict]:
    """One statement over ClickHouse's HTTP interface (works with 18.16); rows of a `FORMAT JSONEachRow` read."""
    url = CH_URL + "/" + ("?" + urllib.parse.urlencode({"database": database}) if database else "")
    request = urllib.request.Request(url, data=sql.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read().decode()
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def postgres_admin(*statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(**PG)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def drop_databases() -> None:
    postgres_admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    clickhouse(f"DROP DATABASE IF EXISTS {DATABASE}")


def project_command(module: str, main: str, *args: str) -> list[str]:
    """`bin/run MODULE MAIN ARGS` with the development settings for whatever the environment does not set."""
    return ["bash", "-c", 'source bin/dev-env && exec bin/run "$@"', "bin/run", module, main, *args]


def bin_run(env: dict, log: Path, module: str, main: str, *args: str, timeout: int = 600) -> str:
    with open(log, "w") as out:
        result = subprocess.run(project_command(module, main, *args), cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout)
    text = log.read_text()
    assert result.returncode == 0, f"{main} {' '.join(args)} exited {result.returncode}:\n{text[-4000:]}"
    return text


def require_servers_and_build() -> None:
    try:
        clickhouse("SELECT 1 FORMAT JSONEachRow")
        postgres_admin("SELECT 1")
    except Exception as e:  # noqa: BLE001 - any failure means the same thing here
        pytest.fail(f"the local servers are not reachable ({e}); run `bin/services start`")
    for module in ("pipelines", "api-server", "test-support", "warehouse-schema"):
        if not (REPO / module / "target" / "runtime-classpath.txt").exists():
            pytest.fail(f"{module} is not built; run `make build`")


def start_simulator(env: dict, log: Path) -> tuple[subprocess.Popen, str, str, str]:
    """The simulator on an ephemeral port; returns the process, the admin URL template, a shop and its token."""
    out = open(log, "w")
    process = subprocess.Popen(
        project_command("test-support", "com.ecomcrm.testing.shopify.SimulatorMain", "serve", "--seed", SEED,
                        "--shops", "1", "--customers", CUSTOMERS, "--history-end", HISTORY_END, "--port", "0"),
        cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        shops = [line.split() for line in lines if ".myshopify.com shpat_" in line]
        admin = [line.split("=", 1)[1] for line in lines if line.startswith("ECOMCRM_SHOPIFY_ADMIN_URL=")]
        if shops and admin:
            return process, admin[0], shops[0][0], shops[0][1]
        if process.poll() is not None:
            break
        time.sleep(0.5)
    stop(process)
    pytest.fail(f"the simulator did not start:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A throwaway warehouse with one simulated shop landed; the environment the DAG's tasks run in."""
    require_servers_and_build()
    work = tmp_path_factory.mktemp("warehouse")
    env = {
        **os.environ,
        "ECOMCRM_PG_URL": f"jdbc:postgresql://127.0.0.1:{PG_PORT}/{DATABASE}",
        "ECOMCRM_CH_DATABASE": DATABASE,
        "ECOMCRM_WAREHOUSE_DIR": str(work / "warehouse"),
        "ECOMCRM_LANDING_DIR": str(work / "landing"),
        "ECOMCRM_HOME": str(REPO),
    }
    drop_databases()
    postgres_admin(f"CREATE DATABASE {DATABASE}")

    # What the simulator holds for this seed, from its own manifest.
    bin_run(env, work / "generate.log", "test-support", "com.ecomcrm.testing.shopify.SimulatorMain", "generate",
            "--seed", SEED, "--shops", "1", "--customers", CUSTOMERS, "--history-end", HISTORY_END,
            "--out", str(work / "generated"))
    manifest = json.loads((work / "generated" / "manifest.json").read_text())

    # The app's tables first (the bulk import records its operations in PostgreSQL), as bin/demo does.
    bin_run(env, work / "migrate.log", "warehouse-schema", "com.ecomcrm.schema.SchemaMigrator")
    simulator, admin_url, shop, token = start_simulator(env, work / "simulator.log")
    try:
        bin_run({**env, "ECOMCRM_SHOPIFY_ADMIN_URL": admin_url}, work / "bulk-import.log",
                "api-server", "com.ecomcrm.api.shopify.BulkImportMain", shop, token)
    finally:
        stop(simulator)
    expected = next(entry for entry in manifest["shops"] if entry["shop"] == shop)

    yield {"env": env, "shop": shop, "expected": expected, "work": work}

    if os.environ.get("ECOMCRM_AIRFLOW_KEEP") != "1":
        drop_databases()


@pytest.fixture
def task_environment(warehouse):
    """The DAG's tasks inherit the test process's environment (BashOperator append_env): point it at the warehouse."""
    saved = dict(os.environ)
    os.environ.update(warehouse["env"])
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def published(shop: str) -> dict:
    latest = clickhouse(
        f"SELECT publish_id, toString(as_of_date) AS as_of_date, customers FROM shop_publications "
        f"WHERE shop_id = '{shop}' ORDER BY publish_id DESC LIMIT 1 FORMAT JSONEachRow", DATABASE)
    assert latest, f"no publication for {shop}"
    publication = latest[0]
    publish_id = int(publication["publish_id"])
    summary = clickhouse(
        f"SELECT segment, toString(as_of_date) AS as_of_date, customers, revenue_cents FROM segment_summary "
        f"WHERE shop_id = '{shop}' AND publish_id = {publish_id} FORMAT JSONEachRow", DATABASE)
    rfm = clickhouse(
        f"SELECT count() AS n, uniqExact(customer_id) AS distinct_customers FROM customer_rfm "
        f"WHERE shop_id = '{shop}' AND publish_id = {publish_id} FORMAT JSONEachRow", DATABASE)[0]
    kpis = clickhouse(
        f"SELECT count() AS days, toString(max(kpi_date)) AS last_day FROM shop_daily_kpis "
        f"WHERE shop_id = '{shop}' AND publish_id = {publish_id} FORMAT JSONEachRow", DATABASE)[0]
    transitions = clickhouse(
        f"SELECT DISTINCT toString(to_date) AS to_date FROM segment_transitions "
        f"WHERE shop_id = '{shop}' AND publish_id = {publish_id} FORMAT JSONEachRow", DATABASE)
    return {"publication": publication, "summary": summary, "rfm": rfm, "publish_id": publish_id, "kpis": kpis,
            "transitions": transitions}


def run_nightly():
    from airflow.models import DagBag
    from airflow.utils.state import DagRunState, TaskInstanceState

    from conftest import DAGS

    dag = DagBag(dag_folder=str(DAGS), include_examples=False).get_dag("ecomcrm_nightly")  # a copy of its own
    # dag.test() waits out a failed task's real retry delay (minutes); here a failure should fail the test at once.
    # The retry settings themselves are checked in test_structure.py.
    for task in dag.tasks:
        task.retries = 0
    run = dag.test(execution_date=LOGICAL_DATE)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {t: TaskInstanceState.SUCCESS for t in NIGHTLY_TASKS}, states
    assert run.state == DagRunState.SUCCESS
    return run


def test_nightly_run_publishes_the_logical_dates_segments(airflow_db, warehouse, task_environment):
    shop, expected = warehouse["shop"], warehouse["expected"]
    run = run_nightly()
    assert run.logical_date == LOGICAL_DATE

    first = published(shop)
    assert first["publication"]["as_of_date"] == DS
    assert {row["as_of_date"] for row in first["summary"]} == {DS}
    assert sum(int(row["customers"]) for row in first["summary"]) == expected["customers"]
    assert int(first["publication"]["customers"]) == expected["customers"]
    assert int(first["rfm"]["n"]) == int(first["rfm"]["distinct_customers"]) == expected["customers"]
    # Published revenue is net (refunds off, cancelled and test orders out): positive, at most the simulated gross.
    revenue_cents = round(float(expected["revenue"]) * 100)
    assert sum(int(row["revenue_cents"]) for row in first["summary"]) <= revenue_cents
    assert sum(int(row["revenue_cents"]) for row in first["summary"]) > 0
    # KPIs of the shop's history up to the logical date, never past it; movement (if any) into the logical date.
    assert int(first["kpis"]["days"]) > 0 and first["kpis"]["last_day"] <= DS
    assert {row["to_date"] for row in first["transitions"]} <= {DS}

    # Idempotent for its date: running the same night again (dag.test replaces the earlier run of that date)
    # publishes the same numbers under a newer publication.
    run_nightly()
    second = published(shop)
    assert second["publish_id"] > first["publish_id"]
    assert second["publication"]["as_of_date"] == DS
    key = lambda rows: sorted((r["segment"], r["customers"], r["revenue_cents"]) for r in rows)  # noqa: E731
    assert key(second["summary"]) == key(first["summary"])
