# EcomCRM developer commands. See README.md.
SHELL := /bin/bash
SCALE ?= small

.PHONY: build services test ui-test demo stop bench bench-jmh bench-fit cdnow-report notebooks-test dags-test warehouse-docs clean

build:
	mvn -B -q install -DskipTests

services:
	bin/services start

# Every test, on the real servers.
test: services
	source bin/dev-env && mvn -B verify
	bin/dist-check
	bin/ui-tests
	notebooks/run-tests
	dags/run-tests

# The Airflow DAGs: import, structure, and a dag.test() run of the nightly DAG on real servers.
dags-test: services
	dags/run-tests

# The analysts' notebooks, executed on fresh pipeline output, and the warehouse documentation check.
notebooks-test: services
	notebooks/run-tests

# Regenerates docs/warehouse/README.md from the schema files (a test fails when it is out of date).
warehouse-docs:
	python3 notebooks/gen_warehouse_docs.py

demo:
	bin/demo start

stop:
	bin/demo stop
	bin/services stop

bench:
	bin/bench $(SCALE)

# JMH micro-benchmarks of the hot paths; results in bench/jmh-results.{json,md}.
bench-jmh:
	bin/bench-jmh

# BG/NBD fit of 1M simulated customers against Python lifetimes; results in bench/fit-results.{json,md}.
bench-fit:
	bin/bench-fit

# The dashboard's browser tests on their own (part of `make test`).
ui-test: services
	bin/ui-tests

# Fits BG/NBD and Gamma-Gamma to a CDNOW-format purchase log (default: the CDNOW sample beside the repo) and prints
# the parameters and the holdout check as one JSON object.
FILE ?= ../shared/data/cdnow/CDNOW_sample.txt
cdnow-report:
	@test -f models/target/runtime-classpath.txt || mvn -B -q install -DskipTests -pl models -am
	@bin/run models com.ecomcrm.models.CdnowReport --file $(FILE)

clean:
	mvn -B -q clean
