"""The shape of every DAG: tasks, order, schedule, retries, limits, and commands that use only the logical date."""
from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from airflow.operators.bash import BashOperator

# Written out, not imported from ecomcrm_support, so a change to the helper shows here.
NIGHTLY_ORDER = ["migrate", "ingest", "rfm", "predictions", "transitions", "kpis", "email_performance", "insights",
                 "publish"]


@pytest.fixture(scope="module")
def nightly(dagbag):
    dag = dagbag.get_dag("ecomcrm_nightly")
    assert dag is not None
    return dag


def all_tasks(dagbag):
    return [task for dag in dagbag.dags.values() for task in dag.tasks]


def test_nightly_tasks_and_order(nightly):
    assert sorted(nightly.task_ids) == sorted(NIGHTLY_ORDER)
    for upstream, downstream in zip(NIGHTLY_ORDER, NIGHTLY_ORDER[1:]):
        assert nightly.get_task(upstream).downstream_task_ids == {downstream}
        assert nightly.get_task(downstream).upstream_task_ids == {upstream}
    assert nightly.get_task("migrate").upstream_task_ids == set()
    assert nightly.get_task("publish").downstream_task_ids == set()
    assert [t.task_id for t in nightly.topological_sort()] == NIGHTLY_ORDER


def test_nightly_has_a_task_for_every_stage_of_nightly_pipeline(nightly):
    """NightlyPipeline's own stage list (its STAGES) and the DAG's tasks agree, in the same order."""
    from conftest import REPO

    source = (REPO / "pipelines/src/main/java/com/ecomcrm/pipelines/NightlyPipeline.java").read_text()
    declared = re.search(r"List<String> STAGES\s*=\s*List\.of\(([^)]*)\)", source)
    assert declared, "NightlyPipeline.STAGES not found"
    assert re.findall(r'"([a-z_]+)"', declared.group(1)) == NIGHTLY_ORDER


def test_nightly_schedule(nightly):
    assert nightly.schedule_interval == "0 2 * * *"
    assert str(nightly.timezone) in ("UTC", "Timezone('UTC')")
    assert nightly.catchup is False
    assert nightly.max_active_runs == 1
    assert nightly.dagrun_timeout is not None


def test_nightly_run_of_a_night_has_that_night_as_logical_date(nightly):
    """The run that starts at 02:00 UTC on day D+1 scores day D (the last full day)."""
    import pendulum
    from airflow.timetables.base import TimeRestriction

    start = pendulum.datetime(2026, 6, 30, tz="UTC")
    info = nightly.timetable.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(earliest=start, latest=None, catchup=True))
    assert info.logical_date == pendulum.datetime(2026, 6, 30, 2, tz="UTC")
    assert info.run_after == pendulum.datetime(2026, 7, 1, 2, tz="UTC")
    task = nightly.get_task("rfm")
    assert "--date 2026-06-30 " in task.render_template(task.bash_command, {"ds": info.logical_date.to_date_string()})


def test_retries_backoff_and_limits(dagbag):
    for task in all_tasks(dagbag):
        assert task.retries == 2, task.task_id
        assert task.retry_exponential_backoff is True, task.task_id
        assert task.retry_delay >= timedelta(minutes=1), task.task_id
        assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=3), task.task_id
        assert task.sla is not None, task.task_id


def test_every_task_is_a_bash_command_of_the_project(dagbag):
    for task in all_tasks(dagbag):
        assert isinstance(task, BashOperator), task.task_id
        assert "source bin/dev-env && bin/run " in task.bash_command, task.task_id


def test_every_command_passes_the_logical_date_and_never_reads_the_clock(dagbag):
    for task in all_tasks(dagbag):
        command = task.bash_command
        assert "{{ ds }}" in command or "{{ data_interval_end" in command, task.task_id
        lowered = command.lower()
        assert "now" not in lowered, task.task_id
        assert not re.search(r"\bdate\s+(\+|-u|--)", command), task.task_id
        assert "today" not in lowered and "utcnow" not in lowered, task.task_id


def test_nightly_commands_run_one_stage_each(nightly):
    for stage in NIGHTLY_ORDER:
        command = nightly.get_task(stage).bash_command
        assert command.rstrip().endswith(
            f"bin/run pipelines com.ecomcrm.pipelines.NightlyPipeline --date {{{{ ds }}}} --stage {stage}"
        ), command


def test_rendered_command_has_the_logical_date(nightly):
    task = nightly.get_task("rfm")
    rendered = task.render_template(task.bash_command, {"ds": "2026-06-30"})
    assert "--date 2026-06-30 --stage rfm" in rendered
    assert "{{" not in rendered


def fake_root(tmp_path, name):
    """A stand-in checkout whose bin/run prints where it ran and its arguments."""
    root = tmp_path / name
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "dev-env").write_text(": \"${ECOMCRM_CH_DATABASE:=ecomcrm}\"\nexport ECOMCRM_CH_DATABASE\n")
    run = root / "bin" / "run"
    run.write_text('#!/usr/bin/env bash\necho "$PWD|$ECOMCRM_CH_DATABASE|$*"\n')
    run.chmod(0o755)
    return root


