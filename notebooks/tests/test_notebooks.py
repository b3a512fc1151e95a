"""Runs every notebook top to bottom on real data, and checks its numbers against ClickHouse.

The data is made the way bin/demo makes it, in throwaway databases so the demo's are never touched: PostgreSQL and
ClickHouse databases `ecomcrm_notebooks`, landing zone and Iceberg warehouse under var/notebooks-test/. The Shopify
simulator serves one seeded shop whose history ends on the second logical date; BulkImportMain imports it through a
bulk operation; the nightly pipeline runs for two logical dates (a month apart, the earlier one first, as a backfill
would), so gold.customer_rfm holds two snapshots and the segment movement between them is real. Then each notebook
runs with papermill (parameters: the shop and the throwaway databases) and its SUMMARY line must equal what
ClickHouse serves.

Needs the local servers (bin/services start) and the Java modules built (make build); notebooks/run-tests does both.
Executed notebooks (with outputs) are kept under var/notebooks-test/executed/ for a look after a failure.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import nbformat
import papermill
import psycopg2
import pytest

import ecomcrm_warehouse as ew

ROOT = ew.REPO_ROOT
NOTEBOOKS = ROOT / "notebooks"
WORK = ROOT / "var" / "notebooks-test"
DATABASE = "ecomcrm_notebooks"
SEED = 20261129
CUSTOMERS = 400
FIRST_DATE = "2026-04-30"
SECOND_DATE = "2026-05-31"
HISTORY_END = "2026-06-01"  # the simulated history ends with the second logical date
MODULES = ["warehouse-schema", "test-support", "api-server", "pipelines"]


def run(args: list[str], env: dict, log: Path, timeout: float = 900) -> None:
    """bin/run ... with the dev settings of bin/dev-env under `env`'s overrides; output to `log`."""
    with open(log, "wb") as out:
        result = subprocess.run(["bash", "-c", 'source bin/dev-env && exec "$@"', "bash", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}); log {log}:\n"
                             + log.read_text(errors="replace")[-4000:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_databases(settings: ew.Settings) -> ew.Settings:
    main = ew.Settings.from_env()
    connection = psycopg2.connect(main.sqlalchemy_url().replace("postgresql+psycopg2", "postgresql"))
    try:
        connection.autocommit = True  # DROP/CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        connection.close()
    ew.ch_post(f"DROP DATABASE IF EXISTS {DATABASE}", main, database="")
    return settings


@pytest.fixture(scope="session")
def warehouse() -> dict:
    """Builds the throwaway warehouse once per session; returns the env, the settings and the shop. With
    ECOMCRM_NOTEBOOKS_REUSE=1 the warehouse a previous run built is reused (for working on a notebook)."""
    state = WORK / "warehouse.json"
    if os.environ.get("ECOMCRM_NOTEBOOKS_REUSE") == "1" and state.exists():
        saved = json.loads(state.read_text())
        settings = ew.Settings.from_env(pg_database=DATABASE, ch_database=DATABASE,
                                        warehouse_dir=saved["warehouse_dir"])
        return {"env": dict(os.environ), "settings": settings, "shop": saved["shop"],
                "warehouse_dir": Path(saved["warehouse_dir"])}
    for module in MODULES:
        if not (ROOT / module / "target" / "runtime-classpath.txt").exists():
            pytest.fail(f"{module} is not built: run `make build` (notebooks/run-tests builds when needed)")
    if shutil.which("java") is None:
        pytest.fail("java is not on PATH")
    if WORK.exists():
        shutil.rmtree(WORK)
    logs = WORK / "log"
    logs.mkdir(parents=True)
    warehouse_dir, landing_dir = WORK / "warehouse", WORK / "landing"
    settings = ew.Settings.from_env(pg_database=DATABASE, ch_database=DATABASE, warehouse_dir=warehouse_dir)
    fresh_databases(settings)
    env = dict(os.environ)
    env.update(ECOMCRM_PG_URL=settings.pg_url, ECOMCRM_CH_DATABASE=DATABASE,
               ECOMCRM_WAREHOUSE_DIR=str(warehouse_dir), ECOMCRM_LANDING_DIR=str(landing_dir),
               JAVA_OPTS=os.environ.get("JAVA_OPTS", "-Xmx2g"))
    timings = {}

    started = time.monotonic()
    run(["bin/run", "warehouse-schema", "com.ecomcrm.schema.SchemaMigrator"], env, logs / "migrate.log")
    timings["migrate"] = time.monotonic() - started

    port = free_port()
    simulator_log = logs / "simulator.log"
    with open(simulator_log, "wb") as out:
        simulator = subprocess.Popen(
            ["bash", "-c", 'source bin/dev-env && exec "$@"', "bash", "bin/run", "test-support",
             "com.ecomcrm.testing.shopify.SimulatorMain", "serve", "--seed", str(SEED), "--shops", "1",
             "--customers", str(CUSTOMERS), "--history-end", HISTORY_END, "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.monotonic()
        shop_line = None
        while shop_line is None:
            text = simulator_log.read_text(errors="replace")
            shop_line = next((line for line in text.splitlines() if re.search(r"\.myshopify\.com shpat_", line)), None)
            if simulator.poll() is not None:
                pytest.fail(f"the simulator exited; see {simulator_log}:\n{text[-3000:]}")
            if time.monotonic() - started > 180:
                pytest.fail(f"the simulator did not start in 180 s; see {simulator_log}")
            time.sleep(0.5)
        admin_url = re.search(r"^ECOMCRM_SHOPIFY_ADMIN_URL=(.*)$", text, re.MULTILINE).group(1)
        shop, token = shop_line.split()[:2]
        started = time.monotonic()
        run(["bin/run", "api-server", "com.ecomcrm.api.shopify.BulkImportMain", shop, token],
            dict(env, ECOMCRM_SHOPIFY_ADMIN_URL=admin_url), logs / "bulk-import.log")
        timings["bulk import"] = time.monotonic() - started
    finally:
        # Our own simulator only: its process group (bin/run execs java in it).
        if simulator.poll() is None:
            os.killpg(simulator.pid, signal.SIGTERM)
            try:
                simulator.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(simulator.pid, signal.SIGKILL)
                simulator.wait()

    email_fixture(settings, shop)
    for date in (FIRST_DATE, SECOND_DATE):
        started = time.monotonic()
        run(["bin/run", "pipelines", "com.ecomcrm.pipelines.NightlyPipeline", "--date", date], env,
            logs / f"pipeline-{date}.log")
        timings[f"pipeline {date}"] = time.monotonic() - started
    print("warehouse built:", {k: round(v, 1) for k, v in timings.items()})
    state.write_text(json.dumps({"shop": shop, "warehouse_dir": str(warehouse_dir)}))
    return {"env": env, "settings": settings, "shop": shop, "warehouse_dir": warehouse_dir}


EMAIL_SENT_AT = "2026-05-20T10:00:00Z"


def email_fixture(settings: ew.Settings, shop: str) -> None:
    """What the email engine and the tracking routes would have written for the shop: a welcome flow, three emails
    sent on May 20 (one opened and clicked, one fetched by a privacy proxy only, one bounced) and a test send that
    must count nowhere. The nightly email_performance stage copies them into the lakehouse."""
    connection = psycopg2.connect(settings.sqlalchemy_url().replace("postgresql+psycopg2", "postgresql"))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("INSERT INTO templates (shop_domain, name) VALUES (%s, 'Welcome') RETURNING id", (shop,))
            template = cursor.fetchone()[0]
            cursor.execute("INSERT INTO flows (shop_domain, kind, enabled, template_id) VALUES (%s, 'welcome', true, %s)"
                           " RETURNING id", (shop, template))
            flow = cursor.fetchone()[0]
            sends = []
            for customer, test in ((1, False), (2, False), (3, False), (1, True)):
                key = f"notebooks-{customer}-{test}"
                cursor.execute(
                    "INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, status,"
                    " due_at, template_id, template_version, is_test, sent_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, 'SENT', now(), %s, 1, %s, %s) RETURNING id",
                    (shop, None if test else flow, customer, f"c{customer}@example.com", key, key, template, test,
                     EMAIL_SENT_AT))
                sends.append(cursor.fetchone()[0])
            for send, kind, at, machine in ((sends[0], "open", "2026-05-20T11:00:00Z", None),
                                            (sends[0], "click", "2026-05-20T11:01:00Z", None),
                                            (sends[1], "open", "2026-05-20T10:01:00Z", "privacy_proxy"),
                                            (sends[2], "bounce", "2026-05-20T10:02:00Z", None),
                                            (sends[3], "open", "2026-05-20T10:03:00Z", None)):
                cursor.execute("INSERT INTO email_events (shop_domain, send_id, kind, occurred_at, machine,"
                               " machine_reason) VALUES (%s, %s, %s, %s, %s, %s)",
                               (shop, send, kind, at, machine is not None, machine))
    finally:
        connection.close()


def execute(notebook: str, warehouse: dict, label: str = "", **parameters) -> dict:
    """Runs notebooks/<notebook> with papermill and returns its SUMMARY values."""
    executed = WORK / "executed"
    executed.mkdir(parents=True, exist_ok=True)
    output = executed / (Path(notebook).stem + label + ".ipynb")
    params = {"shop": warehouse["shop"], "pg_database": DATABASE, "ch_database": DATABASE,
              "warehouse_dir": str(warehouse["warehouse_dir"])}
    params.update(parameters)
    papermill.execute_notebook(str(NOTEBOOKS / notebook), str(output), parameters=params, cwd=str(NOTEBOOKS),
                               kernel_name="python3", execution_timeout=600, progress_bar=False,
                               log_output=False)
    nb = nbformat.read(output, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{notebook} raised: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    lines = [line for c in nb.cells if "summary" in c.metadata.get("tags", []) for o in c.get("outputs", [])
             if o.output_type == "stream" for line in o.text.splitlines() if line.startswith("SUMMARY ")]
    assert len(lines) == 1, f"{notebook} printed {len(lines)} SUMMARY lines in its summary cell"
    name, values = lines[0].split(" ", 2)[1:]
    assert name == Path(notebook).stem
    values = json.loads(values)
    values["_images"] = images
    return values


def test_every_notebook_is_covered():
    stored = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert stored == sorted(CHECKS), "each notebook needs a check in test_notebooks.py"


def check_rfm_segments(warehouse: dict, summary: dict) -> None:
    settings, shop = warehouse["settings"], warehouse["shop"]
    publication = ew.latest_publication(shop, settings)
    assert publication["as_of_date"] == SECOND_DATE
    served = {r["segment"]: [r["customers"], r["revenue_cents"]]
              for r in ew.segment_summary(shop, settings).to_dict("records")}
    assert summary["shop"] == shop and summary["as_of"] == SECOND_DATE and summary["compare_to"] == FIRST_DATE
    assert summary["snapshots"] == 2
    assert summary["segments"] == served
    assert summary["customers"] == sum(c for c, _ in served.values()) == publication["customers"]
    assert summary["revenue_cents"] == sum(r for _, r in served.values())
    assert summary["clickhouse_checked"] is True
    assert summary["movement_customers"] >= summary["customers"] > 0
    assert summary["moved"] > 0, "a month apart, some customers must have changed segment"
    assert summary["transitions_agree"] is not False, "gold.segment_transitions differs from the notebook's movement"
    assert summary["_images"] >= 4


def check_cohort_retention_clv(warehouse: dict, summary: dict) -> None:
    settings, shop = warehouse["settings"], warehouse["shop"]
    publication = ew.latest_publication(shop, settings)
    served_buyers = ew.ch_rows(
        "SELECT count() AS n FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p} AND frequency > 0",
        settings, shop=shop, p=publication["publish_id"])[0]["n"]
    assert summary["as_of"] == SECOND_DATE
    assert summary["buyers"] == summary["cohort_customers"] == served_buyers > 0
    assert summary["clickhouse_buyers"] == summary["iceberg_buyers"] == served_buyers
    assert 0 < summary["repeat_buyers"] <= summary["buyers"] <= summary["counted_orders"]
    assert summary["cohorts"] > 1
    assert summary["_images"] >= 3


def check_clv_calibration(warehouse: dict, summary: dict) -> None:
    """Calibration at the first logical date, holdout to the second: the fit the pipeline wrote for the first date,
    and the shop's counted orders of the month after it."""
    settings, shop = warehouse["settings"], warehouse["shop"]
    assert summary["source"] == "shop" and summary["shop"] == shop
    assert summary["calibration_end"] == FIRST_DATE and summary["holdout_end"] == SECOND_DATE
    assert summary["holdout_weeks"] == pytest.approx(31 / 7)
    # The notebook's fit is the pipeline's, and the pipeline served the same numbers for its newest date.
    catalog = ew.iceberg_catalog(settings)
    fits = ew.read_iceberg(catalog, "gold.shop_model_fits", shop)
    fit = fits[fits["as_of_date"].astype(str) == FIRST_DATE].iloc[0]
    assert summary["params"] == pytest.approx({k: fit[k] for k in ("r", "alpha", "a", "b", "p", "q", "v")})
    assert summary["fit_status"] == fit["status"]
    assert summary["clickhouse_fit_agrees"] is True
    # Two implementations of one model (Java in the pipeline, numpy here) on the same customers: the same
    # (x, t_x, T) and the same E[Y(30 days)] to rounding.
    assert summary["pipeline_triples_agree"] is True
    assert summary["pipeline_e30_max_error"] < 1e-9
    predictions = ew.read_iceberg(catalog, "gold.customer_predictions", shop,
                                  row_filter=f"as_of_date = '{FIRST_DATE}'")
    assert summary["customers"] == int((predictions["prediction_status"] == "PREDICTED").sum()) > 0
    # Predicted against actual holdout purchase days, in total. The actual count is a sum of many customers'
    # Poisson-like counts, so its sampling sd is about sqrt(predicted); the simulator's behaviour is not exactly
    # BG/NBD either. Within 4 sd plus 25% of the prediction for model error: a wrong time unit (days for weeks),
    # a wrong holdout length or a broken formula is off by far more (factors of 7, or more than 2).
    actual, predicted = summary["holdout_actual"], summary["holdout_predicted"]
    assert predicted > 0 and actual > 0
    assert abs(actual - predicted) <= 4 * predicted ** 0.5 + 0.25 * predicted, (actual, predicted)
    assert sum(row["actual"] for row in summary["by_x"]) == actual
    assert sum(row["predicted"] for row in summary["by_x"]) == pytest.approx(predicted, abs=1e-3)
    assert sum(row["customers"] for row in summary["by_x"]) == summary["customers"]
    # The ranking is informative: the top CLV decile brings more holdout revenue than an average decile.
    assert summary["top_clv_decile_share"] > 0.1
    assert summary["cohort_customers"] >= summary["customers"] and summary["cohorts"] > 1
    assert summary["_images"] >= 3


def test_clv_calibration_on_cdnow_reproduces_the_models_report():
    """The CDNOW sample of the published fits: the parameters of the project's CdnowReport (Fader, Hardie and Lee
    2005 to two decimals), and this notebook's holdout predictions by calibration frequency equal the report's (the
    Java BgNbd), computed independently in numpy. Needs only the models module built, no warehouse."""
    if not (ROOT / "models" / "target" / "runtime-classpath.txt").exists():
        pytest.fail("models is not built: run `make build`")
    summary = execute("clv_calibration.ipynb", {"shop": "sim-1.myshopify.com", "warehouse_dir": WORK / "none"},
                      label="-cdnow", source="cdnow")
    params = summary["params"]
    assert [round(params[k], 2) for k in ("r", "alpha", "a", "b")] == [0.24, 4.41, 0.79, 2.43]
    assert [round(params[k], 2) for k in ("p", "q", "v")] == [6.25, 3.74, 15.44]
    assert summary["customers"] == 2357 and summary["holdout_weeks"] == 39.0
    completed = subprocess.run(["bash", "-c", 'source bin/dev-env && exec bin/run models '
                                'com.ecomcrm.models.CdnowReport --file "$1"', "bash",
                                str(ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt")],
                               cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    report = json.loads(completed.stdout)["holdout"]
    assert summary["holdout_actual"] == report["actual"]
    # The report prints parameters to 6 decimals; that rounding moves a bucket's prediction by well under 0.1%.
    assert summary["holdout_predicted"] == pytest.approx(report["predicted"], rel=1e-3)
    for mine, theirs in zip(summary["by_x"], report["by_calibration_frequency"]):
        assert mine["x"] == theirs["x_label"] and mine["customers"] == theirs["customers"]
        assert mine["actual"] == theirs["actual"]
        assert mine["predicted"] == pytest.approx(theirs["predicted"], rel=1e-3)
    # On this sample the published fit under-forecasts the 39-week holdout (1,653 predicted against 1,882 purchase
    # days, -12%): the test pins that known result rather than pretending the model is exact.
    assert 0.8 < summary["holdout_predicted"] / summary["holdout_actual"] < 0.95
    assert summary["top_clv_decile_share"] > 0.3
    assert summary["cohorts"] == 3 and summary["cohort_customers"] == 2357


def check_email_performance(warehouse: dict, summary: dict) -> None:
    settings, shop = warehouse["settings"], warehouse["shop"]
    publication = ew.latest_publication(shop, settings)
    served = ew.ch_rows(
        "SELECT toString(sum(sent)) AS sent, toString(sum(delivered)) AS delivered, toString(sum(bounced)) AS"
        " bounced, toString(sum(unique_opens)) AS opens, toString(sum(machine_opens)) AS machine,"
        " toString(sum(unique_clicks)) AS clicks, toString(sum(orders)) AS attributed,"
        " toString(sum(revenue_cents)) AS revenue FROM email_performance WHERE shop_id = {shop} AND publish_id = {p}",
        settings, shop=shop, p=publication["publish_id"])[0]
    totals = summary["totals"]
    # The fixture: three emails sent (the test send is not one), one bounced, one opened and clicked by a person,
    # one fetched by a privacy proxy only.
    assert [int(served[k]) for k in ("sent", "delivered", "bounced", "opens", "machine", "clicks")] == [3, 2, 1, 1, 1, 1]
    assert [totals[k] for k in ("sent", "delivered", "bounced", "unique_opens", "machine_opens", "unique_clicks")] \
        == [3, 2, 1, 1, 1, 1]
    assert totals["orders"] == int(served["attributed"]) and totals["revenue_cents"] == int(served["revenue"])
    assert summary["as_of"] == SECOND_DATE and summary["rows"] == summary["gold_rows"] == 1
    assert summary["lakehouse_agrees"] is True
    assert summary["silver_sends"] == 3 and summary["silver_events"] == 4
    assert summary["silver_has_addresses"] is False
    assert summary["flows"] == summary["templates"] == 1
    assert summary["_images"] >= 1


CHECKS = {
    "clv_calibration.ipynb": check_clv_calibration,
    "rfm_segments.ipynb": check_rfm_segments,
    "cohort_retention_clv.ipynb": check_cohort_retention_clv,
    "email_performance.ipynb": check_email_performance,
}


@pytest.mark.parametrize("notebook", sorted(CHECKS))
def test_notebook_runs_and_agrees_with_clickhouse(notebook, warehouse):
    summary = execute(notebook, warehouse)
    CHECKS[notebook](warehouse, summary)


def test_rfm_notebook_at_the_earlier_snapshot(warehouse):
    """Explicit as_of: the first snapshot has nothing before it, and ClickHouse (newest publication) is not used."""
    summary = execute("rfm_segments.ipynb", warehouse, label="-first-date", as_of=FIRST_DATE)
    assert summary["as_of"] == FIRST_DATE and summary["compare_to"] is None and summary["moved"] is None
    assert summary["clickhouse_checked"] is False
    assert summary["customers"] > 0


def test_clickhouse_examples_of_the_warehouse_docs_run(warehouse):
    """Every ClickHouse example in docs/warehouse/README.md runs on ClickHouse (18.16 here) against real data."""
    import gen_warehouse_docs as gen

    settings = warehouse["settings"]
    text = gen.OUTPUT.read_text()
    section = text[text.index("## ClickHouse tables"):]
    existing = {r["name"] for r in ew.ch_rows("SELECT name FROM system.tables WHERE database = {db}", settings,
                                              db=settings.ch_database)}
    ran = 0
    for sql in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
        tables = set(re.findall(r"\bFROM\s+(\w+)", sql))
        if not tables <= existing:  # a migration the built jars do not have yet
            continue
        sql = sql.replace(f"'{gen.EXAMPLE_SHOP}'", ew.ch_string(warehouse["shop"]))
        body = ew.ch_post(sql, settings, server_settings={"output_format_json_quote_64bit_integers": "0"})
        rows = [json.loads(line) for line in body.splitlines() if line.strip()]
        # A quiet night has no insights: an example reading shop_insights (its first FROM) may return nothing.
        quiet_allowed = re.search(r"\bFROM\s+(\w+)", sql).group(1) == "shop_insights"
        if tables & {"shop_publications", "customer_rfm", "segment_summary", "schema_migrations"} and not quiet_allowed:
            assert rows, f"no rows for {warehouse['shop']} from:\n{sql}"  # what every publication writes
        ran += 1
    assert ran >= 4


def test_iceberg_docs_match_the_tables_pyiceberg_reads(warehouse):
    """The Java side created the tables; pyiceberg reads them through the same catalog, with the documented
    columns, Iceberg types, nullability and comments, partitioned by shop_id."""
    import gen_warehouse_docs as gen

    catalog = ew.iceberg_catalog(warehouse["settings"])
    for path in gen._index(gen.ICEBERG_DIR):
        documented = gen.parse_iceberg(path)
        table = catalog.load_table(documented.name)
        fields = table.schema().fields
        assert [f.name for f in fields] == [c.name for c in documented.columns], documented.name
        for f, c in zip(fields, documented.columns):
            assert str(f.field_type) == gen.iceberg_type(c.type), f"{documented.name}.{c.name}"
            assert f.optional == c.nullable and f.doc == c.description, f"{documented.name}.{c.name}"
        assert [(table.schema().find_field(p.source_id).name, str(p.transform)) for p in table.spec().fields] \
            == [("shop_id", "identity")]
        assert table.properties.get("format-version", str(table.format_version)) == "2"


REST_SERVER = ROOT / "pipelines" / "target" / "iceberg-rest-server"


def test_the_notebooks_read_the_same_tables_through_a_rest_catalog(warehouse, tmp_path):
    """ECOMCRM_ICEBERG_CATALOG_URI switches the notebooks to a REST catalog: Iceberg's own REST catalog server
    (the one the pipelines' RestCatalogPipelineTest starts; its jars are copied by the pipelines build), serving the
    warehouse's JDBC catalog under the name `lakehouse`, gives the same tables and the same rows as the SQL catalog."""
    jars = sorted(str(p) for p in (REST_SERVER / "lib").glob("*.jar"))
    base = REST_SERVER / "base-classpath.txt"
    assert jars and base.exists(), f"{REST_SERVER} is missing: build the pipelines (mvn -pl pipelines verify)"
    settings = warehouse["settings"]
    port = free_port()
    env = dict(os.environ, CATALOG_CATALOG__IMPL="org.apache.iceberg.jdbc.JdbcCatalog", CATALOG_URI=settings.pg_url,
               CATALOG_JDBC_USER=settings.pg_user, CATALOG_JDBC_PASSWORD=settings.pg_password,
               CATALOG_JDBC_SCHEMA__VERSION="V1", CATALOG_CATALOG_NAME=ew.CATALOG_NAME,
               CATALOG_WAREHOUSE=Path(warehouse["warehouse_dir"]).as_uri(), CATALOG_REST_PORT=str(port))
    log = open(tmp_path / "rest-catalog-server.log", "wb")
    server = subprocess.Popen(["java", "-Xmx256m", "-cp", os.pathsep.join(jars + [base.read_text().strip()]),
                               "org.apache.iceberg.rest.RESTCatalogServer"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        rest_settings = ew.Settings.from_env({**os.environ, "ECOMCRM_PG_URL": settings.pg_url,
                                              "ECOMCRM_ICEBERG_CATALOG_URI": f"http://127.0.0.1:{port}"})
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "rest-catalog-server.log").read_text(errors="replace")
            try:
                rest = ew.iceberg_catalog(rest_settings)
                break
            except Exception:  # not listening yet
                assert time.monotonic() < deadline, "the REST catalog server did not answer within 60 s"
                time.sleep(0.5)
        sql = ew.iceberg_catalog(settings)
        assert type(rest).__name__ == "RestCatalog"
        assert ew.iceberg_tables(rest) == ew.iceberg_tables(sql)
        assert "silver.orders" in ew.iceberg_tables(rest)
        through_rest = ew.read_iceberg(rest, "silver.orders", warehouse["shop"])
        through_sql = ew.read_iceberg(sql, "silver.orders", warehouse["shop"])
        assert len(through_rest) > 0
        key = ["order_id"]
        assert through_rest.sort_values(key).reset_index(drop=True).equals(
            through_sql.sort_values(key).reset_index(drop=True))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
