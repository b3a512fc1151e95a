"""The shape of every DAG: tasks, order, schedule, retries, limits, and commands that use only the logical date."""
from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from airflow.operators.bash import BashOperator

# Written out, not imported from ecomcrm_support, so a change to the helper shows here.
NIGHTLY_ORDER = ["migrate", "ingest", "rfm", "predictions", "transitions", "kpis", "publish"]


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
        assert "{{ ds }}" in command, task.task_id
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
