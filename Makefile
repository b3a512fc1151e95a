# EcomCRM developer commands. See README.md.
SHELL := /bin/bash
SCALE ?= small

.PHONY: build services test demo stop bench clean

build:
	mvn -B -q install -DskipTests

services:
	bin/services start

# Every test, on the real servers.
test: services
	source bin/dev-env && mvn -B verify

demo:
	bin/demo start

stop:
	bin/demo stop
	bin/services stop

bench:
	bin/bench $(SCALE)

clean:
	mvn -B -q clean
