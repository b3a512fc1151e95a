"""Spark-submit mode (ECOMCRM_SPARK_SUBMIT=1): the pipelines tasks submit to a cluster, docs/production.md 2.3 and 5."""
from __future__ import annotations

import os
import subprocess

import pytest

from test_structure import NIGHTLY_ORDER

IMAGE_JAR = "local:///opt/ecomcrm/lib/pipelines.jar"
CLASSPATH_CONF = ("--conf 'spark.driver.extraClassPath=/opt/ecomcrm/lib/pipelines/*'"
                  " --conf 'spark.executor.extraClassPath=/opt/ecomcrm/lib/pipelines/*'")


@pytest.fixture(scope="module")
def submitting_dagbag():
    """The DAGs parsed as a KubernetesExecutor deployment parses them: with ECOMCRM_SPARK_SUBMIT=1."""
    from airflow.models import DagBag

    from conftest import DAGS

    previous = os.environ.get("ECOMCRM_SPARK_SUBMIT")
    os.environ["ECOMCRM_SPARK_SUBMIT"] = "1"
    try:
        bag = DagBag(dag_folder=str(DAGS), include_examples=False)
    finally:
        if previous is None:
            del os.environ["ECOMCRM_SPARK_SUBMIT"]
        else:
            os.environ["ECOMCRM_SPARK_SUBMIT"] = previous
    assert bag.import_errors == {}
    return bag


def fake_spark_home(tmp_path):
    """A SPARK_HOME whose spark-submit prints its arguments one per line."""
    home = tmp_path / "spark"
    (home / "bin").mkdir(parents=True)
    submit = home / "bin" / "spark-submit"
    submit.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    submit.chmod(0o755)
    return home


def render(task, ds="2026-06-30"):
    return task.render_template(task.bash_command, {"ds": ds, "ds_nodash": ds.replace("-", "")})


def test_every_nightly_stage_is_submitted_in_cluster_mode_with_the_logical_date(submitting_dagbag):
    nightly = submitting_dagbag.get_dag("ecomcrm_nightly")
    assert [t.task_id for t in nightly.topological_sort()] == NIGHTLY_ORDER
    for stage in NIGHTLY_ORDER:
        command = render(nightly.get_task(stage))
        assert "bin/run" not in command and "dev-env" not in command, stage
        assert command.rstrip().endswith(
            f'exec "${{SPARK_HOME:-/opt/spark}}/bin/spark-submit" --master "$ECOMCRM_SPARK_MASTER" --deploy-mode cluster'
            f" --name ecomcrm-nightly-{stage.replace('_', '-')}-20260630 --class com.ecomcrm.pipelines.NightlyPipeline"
            f' --properties-file "$ECOMCRM_SPARK_PROPERTIES" {CLASSPATH_CONF}'
            f" {IMAGE_JAR} --date 2026-06-30 --stage {stage}"), command


def test_compliance_and_maintenance_are_submitted_too_and_trigger_evaluation_is_not(submitting_dagbag):
    compliance = render(submitting_dagbag.get_dag("ecomcrm_compliance").get_task("process_requests"))
    assert compliance.rstrip().endswith(
        f"--class com.ecomcrm.pipelines.compliance.ComplianceMain --properties-file \"$ECOMCRM_SPARK_PROPERTIES\""
        f" {CLASSPATH_CONF} {IMAGE_JAR} --date 2026-06-30"), compliance
    assert "--name ecomcrm-compliancemain-20260630 " in compliance
    maintenance = render(submitting_dagbag.get_dag("ecomcrm_maintenance").get_task("iceberg_maintenance"))
    assert maintenance.rstrip().endswith(
        f"{IMAGE_JAR} --date 2026-06-30 --older-than-days 7 --retain-last 5"), maintenance
    housekeeping = render(submitting_dagbag.get_dag("ecomcrm_maintenance").get_task("clickhouse_housekeeping"))
    assert "--name ecomcrm-clickhouse-housekeeping-20260630 " in housekeeping
    assert housekeeping.rstrip().endswith(
        f"{IMAGE_JAR} --clickhouse --date 2026-06-30 --orphan-publication-age-hours 24"), housekeeping
    hourly = submitting_dagbag.get_dag("ecomcrm_hourly")
    assert "spark-submit" in hourly.get_task("ingest").bash_command
    assert "bin/run jobs com.ecomcrm.jobs.JobsMain evaluate" in hourly.get_task("evaluate_triggers").bash_command


def test_the_rendered_command_runs_spark_submit_with_those_arguments_and_no_secret(submitting_dagbag, tmp_path):
    command = render(submitting_dagbag.get_dag("ecomcrm_nightly").get_task("rfm"))
    env = {"PATH": os.environ["PATH"], "SPARK_HOME": str(fake_spark_home(tmp_path)),
           "ECOMCRM_SPARK_MASTER": "k8s://https://kubernetes.default.svc:443",
           "ECOMCRM_SPARK_PROPERTIES": "/etc/ecomcrm/spark.properties", "ECOMCRM_PG_PASSWORD": "secret-value"}
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "--master", "k8s://https://kubernetes.default.svc:443", "--deploy-mode", "cluster",
        "--name", "ecomcrm-nightly-rfm-20260630", "--class", "com.ecomcrm.pipelines.NightlyPipeline",
        "--properties-file", "/etc/ecomcrm/spark.properties",
        "--conf", "spark.driver.extraClassPath=/opt/ecomcrm/lib/pipelines/*",
        "--conf", "spark.executor.extraClassPath=/opt/ecomcrm/lib/pipelines/*",
        IMAGE_JAR, "--date", "2026-06-30", "--stage", "rfm"]
    assert "secret-value" not in result.stdout and "PASSWORD" not in command


def test_a_worker_without_the_cluster_settings_fails_before_submitting_and_says_which(submitting_dagbag, tmp_path):
    command = render(submitting_dagbag.get_dag("ecomcrm_nightly").get_task("ingest"))
    env = {"PATH": os.environ["PATH"], "SPARK_HOME": str(fake_spark_home(tmp_path)),
           "ECOMCRM_SPARK_PROPERTIES": "/etc/ecomcrm/spark.properties"}
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "ECOMCRM_SPARK_MASTER is not set" in result.stderr
    assert result.stdout == ""


def test_without_the_switch_the_tasks_run_the_project_build(dagbag):
    """The default (and CI's dag.test() run) stays bin/run: the mode is opt-in."""
    for stage in NIGHTLY_ORDER:
        command = dagbag.get_dag("ecomcrm_nightly").get_task(stage).bash_command
        assert "spark-submit" not in command and "source bin/dev-env && bin/run pipelines" in command


def test_an_application_name_must_suit_kubernetes():
    from ecomcrm_support import spark_submit_command

    with pytest.raises(ValueError, match="is not \\[a-z0-9-\\]\\+"):
        spark_submit_command("com.ecomcrm.pipelines.NightlyPipeline", "--date", "{{ ds }}", app_name="Nightly_RFM")
