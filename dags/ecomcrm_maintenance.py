"""ecomcrm_maintenance: weekly upkeep of the Iceberg lakehouse and the ClickHouse serving tables (issue #9).

``iceberg_maintenance``: MaintenanceMain for every Iceberg table: small data files rewritten into ~128 MB
ones, snapshots older than 7 days expired (the last 5 kept whatever their age), orphan files older than 3 days removed,
manifests rewritten; one ``MAINTENANCE table=...`` line per table. Sunday 04:00 UTC, after the nightly run, never
alongside a lakehouse write (expiry and orphan removal must not race a commit).

Then ``clickhouse_housekeeping``: MaintenanceMain ``--clickhouse`` (ClickHouseHousekeeping, no Spark). In every
serving table keyed by (shop_id, publish_id) it deletes, one mutation per table for all shops, the rows of superseded
publications (below the shop's current one: the publish deletes them itself, this catches what a failed or killed
clean-up left) and of publications that never switched (a failed publish) once their id, the epoch millis of the
publish's start, is more than 24 hours before the end of the logical date, so a publish running now is never touched.
The history slices (``customer_segment_history``, ``segment_history_dates``) are never deleted here: readers use them.
It then runs ``OPTIMIZE TABLE shop_publications FINAL`` and lists unfinished mutations (``system.mutations``), one
``MAINTENANCE clickhouse unfinished_mutation ...`` line each, before the ``MAINTENANCE clickhouse ...`` summary.

Both tasks are idempotent: a second run finds nothing to do.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG

from ecomcrm_support import MAINTENANCE_MAIN, bash_task, default_args, project_command

with DAG(
    dag_id="ecomcrm_maintenance",
    description="Weekly: Iceberg compaction, snapshot expiry, orphan files, manifests; ClickHouse housekeeping",
    schedule="0 4 * * 0",
    start_date=pendulum.datetime(2026, 1, 4, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=5),
    tags=["ecomcrm", "maintenance"],
    doc_md=__doc__,
) as dag:
    iceberg = bash_task("iceberg_maintenance",
                        project_command("pipelines", MAINTENANCE_MAIN, "--date", "{{ ds }}",
                                        "--older-than-days", "7", "--retain-last", "5"),
                        execution_timeout=timedelta(hours=3), sla=timedelta(hours=3, minutes=30))
    clickhouse = bash_task("clickhouse_housekeeping",
                           project_command("pipelines", MAINTENANCE_MAIN, "--clickhouse", "--date", "{{ ds }}",
                                           "--orphan-publication-age-hours", "24",
                                           app_name="ecomcrm-clickhouse-housekeeping"),
                           execution_timeout=timedelta(minutes=30), sla=timedelta(hours=4))
    iceberg >> clickhouse
