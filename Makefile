# Thin entry points. Every gate is a `platformctl` command too, so a person runs exactly what CI runs.
#   make up     the main job on the embedded defaults (DuckDB, local processes)
#   make test   every test and gate (what .ci/run and CI run)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV_ROOT      ?= .venv
TOOLING        := $(VENV_ROOT)/tooling/bin
PLATFORMCTL    := $(TOOLING)/platformctl
PYTEST         := $(TOOLING)/pytest
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(TOOLING):$(PATH)
# The offline mirror of upstream CRDs and chart defaults (configurable; CI uses ../shared/upstream).
export PLATFORM_UPSTREAM_MIRROR ?= $(abspath $(CURDIR)/../shared/upstream)
export HELM_CACHE_HOME  := $(CURDIR)/.cache/helm/cache
export HELM_CONFIG_HOME := $(CURDIR)/.cache/helm/config
export HELM_DATA_HOME   := $(CURDIR)/.cache/helm/data

.PHONY: help setup tools venvs lock up test lint unit gates validate charts graph clean
.PHONY: up-data test-pipeline dagster pipeline-udfs

help:
	@echo "make up    - set up, then run the main job on the embedded defaults"
	@echo "make test  - set up, then run every test and gate (what CI runs)"
	@echo "make tools | venvs | lint | unit | validate | charts | graph | lock NAME=tooling | clean"

setup: tools venvs

tools:
	@scripts/bootstrap/tools.sh

venvs:
	@scripts/bootstrap/venvs.sh

lock:
	@scripts/bootstrap/venvs.sh --lock $(NAME)

up: setup
	$(PLATFORMCTL) up
	@$(MAKE) --no-print-directory up-data

test: setup lint unit gates test-pipeline

lint:
	$(TOOLING)/ruff check .
	$(TOOLING)/ruff format --check .
	$(TOOLING)/yamllint --strict .

unit:
	$(PYTEST)

gates: validate policy monitoring aks-check

validate:
	$(PLATFORMCTL) validate --all

# Every upstream chart pinned by an env, `helm pull`ed into the chart cache ($PLATFORM_CHART_CACHE, default
# .cache/charts) and verified against clusters/charts.lock.yaml; validate then renders them too. Needs network.
charts:
	$(PLATFORMCTL) charts pull

graph:
	$(PLATFORMCTL) graph dev --format svg --out docs/app-of-apps-dev.svg

clean:
	rm -rf build .cache .pytest_cache .ruff_cache

# AKS clusters as code (issue 6). Offline: cluster.yaml invariants and the bootstrap dry run per env.
.PHONY: aks-check test-cluster
aks-check:
	$(PLATFORMCTL) aks check
	for env in dev staging prod; do $(PLATFORMCTL) bootstrap $$env --dry-run >/dev/null; done

# Cluster smoke suite: needs a kubeconfig (KUBECONFIG=path make test-cluster [PLATFORM_ENV=dev]); skips without.
test-cluster:
	$(PYTEST) -m cluster tests/cluster $(if $(KUBECONFIG),--kubeconfig $(KUBECONFIG),)

# Policy gate (issue 4): checkov offline over every env's rendered manifests, Dockerfiles and the
# repository (secrets) + policies/; reports for CI in build/policy/.
.PHONY: policy
policy:
	$(PLATFORMCTL) policy --all --sarif build/policy/policy.sarif --junit build/policy/junit.xml

# Monitoring and load gates (issue 5). `monitoring`: promtool check/test on every rule, dashboards lint
# and PromQL, metrics compared with the running apps. `loadtest`: the SLO load gate of each API (local
# mode: gunicorn + Prometheus + locust on 127.0.0.1, ~45 s each); reports in build/loadtest/<app>/.
.PHONY: monitoring loadtest
monitoring:
	$(PLATFORMCTL) monitoring

loadtest:
	$(PLATFORMCTL) loadtest exposition-api
	$(PLATFORMCTL) loadtest enrichment-api

# Reference pipeline (apps/pipeline, own venv): end to end on DuckDB, then gold served by the exposition API.
# SERVE=0 runs a smoke test and returns instead of serving until Ctrl-C.
SERVE ?= 1
up-data:
	SERVE=$(SERVE) apps/pipeline/up.sh

# The Dagster UI on the local pipeline (assets, checks, lineage, the runs of `make up`): http://127.0.0.1:3000.
DAGSTER_PORT ?= 3000
dagster:
	@scripts/bootstrap/venvs.sh pipelines dvc
	PIPELINE_DVC=$(CURDIR)/$(VENV_ROOT)/dvc/bin/dvc $(VENV_ROOT)/pipelines/bin/reference-pipeline dev --port $(DAGSTER_PORT)

# The zips the Snowflake normalisation UDFs import, and the PUT statements that upload them (CD runs them).
pipeline-udfs:
	@scripts/bootstrap/venvs.sh pipelines
	$(VENV_ROOT)/pipelines/bin/reference-pipeline udf-packages --out build/pipeline/udfs

# Every pipeline app ([tool.platform] venv = "pipelines" in its pyproject.toml), each with its own pytest config.
test-pipeline:
	for app in $$(python3.11 scripts/bootstrap/app_venv.py pipelines); do \
	  (cd $$app && DBT_SEND_ANONYMOUS_USAGE_STATS=false $(CURDIR)/$(VENV_ROOT)/pipelines/bin/pytest tests); \
	done
