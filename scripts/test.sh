#!/usr/bin/env bash
# Command 2: run every test of both addons and the end-to-end tests.
#   lint (ruff, pylint-odoo) -> wheels (whool) -> fresh test database with both
#   addons and their demo data -> pytest-odoo (with --odoo-http, so HttpCase and
#   browser tours run) -> Odoo server on a free 127.0.0.1 port -> pytest tests/.
# Any failure, or any skipped test (missing browser, wkhtmltopdf...), fails the run.
# Extra arguments are passed to both pytest runs (e.g. -k contract -x).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START=$(date +%s)
check_odoo
setup_system_tools
setup_venv
setup_postgres
mkdir -p "$DATA_DIR" "$ROOT/.run"

cd "$ROOT"
ADDONS=regie_staffing,regie_staffing_invoicing
RUN_ID="$(date +%Y%m%d%H%M%S)_$$"
TEST_DB="${REGIE_TEST_DB:-regie_test_$RUN_ID}"
E2E_DB="${TEST_DB}_e2e"
SERVER_PID=
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -z "${REGIE_KEEP_DB:-}" ]; then
        for db in "$TEST_DB" "$E2E_DB"; do
            dropdb --if-exists "$db" 2>/dev/null || true
            rm -rf "$DATA_DIR/filestore/$db"
        done
    fi
    exit "$status"
}
trap cleanup EXIT

log "Lint: ruff"
ruff check .
ruff format --check .
log "Lint: pylint-odoo"
pylint --rcfile=.pylintrc regie_staffing regie_staffing_invoicing
python scripts/gen_readme.py --check

log "Packaging: building both wheels with whool"
rm -rf dist
pip wheel -q --no-deps --no-build-isolation -w dist \
    ./regie_staffing ./regie_staffing_invoicing ./setup/_metapackage
ls dist/odoo_addon_regie_staffing-18.0.*.whl dist/odoo_addon_regie_staffing_invoicing-18.0.*.whl \
    dist/odoo_addons_regie_staffing-18.0.*.whl >/dev/null ||
    die "the wheels were not built"

log "Installing $ADDONS with demo data in a fresh database $TEST_DB"
dropdb --if-exists "$TEST_DB"
odoo_bin -d "$TEST_DB" -i "$ADDONS" --stop-after-init --log-level=warn \
    --logfile="$ROOT/.run/install.log" ||
    die "installation failed, see .run/install.log"
if grep -E ' (ERROR|CRITICAL) ' "$ROOT/.run/install.log"; then
    die "errors were logged while installing, see .run/install.log"
fi
createdb -T "$TEST_DB" "$E2E_DB"
[ -d "$DATA_DIR/filestore/$TEST_DB" ] && cp -r "$DATA_DIR/filestore/$TEST_DB" "$DATA_DIR/filestore/$E2E_DB"

log "Addon tests (pytest-odoo, real database, HTTP server and browser)"
export PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
pytest -p regie_no_skip -p no:cacheprovider --odoo-database="$TEST_DB" \
    --odoo-addons-path="$ADDONS_PATH" --odoo-http --odoo-log-level=warn \
    --odoo-extra="data-dir=$DATA_DIR" --odoo-extra=max-cron-threads=0 \
    regie_staffing/tests regie_staffing_invoicing/tests "$@"

log "End-to-end tests over XML-RPC against a live Odoo server"
PORT="$(free_port)"
odoo_bin -d "$E2E_DB" --http-interface=127.0.0.1 --http-port="$PORT" --workers=0 \
    --gevent-port="$(free_port)" --log-level=warn --logfile="$ROOT/.run/e2e-server.log" &
SERVER_PID=$!
wait_http "http://127.0.0.1:$PORT" "$SERVER_PID"
REGIE_URL="http://127.0.0.1:$PORT" REGIE_DB="$E2E_DB" \
    pytest -p regie_no_skip -p no:cacheprovider -p no:odoo tests "$@"

log "All tests passed in $(($(date +%s) - START)) s"