def run_rendered(command, env):
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_repository_root_comes_from_variable_then_env_then_the_checkout(nightly, tmp_path):
    import os

    from ecomcrm_support import DEFAULT_HOME

    task = nightly.get_task("ingest")
    command = task.render_template(task.bash_command, {"ds": "2026-06-30"})
    from_variable, from_env = fake_root(tmp_path, "variable"), fake_root(tmp_path, "env")
    base = {"PATH": os.environ["PATH"]}
    expected_args = "com.ecomcrm.pipelines.NightlyPipeline --date 2026-06-30 --stage ingest"

    out = run_rendered(command, {**base, "ECOMCRM_HOME": str(from_env), "ECOMCRM_HOME_FROM_VARIABLE": str(from_variable)})
    assert out == f"{from_variable}|ecomcrm|pipelines {expected_args}"
    out = run_rendered(command, {**base, "ECOMCRM_HOME": str(from_env), "ECOMCRM_CH_DATABASE": "throwaway"})
    assert out == f"{from_env}|throwaway|pipelines {expected_args}"
    assert (DEFAULT_HOME / "bin" / "run").exists()
    checkout_line = f"ecomcrm_checkout={DEFAULT_HOME}\n"
    assert checkout_line in command
    from_checkout = fake_root(tmp_path, "checkout dir")  # a space, to prove the quoting
    import shlex

    out = run_rendered(command.replace(checkout_line, f"ecomcrm_checkout={shlex.quote(str(from_checkout))}\n"), base)
    assert out == f"{from_checkout}|ecomcrm|pipelines {expected_args}"


def test_variable_reaches_the_task_environment(nightly):
    task = nightly.get_task("publish")
    assert task.append_env is True
    assert task.env["ECOMCRM_HOME_FROM_VARIABLE"] == "{{ var.value.get('ecomcrm_home', '') }}"


@pytest.fixture(scope="module")
def hourly(dagbag):
    dag = dagbag.get_dag("ecomcrm_hourly")
    assert dag is not None
    return dag


def test_hourly_ingests_then_evaluates_the_triggers_as_of_the_end_of_its_hour(hourly):
    assert [t.task_id for t in hourly.topological_sort()] == ["ingest", "evaluate_triggers"]
    assert hourly.get_task("ingest").downstream_task_ids == {"evaluate_triggers"}
    assert hourly.schedule_interval == "15 * * * *"
    assert hourly.catchup is False and hourly.max_active_runs == 1
    import pendulum

    evaluate = hourly.get_task("evaluate_triggers")
    end = pendulum.datetime(2026, 6, 30, 14, 15, tz="UTC")
    rendered = evaluate.render_template(evaluate.bash_command, {"data_interval_end": end})
    assert rendered.rstrip().endswith(
        "bin/run jobs com.ecomcrm.jobs.JobsMain evaluate --as-of 2026-06-30T14:15:00Z"), rendered
    ingest = hourly.get_task("ingest")
    assert "--date 2026-06-30 --stage ingest" in ingest.render_template(ingest.bash_command, {"ds": "2026-06-30"})


def test_compliance_processes_the_requests_of_its_day_after_the_nightly_run(dagbag):
    dag = dagbag.get_dag("ecomcrm_compliance")
    assert dag.task_ids == ["process_requests"]
    assert dag.schedule_interval == "0 5 * * *"  # after the nightly run (02:00) has written the lakehouse
    task = dag.get_task("process_requests")
    rendered = task.render_template(task.bash_command, {"ds": "2026-06-30"})
    assert rendered.rstrip().endswith("bin/run pipelines com.ecomcrm.pipelines.compliance.ComplianceMain "
                                      "--date 2026-06-30"), rendered


def test_maintenance_runs_weekly_with_the_retention_it_documents(dagbag):
    dag = dagbag.get_dag("ecomcrm_maintenance")
    assert dag.task_ids == ["iceberg_maintenance", "clickhouse_housekeeping"]
    assert dag.schedule_interval == "0 4 * * 0"
    command = dag.get_task("iceberg_maintenance").bash_command
    assert command.rstrip().endswith("bin/run pipelines com.ecomcrm.pipelines.maintenance.MaintenanceMain "
                                     "--date {{ ds }} --older-than-days 7 --retain-last 5"), command
    assert "expired" in dag.doc_md and "7 days" in dag.doc_md


def test_clickhouse_housekeeping_runs_after_the_iceberg_maintenance_for_the_logical_date(dagbag):
    dag = dagbag.get_dag("ecomcrm_maintenance")
    housekeeping = dag.get_task("clickhouse_housekeeping")
    assert housekeeping.upstream_task_ids == {"iceberg_maintenance"}
    assert housekeeping.downstream_task_ids == set()
    assert housekeeping.execution_timeout == timedelta(minutes=30)
    rendered = housekeeping.render_template(housekeeping.bash_command, {"ds": "2026-06-28"})
    assert rendered.rstrip().endswith("bin/run pipelines com.ecomcrm.pipelines.maintenance.MaintenanceMain "
                                      "--clickhouse --date 2026-06-28 --orphan-publication-age-hours 24"), rendered
    assert "superseded" in dag.doc_md and "never switched" in dag.doc_md and "history slices" in dag.doc_md


def test_every_main_a_dag_calls_exists_in_the_project():
    from conftest import REPO

    from ecomcrm_support import COMPLIANCE_MAIN, JOBS_MAIN, MAINTENANCE_MAIN, NIGHTLY_MAIN

    for module, main in [("pipelines", NIGHTLY_MAIN), ("pipelines", COMPLIANCE_MAIN),
                         ("pipelines", MAINTENANCE_MAIN), ("jobs", JOBS_MAIN)]:
        path = REPO / module / "src/main/java" / (main.replace(".", "/") + ".java")
        assert path.exists(), path
        assert "public static void main(" in path.read_text(), path
