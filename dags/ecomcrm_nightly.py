"""ecomcrm_nightly: the nightly recomputation for one logical date (issue #9).

migrate -> ingest -> rfm -> predictions -> transitions -> kpis -> publish, each stage a separate run of
NightlyPipeline with ``--date {{ ds }} --stage NAME`` (a retry repeats only the stage that failed):

  migrate      PostgreSQL and ClickHouse migrations (idempotent; a no-op when nothing is pending)
  ingest       the landing zone MERGEd into the Iceberg silver tables (re-ingesting changes nothing)
  rfm          gold.customer_rfm of every shop as of the logical date
  predictions  the customers' predictions as of the logical date (BG/NBD, Gamma-Gamma, CLV)
  transitions  gold.segment_transitions: how customers moved between segments since the shop's previous snapshot
  kpis         gold.shop_daily_kpis up to the logical date
  publish      the date's results published to ClickHouse, atomically per shop

The run scheduled at 02:00 UTC on day D+1 has the logical date D (its data interval is D 02:00 -> D+1 02:00), so
``{{ ds }}`` is the last full day, as in ``make demo``. Every stage is idempotent for its date: a retry, a clear or a
backfill (``airflow dags backfill``) of a night gives that night's answer. The DAG has one task per stage of
NightlyPipeline (its STAGES list; the tests check that they agree). What comes later (email performance, insights)
arrives with its issue; see dags/README.md.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG

from ecomcrm_support import NIGHTLY_STAGES, bash_task, default_args, nightly_stage_command

# Per stage: the longest one try may run, and the SLA counted from the scheduled start (02:00 UTC).
STAGE_LIMITS = {
    "migrate": {"execution_timeout": timedelta(minutes=15), "sla": timedelta(minutes=30)},
    "ingest": {"execution_timeout": timedelta(hours=2), "sla": timedelta(hours=2, minutes=30)},
    "rfm": {"execution_timeout": timedelta(hours=1), "sla": timedelta(hours=3)},
    "predictions": {"execution_timeout": timedelta(hours=1), "sla": timedelta(hours=3, minutes=45)},
    "transitions": {"execution_timeout": timedelta(minutes=30), "sla": timedelta(hours=4)},
    "kpis": {"execution_timeout": timedelta(minutes=30), "sla": timedelta(hours=4, minutes=15)},
    "email_performance": {"execution_timeout": timedelta(minutes=30), "sla": timedelta(hours=4, minutes=25)},
    "insights": {"execution_timeout": timedelta(minutes=15), "sla": timedelta(hours=4, minutes=35)},
    "publish": {"execution_timeout": timedelta(minutes=30), "sla": timedelta(hours=4, minutes=45)},
}

with DAG(
    dag_id="ecomcrm_nightly",
    description="Nightly recomputation for the logical date: ingest, RFM, predictions, movement, KPIs, email"
                " performance, insights, publish",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=6),
    tags=["ecomcrm", "nightly"],
    doc_md=__doc__,
) as dag:
    stages = [bash_task(stage, nightly_stage_command(stage), **STAGE_LIMITS[stage]) for stage in NIGHTLY_STAGES]
    for upstream, downstream in zip(stages, stages[1:]):
        upstream >> downstream
