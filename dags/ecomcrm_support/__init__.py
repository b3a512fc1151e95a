"""Shared pieces of the EcomCRM DAGs: the shell command that runs one of the project's jobs, and default task args.

Every task runs a project program by module (artifact) and main class with explicit arguments, the way a person
does by hand (README.md): ``source bin/dev-env && bin/run MODULE MAIN_CLASS ARGS``. The logical date is always
passed (``{{ ds }}``, or the end of the data interval for the hourly trigger evaluation); no command reads the clock.

The repository root is resolved when the task runs, in this order:
  1. the Airflow Variable ``ecomcrm_home``,
  2. the environment variable ``ECOMCRM_HOME`` of the worker,
  3. the repository this file lives in (two levels above a DAG file in ``dags/``).
"""
from __future__ import annotations

import shlex
from datetime import timedelta
from pathlib import Path

# The checkout this file belongs to: dags/ecomcrm_support/__init__.py -> the repository root.
DEFAULT_HOME = Path(__file__).resolve().parents[2]

HOME_VARIABLE = "ecomcrm_home"
HOME_ENV = "ECOMCRM_HOME"
# The Variable reaches the command through the task's environment (rendered by Airflow, so no shell quoting).
VARIABLE_ENV = "ECOMCRM_HOME_FROM_VARIABLE"

NIGHTLY_MAIN = "com.ecomcrm.pipelines.NightlyPipeline"
JOBS_MAIN = "com.ecomcrm.jobs.JobsMain"
COMPLIANCE_MAIN = "com.ecomcrm.pipelines.compliance.ComplianceMain"
MAINTENANCE_MAIN = "com.ecomcrm.pipelines.maintenance.MaintenanceMain"
# The end of the run's data interval, as an ISO instant (what JobsMain --as-of reads).
INTERVAL_END = "{{ data_interval_end.in_timezone('UTC').strftime('%Y-%m-%dT%H:%M:%SZ') }}"

# The stages NightlyPipeline runs with --stage NAME, in the order it runs them without --stage (its STAGES list;
# dags/tests/test_structure.py checks the two agree).
NIGHTLY_STAGES = ("migrate", "ingest", "rfm", "predictions", "transitions", "kpis", "email_performance", "insights",
                  "publish")


def project_command(module: str, main_class: str, *args: str) -> str:
    """A templated bash command that runs ``bin/run MODULE MAIN_CLASS ARGS`` from the repository root.

    ``args`` are shell-quoted, except Jinja expressions (``{{ ds }}``), which Airflow renders to plain values first.
    """
    rendered_args = " ".join(a if a.startswith("{{") else shlex.quote(a) for a in args)
    return "\n".join(
        [
            "set -euo pipefail",
            f"ecomcrm_checkout={shlex.quote(str(DEFAULT_HOME))}",
            f'ecomcrm_root="${{{VARIABLE_ENV}:-${{{HOME_ENV}:-$ecomcrm_checkout}}}}"',
            'cd "$ecomcrm_root"',
            f"source bin/dev-env && bin/run {shlex.quote(module)} {shlex.quote(main_class)} {rendered_args}",
        ]
    )


def nightly_stage_command(stage: str) -> str:
    """The command of one stage of the nightly pipeline for the run's logical date."""
    if stage not in NIGHTLY_STAGES:
        raise ValueError(f"unknown NightlyPipeline stage {stage!r}; known: {', '.join(NIGHTLY_STAGES)}")
    return project_command("pipelines", NIGHTLY_MAIN, "--date", "{{ ds }}", "--stage", stage)


def jobs_command(job: str) -> str:
    """The email engine's Spring Batch job ``evaluate`` as of the end of the run's data interval."""
    if job != "evaluate":
        raise ValueError(f"only trigger evaluation runs from Airflow (sending runs continuously), not {job!r}")
    return project_command("jobs", JOBS_MAIN, job, "--as-of", INTERVAL_END)


def bash_task(task_id: str, bash_command: str, **kwargs):
    """A BashOperator running one project command; the worker's environment plus the ``ecomcrm_home`` Variable."""
    from airflow.operators.bash import BashOperator

    env = {VARIABLE_ENV: "{{ var.value.get('%s', '') }}" % HOME_VARIABLE}
    env.update(kwargs.pop("env", {}) or {})
    return BashOperator(task_id=task_id, bash_command=bash_command, env=env, append_env=True, **kwargs)


def default_args(**overrides) -> dict:
    """Task defaults shared by the EcomCRM DAGs: two retries with exponential backoff, an owner."""
    args = {
        "owner": "ecomcrm",
        "depends_on_past": False,
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    }
    args.update(overrides)
    return args
