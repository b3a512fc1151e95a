"""ecomcrm_maintenance: weekly upkeep of the Iceberg lakehouse (issue #9).

One task, ``iceberg_maintenance``: MaintenanceMain for every Iceberg table: small data files rewritten into ~128 MB
ones, snapshots older than 7 days expired (the last 5 kept whatever their age), orphan files older than 3 days removed,
manifests rewritten; one ``MAINTENANCE table=...`` line per table. Sunday 04:00 UTC, after the nightly run, never
alongside a lakehouse write (expiry and orphan removal must not race a commit). Idempotent: a second run finds nothing
to do. ClickHouse needs no scheduled upkeep today: the publish stage deletes each shop's superseded publications.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG

from ecomcrm_support import MAINTENANCE_MAIN, bash_task, default_args, project_command

with DAG(
    dag_id="ecomcrm_maintenance",
    description="Weekly: Iceberg compaction, snapshot expiry, orphan files, manifests",
    schedule="0 4 * * 0",
    start_date=pendulum.datetime(2026, 1, 4, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=5),
    tags=["ecomcrm", "maintenance"],
    doc_md=__doc__,
) as dag:
    bash_task("iceberg_maintenance",
              project_command("pipelines", MAINTENANCE_MAIN, "--date", "{{ ds }}",
                              "--older-than-days", "7", "--retain-last", "5"),
              execution_timeout=timedelta(hours=3), sla=timedelta(hours=3, minutes=30))
