"""Shared pieces of the EcomCRM DAGs: the shell command that runs one of the project's jobs, and default task args.

Every task runs a project program by module (artifact) and main class with explicit arguments, the way a person
does by hand (README.md): ``source bin/dev-env && bin/run MODULE MAIN_CLASS ARGS``. The logical date is always
passed (``{{ ds }}``, or the end of the data interval for the hourly trigger evaluation); no command reads the clock.

The repository root is resolved when the task runs, in this order:
  1. the Airflow Variable ``ecomcrm_home``,
  2. the environment variable ``ECOMCRM_HOME`` of the worker,
  3. the repository this file lives in (two levels above a DAG file in ``dags/``).

Spark-submit mode (docs/production.md section 5): with ``ECOMCRM_SPARK_SUBMIT=1`` in the environment of the process
that parses the DAGs, every ``pipelines`` program (the nightly stages, compliance, maintenance) is submitted to the
cluster with ``spark-submit --deploy-mode cluster`` instead of run by ``bin/run``: the driver runs in the pipelines
image (deploy/pipelines/Dockerfile) from the distribution's ``lib/pipelines.jar``. What differs per installation is
read when the task runs, from the worker's environment, never written into the DAG: ``ECOMCRM_SPARK_MASTER``
(``k8s://https://...`` or ``yarn``), ``ECOMCRM_SPARK_PROPERTIES`` (a properties file: image, namespace, sizes,
the Iceberg catalog, secret references; secrets never go on the command line) and ``SPARK_HOME`` (default
``/opt/spark``). The jobs commands (trigger evaluation) are unchanged.
"""
from __future__ import annotations

import os
import re
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


SPARK_SUBMIT_ENV = "ECOMCRM_SPARK_SUBMIT"
# Where the distribution sits in the pipelines image (deploy/pipelines/Dockerfile).
IMAGE_HOME = "/opt/ecomcrm"


def spark_submit_mode() -> bool:
    """True when the DAGs are parsed with ECOMCRM_SPARK_SUBMIT=1: pipelines programs go to the cluster."""
    return os.environ.get(SPARK_SUBMIT_ENV, "").strip() == "1"


def _shell_args(args) -> str:
    return " ".join(a if a.startswith("{{") else shlex.quote(a) for a in args)


def project_command(module: str, main_class: str, *args: str, app_name: str | None = None) -> str:
    """A templated bash command that runs ``bin/run MODULE MAIN_CLASS ARGS`` from the repository root.

    ``args`` are shell-quoted, except Jinja expressions (``{{ ds }}``), which Airflow renders to plain values first.
    In spark-submit mode a ``pipelines`` program is submitted instead (:func:`spark_submit_command`).
    """
    if module == "pipelines" and spark_submit_mode():
        return spark_submit_command(main_class, *args, app_name=app_name)
    rendered_args = _shell_args(args)
    return "\n".join(
        [
            "set -euo pipefail",
            f"ecomcrm_checkout={shlex.quote(str(DEFAULT_HOME))}",
            f'ecomcrm_root="${{{VARIABLE_ENV}:-${{{HOME_ENV}:-$ecomcrm_checkout}}}}"',
            'cd "$ecomcrm_root"',
            f"source bin/dev-env && bin/run {shlex.quote(module)} {shlex.quote(main_class)} {rendered_args}",
        ]
    )


def spark_submit_command(main_class: str, *args: str, app_name: str | None = None) -> str:
    """``spark-submit`` of a pipelines program in cluster mode, as docs/production.md section 2.3 shows it.

    The application is named after the program (or ``app_name``) and the logical date, so the driver pod and the
    Spark UI say which night it is; Kubernetes names allow lower-case letters, digits and dashes only.
    """
    name = app_name or "ecomcrm-" + main_class.rsplit(".", 1)[-1].lower()
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"Cannot submit {main_class}: application name {name!r} is not [a-z0-9-]+")
    classpath = f"{IMAGE_HOME}/lib/pipelines/*"
    return "\n".join(
        [
            "set -euo pipefail",
            ': "${ECOMCRM_SPARK_MASTER:?ECOMCRM_SPARK_MASTER is not set (k8s://https://<api server>:443 or yarn)}"',
            ': "${ECOMCRM_SPARK_PROPERTIES:?ECOMCRM_SPARK_PROPERTIES is not set (the spark-submit properties file)}"',
            'exec "${SPARK_HOME:-/opt/spark}/bin/spark-submit" --master "$ECOMCRM_SPARK_MASTER" --deploy-mode cluster'
            f" --name {name}-{{{{ ds_nodash }}}} --class {shlex.quote(main_class)}"
            ' --properties-file "$ECOMCRM_SPARK_PROPERTIES"'
            f" --conf {shlex.quote('spark.driver.extraClassPath=' + classpath)}"
            f" --conf {shlex.quote('spark.executor.extraClassPath=' + classpath)}"
            f" local://{IMAGE_HOME}/lib/pipelines.jar {_shell_args(args)}",
        ]
    )


def nightly_stage_command(stage: str) -> str:
    """The command of one stage of the nightly pipeline for the run's logical date."""
    if stage not in NIGHTLY_STAGES:
        raise ValueError(f"unknown NightlyPipeline stage {stage!r}; known: {', '.join(NIGHTLY_STAGES)}")
    return project_command("pipelines", NIGHTLY_MAIN, "--date", "{{ ds }}", "--stage", stage,
                           app_name="ecomcrm-nightly-" + stage.replace("_", "-"))


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
