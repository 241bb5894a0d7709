#!/usr/bin/env bash
# The data part of `make up`: run the reference pipeline end to end on DuckDB, then serve its gold through
# the exposition API (gunicorn on 127.0.0.1) and print the URLs and a dev token.
#   SERVE=1 (default): serve in the foreground until Ctrl-C.
#   SERVE=0: start the API, smoke-test it with the token, stop it and exit (CI / smoke tests).
# Environment: PIPELINE_WORK_DIR (default build/pipeline), UP_PORT (default 8081), UP_DROPS (default 1-3).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

PIPELINES=$ROOT/.venv/pipelines/bin
TOOLING=$ROOT/.venv/tooling/bin
SERVE=${SERVE:-1}
PORT=${UP_PORT:-8081}
WORK=${PIPELINE_WORK_DIR:-$ROOT/build/pipeline}
export PIPELINE_WORK_DIR=$WORK
export PIPELINE_DVC=${PIPELINE_DVC:-$ROOT/.venv/dvc/bin/dvc}

log() { printf 'up: %s\n' "$*" >&2; }
die() { printf 'up: ERROR: %s\n' "$*" >&2; exit 1; }
[ -x "$PIPELINES/reference-pipeline" ] || die ".venv/pipelines has no reference-pipeline: run 'make venvs'"
[ -x "$TOOLING/gunicorn" ] || die ".venv/tooling has no gunicorn: run 'make venvs'"
[ -f apps/exposition-api/gunicorn.conf.py ] || die "apps/exposition-api is missing: merge feat/apps"

log "pipeline: prepare (dbt parse, DVC reference)"
"$PIPELINES/reference-pipeline" prepare
if [ ! -d "$WORK/landing/customers" ]; then
  "$PIPELINES/reference-pipeline" generate --drops "${UP_DROPS:-1-3}"
fi
log "pipeline: run (raw -> bronze -> silver -> gold, checks, DataHub file sink)"
"$PIPELINES/reference-pipeline" run
"$PIPELINES/reference-pipeline" catalog --out "$WORK/catalog.yaml"

export WAREHOUSE_URL="duckdb://$WORK/gold.duckdb"
export CATALOG_FILE=$WORK/catalog.yaml
export AUTH_MODE=dev
export DEV_AUTH_DIR=$WORK/dev-auth
export PROMETHEUS_MULTIPROC_DIR=$WORK/prometheus-multiproc
export GUNICORN_BIND=127.0.0.1:$PORT
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
TOKEN=$("$TOOLING/python" -m dataplatform_common.auth.dev mint --audience exposition-api --role Data.Read.Confidential)

"$TOOLING/gunicorn" -c apps/exposition-api/gunicorn.conf.py exposition_api.wsgi:app &
GUNICORN=$!
stop() { kill -TERM "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; }
trap stop EXIT
trap 'log "stopping"; exit 0' INT TERM

BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 60); do
  if "$TOOLING/python" -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=1)" "$BASE/healthz" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN" 2>/dev/null || die "the exposition API did not start (see its log above)"
  sleep 0.5
done
"$TOOLING/python" - "$BASE" "$TOKEN" <<'PY' || die "smoke test of the exposition API failed"
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)
listed = {d["name"]: d["row_count"] for d in get("/v1/datasets")["datasets"]}
expected = {"customers", "policies", "claims", "premiums_monthly", "postal_codes"}
assert set(listed) == expected, f"/v1/datasets lists {sorted(listed)}, expected {sorted(expected)}"
page = get("/v1/datasets/policies/rows?limit=5")
assert page["count"] == 5 and all(listed[name] for name in expected), (page, listed)
print("up: smoke test: " + ", ".join(f"{name}={count}" for name, count in sorted(listed.items())), file=sys.stderr)
PY

cat <<EOT

Reference pipeline: gold served by the exposition API (DuckDB $WORK/gold.duckdb)
  datasets   $BASE/v1/datasets
  rows       $BASE/v1/datasets/customers/rows?limit=5
  OpenAPI    $BASE/docs  ($BASE/openapi.json)
  metrics    $BASE/metrics
  lineage    $WORK/datahub/lineage.json (DataHub file sink)
  token      export TOKEN=$TOKEN
  try        curl -H "Authorization: Bearer \$TOKEN" "$BASE/v1/datasets/policies/rows?limit=5"
EOT

if [ "$SERVE" = "0" ]; then
  log "SERVE=0: smoke test passed, stopping the API"
  exit 0
fi
log "serving until Ctrl-C"
wait "$GUNICORN"
