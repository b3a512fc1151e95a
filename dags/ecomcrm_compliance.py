"""ecomcrm_compliance: Shopify's compliance webhooks answered well before their 30-day deadline (issues #8, #9).

One task, ``process_requests``: ComplianceMain for the logical date processes every pending request received up to
the end of that day, oldest deadline first (customers/data_request: an export of everything held about the customer;
customers/redact and shop/redact: erasure from PostgreSQL, the landing files, Iceberg (row deletes, then snapshot
expiry and orphan removal, so the data is gone from table history) and ClickHouse), with an audit record that holds
no personal data.

It runs daily at 05:00 UTC, after the nightly run has finished writing the lakehouse (the redaction expires table
history and must not overlap a write; ComplianceMain also takes a PostgreSQL advisory lock). Exit code 1 means some
requests are still pending (a failure, or a landing day still being written): Airflow retries, and the next day's run
picks up whatever is left, well inside the deadline. ``catchup`` is off: one run processes everything pending.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG

from ecomcrm_support import COMPLIANCE_MAIN, bash_task, default_args, project_command

with DAG(
    dag_id="ecomcrm_compliance",
    description="Compliance requests (data export, customer and shop redaction) processed before their deadline",
    schedule="0 5 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=4),
    tags=["ecomcrm", "compliance"],
    doc_md=__doc__,
) as dag:
    bash_task("process_requests", project_command("pipelines", COMPLIANCE_MAIN, "--date", "{{ ds }}"),
              execution_timeout=timedelta(hours=3), sla=timedelta(hours=3, minutes=30))
