"""ecomcrm_hourly: every hour, the new landing data into the lakehouse and the automations' triggers (issue #9).

ingest -> evaluate_triggers, for the hour that just ended (the run's data interval):

  ingest             NightlyPipeline ``--date {{ ds }} --stage ingest``: what landed so far MERGEd into the Iceberg
                     silver tables (idempotent; the nightly run ingests again, which changes nothing)
  evaluate_triggers  the automations' trigger evaluation (Spring Batch, module jobs) as of the end of the hour:
                     welcome, abandoned checkout, post-purchase and the segment flows schedule their sends, each once
                     per flow, customer and trigger (idempotency keys), so a retry or a rerun schedules nothing twice

Sending is not a task here: the send job runs continuously (``bin/run jobs com.ecomcrm.jobs.JobsMain send --every
10``), because an email due at 10:05 should not wait for the next hourly run. Both tasks are idempotent for their
interval; ``catchup`` is off, so after downtime one run catches up (the triggers read everything since their
watermark).
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG

from ecomcrm_support import bash_task, default_args, jobs_command, nightly_stage_command

with DAG(
    dag_id="ecomcrm_hourly",
    description="Hourly: landing data into the lakehouse, then the automations' trigger evaluation",
    schedule="15 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=10)),
    dagrun_timeout=timedelta(minutes=55),
    tags=["ecomcrm", "hourly"],
    doc_md=__doc__,
) as dag:
    ingest = bash_task("ingest", nightly_stage_command("ingest"),
                       execution_timeout=timedelta(minutes=30), sla=timedelta(minutes=40))
    evaluate = bash_task("evaluate_triggers", jobs_command("evaluate"),
                         execution_timeout=timedelta(minutes=20), sla=timedelta(minutes=50))
    ingest >> evaluate
