#!/usr/bin/env bash
# Command 2: run every test of both addons and the end-to-end tests, in a bare
# database and in a realistic one.
#   lint (ruff, pylint-odoo) -> wheels (whool)
#   -> bare stage: fresh database with both addons and their demo data ->
#      pytest-odoo (with --odoo-http, so HttpCase and browser tours run) ->
#      Odoo server on a free 127.0.0.1 port -> pytest tests/ over XML-RPC ->
#      sale_timesheet installed after the addons
#   -> realistic stage: the usual apps of a company (sales, timesheets, leaves,
#      attendances, expenses, purchase, French accounting and e-invoicing, a
#      French company among the demo companies) installed first, then both
#      addons as a customer installs them, then the whole addon suite there
#      (the browser tours and the suite in two halves, each on its own copy).
#      It is built and tested in the background while the bare stage runs:
#      three lanes of work (see below) keep the cores busy to the end.
# Any failure, any ERROR logged by an install, or any skipped test (missing
# browser, wkhtmltopdf...) fails the run. Extra arguments are passed to the
# pytest runs (e.g. -k contract -x). REGIE_SKIP_REALISTIC=1 skips the
# realistic stage (developer shortcut; CI never sets it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START=$(date +%s)
check_odoo
setup_system_tools
setup_venv
setup_postgres
mkdir -p "$DATA_DIR" "$ROOT/.run"

cd "$ROOT"
ADDONS=regie_staffing,regie_staffing_invoicing
# The usual apps of an ESN or of a company buying consultants, all installable
# before, after and together with the addons.
USUAL_APPS=sale_timesheet,sale_timesheet_margin,hr_holidays,project_timesheet_holidays
USUAL_APPS+=,hr_timesheet_attendance,hr_expense,sale_expense,purchase,project_purchase
USUAL_APPS+=,l10n_fr_account,account_edi_ubl_cii,l10n_fr_facturx_chorus_pro
USUAL_APPS+=,spreadsheet_dashboard_hr_timesheet
RUN_ID="$(date +%Y%m%d%H%M%S)_$$"
TEST_DB="${REGIE_TEST_DB:-regie_test_$RUN_ID}"
E2E_DB="${TEST_DB}_e2e"
# The adversarial suite kills (SIGKILL) an Odoo server of its own on this one.
KILL_DB="${TEST_DB}_kill"
REAL_DB="${TEST_DB}_real"
TOURS_DB="${TEST_DB}_tours"
TOURS_B_DB="${TEST_DB}_tours_b"
REAL_B_DB="${TEST_DB}_real_b"
# sale_timesheet is installed after the addons on this copy of the bare
# database, while the bare suite runs on the original.
AFTER_DB="${TEST_DB}_after"
SERVER_PID=
REAL_PID=
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [ -z "$SERVER_PID" ] || stop_pid "$SERVER_PID"
    [ -z "$REAL_PID" ] || stop_pid "$REAL_PID"
    # Whatever way the script ends, no Odoo it started keeps running.
    for db in "$TEST_DB" "$E2E_DB" "$KILL_DB" "$REAL_DB" "$TOURS_DB" "$TOURS_B_DB" "$REAL_B_DB" "$AFTER_DB"; do
        pkill -TERM -f -- "-d $db " 2>/dev/null || true
        pkill -TERM -f -- "--odoo-database=$db " 2>/dev/null || true
    done
    if [ -z "${REGIE_KEEP_DB:-}" ]; then
        for db in "$TEST_DB" "$E2E_DB" "$KILL_DB" "$REAL_DB" "$TOURS_DB" "$TOURS_B_DB" "$REAL_B_DB" "$AFTER_DB"; do
            dropdb --if-exists "$db" 2>/dev/null || true
            rm -rf "$DATA_DIR/filestore/$db"
        done
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fails when an install log has an ERROR or CRITICAL line.
check_log() {
    if grep -E ' (ERROR|CRITICAL) ' "$1"; then
        die "errors were logged by $2, see ${1#"$ROOT"/}"
    fi
}

# The asset bundles the tours load, generated once and committed: each tour
# runs in a rolled-back transaction and would otherwise rebuild them.
warm_assets() {
    python "$ODOO_PATH/odoo-bin" shell --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
        --no-http --log-level=warn -d "$1" <"$ROOT/scripts/warm_assets.py" >"$2" 2>&1 ||
        die "generating the asset bundles of $1 failed, see ${2#"$ROOT"/}"
}

# pytest-odoo on database $1 with its own HTTP port (two suites may run at
# once); the remaining arguments are the tests and pytest's options.
run_addon_tests() {
    local db="$1"
    shift
    pytest -p regie_no_skip -p no:cacheprovider --odoo-database="$db" \
        --odoo-addons-path="$ADDONS_PATH" --odoo-http --odoo-log-level=warn \
        --odoo-extra="data-dir=$DATA_DIR" --odoo-extra=max-cron-threads=0 \
        --odoo-extra="http-port=$(free_port)" --odoo-extra="gevent-port=$(free_port)" "$@"
}
SUITES=(regie_staffing/tests regie_staffing_invoicing/tests)
# Bridges to optional Odoo apps, installed in the realistic database where the
# apps are (they install themselves with the app and the addons).
BRIDGES=regie_staffing_expense,regie_staffing_einvoice
BRIDGE_SUITES=(regie_staffing_expense/tests regie_staffing_einvoice/tests)
# The browser tours (each journey in English and French) run in the realistic
# database, in two pytest runs beside the rest of the suite.
TOURS_A=(regie_staffing/tests/test_tours*.py)
TOURS_B=(regie_staffing_invoicing/tests/test_tours*.py)
NO_TOURS=(--ignore-glob='*/test_tours*.py')

# Three lanes of work share the machine's cores, so that none stays idle:
#   lane 1 (this shell): lint, wheels, the bare database, the bare suite,
#     then the invoicing addon's browser tours on a copy of the realistic
#     database;
#   lane 2 (from the start): the realistic database (usual apps, then the
#     addons), then the first half of the realistic suite on it, then the
#     régie addon's browser tours on a copy of it;
#   lane 3 (once the bare database exists): the end-to-end tests and
#     sale_timesheet installed after the addons, then (once the realistic
#     database exists) the second half of the realistic suite on another copy.
REAL_READY="$ROOT/.run/realistic-ready"
REAL_LOG="$ROOT/.run/realistic.log"
# The realistic suite's two halves, of about the same length.
REAL_SUITES_A=(regie_staffing/tests)
REAL_SUITES_B=(regie_staffing_invoicing/tests "${BRIDGE_SUITES[@]}")
copy_db() {
    createdb -T "$1" "$2"
    if [ -d "$DATA_DIR/filestore/$1" ]; then
        cp -r "$DATA_DIR/filestore/$1" "$DATA_DIR/filestore/$2"
    fi
}
# pytest's exit 5 (no test selected) is fine when extra arguments (-k ...)
# chose the tests.
tests_passed() {
    local status="$1"
    shift
    [ "$status" = 0 ] || { [ "$status" = 5 ] && [ $# -gt 0 ]; }
}
real_prepare() {
    dropdb --if-exists "$REAL_DB"
    odoo_bin -d "$REAL_DB" -i "$USUAL_APPS" --stop-after-init --log-level=warn \
        --logfile="$ROOT/.run/real-apps.log" ||
        die "installing the usual apps failed, see .run/real-apps.log"
    check_log "$ROOT/.run/real-apps.log" "installing the usual apps"
    [ "$(psql -d "$REAL_DB" -Atqc "select count(*) from res_company c
        join res_partner p on p.id = c.partner_id join res_country k on k.id = p.country_id
        where k.code = 'FR' and c.chart_template = 'fr'")" -ge 1 ] ||
        die "the realistic database has no French company with the French chart of accounts"
    log "Realistic stage: installing $ADDONS into it, as a customer would"
    odoo_install "$ROOT/.run/real-install.log" -d "$REAL_DB" -i "$ADDONS,$BRIDGES" --load-language=fr_FR ||
        die "installing the addons into the realistic database failed, see .run/real-install.log"
    check_log "$ROOT/.run/real-install.log" "installing the addons into the realistic database"
    warm_assets "$REAL_DB" "$ROOT/.run/real-assets.log"
    copy_db "$REAL_DB" "$TOURS_DB"
    copy_db "$REAL_DB" "$TOURS_B_DB"
    copy_db "$REAL_DB" "$REAL_B_DB"
    touch "$REAL_READY"
}
real_lane() {
    real_prepare
    log "Realistic stage: addon tests, first half (${REAL_SUITES_A[*]})"
    local status=0
    run_addon_tests "$REAL_DB" "${REAL_SUITES_A[@]}" "${NO_TOURS[@]}" "$@" || status=$?
    tests_passed "$status" "$@" || die "the realistic suite (first half) failed (exit $status)"
    log "Realistic stage: browser tours of ${TOURS_A[*]} in English and French"
    status=0
    run_addon_tests "$TOURS_DB" "${TOURS_A[@]}" "$@" || status=$?
    tests_passed "$status" "$@" || die "the browser tours failed (exit $status)"
}
# pytest's plugin refusing skipped tests (scripts/regie_no_skip.py).
export PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
if [ -z "${REGIE_SKIP_REALISTIC:-}" ]; then
    log "Realistic stage, in the background (.run/realistic.log): $USUAL_APPS with demo data into $REAL_DB, then the addons, then half of the suite and the tours"
    rm -f "$REAL_READY"
    (real_lane "$@") >"$REAL_LOG" 2>&1 &
    REAL_PID=$!
fi

log "Lint: ruff"
ruff check .
ruff format --check .
log "Lint: pylint-odoo"
pylint --rcfile=.pylintrc regie_staffing regie_staffing_invoicing regie_staffing_expense \
    regie_staffing_einvoice
python scripts/gen_readme.py --check

log "Packaging: building both wheels with whool"
rm -rf dist
pip wheel -q --no-deps --no-build-isolation -w dist \
    ./regie_staffing ./regie_staffing_invoicing ./regie_staffing_expense \
    ./regie_staffing_einvoice ./setup/_metapackage
ls dist/odoo_addon_regie_staffing-18.0.*.whl dist/odoo_addon_regie_staffing_invoicing-18.0.*.whl \
    dist/odoo_addon_regie_staffing_expense-18.0.*.whl dist/odoo_addon_regie_staffing_einvoice-18.0.*.whl \
    dist/odoo_addons_regie_staffing-18.0.*.whl >/dev/null ||
    die "the wheels were not built"

log "Bare stage: installing $ADDONS with demo data in a fresh database $TEST_DB"
dropdb --if-exists "$TEST_DB"
odoo_install "$ROOT/.run/install.log" -d "$TEST_DB" -i "$ADDONS" ||
    die "installation failed, see .run/install.log"
check_log "$ROOT/.run/install.log" "the installation"
# French beside English (the default stays English): every tour runs in both.
odoo_install "$ROOT/.run/install-fr.log" -d "$TEST_DB" --load-language=fr_FR ||
    die "loading French failed, see .run/install-fr.log"
check_log "$ROOT/.run/install-fr.log" "loading French"
warm_assets "$TEST_DB" "$ROOT/.run/assets.log"
copy_db "$TEST_DB" "$E2E_DB"
copy_db "$TEST_DB" "$KILL_DB"
copy_db "$TEST_DB" "$AFTER_DB"

# Lane 3, in the background: the end-to-end tests (on bare-stage databases),
# then the second half of the realistic suite.
E2E_LOG="$ROOT/.run/e2e.log"
bare_stage_end() {
    log "Bare stage: end-to-end tests over XML-RPC against a live Odoo server"
    PORT="$(free_port)"
    odoo_server -d "$E2E_DB" --http-interface=127.0.0.1 --http-port="$PORT" --workers=0 \
        --gevent-port="$(free_port)" --log-level=warn --logfile="$ROOT/.run/e2e-server.log" &
    E2E_SERVER=$!
    trap 'stop_pid "$E2E_SERVER"' EXIT
    trap 'exit 143' TERM
    wait_http "http://127.0.0.1:$PORT" "$E2E_SERVER"
    # The kill test (tests/test_adversarial_kill.py) starts its own server.
    local status=0
    REGIE_URL="http://127.0.0.1:$PORT" REGIE_DB="$E2E_DB" REGIE_KILL_DB="$KILL_DB" \
        REGIE_ODOO_BIN="$ODOO_PATH/odoo-bin" REGIE_ADDONS_PATH="$ADDONS_PATH" \
        REGIE_DATA_DIR="$DATA_DIR" REGIE_PYTHON="$(command -v python)" \
        pytest -p regie_no_skip -p no:cacheprovider -p no:odoo tests "$@" || status=$?
    stop_pid "$E2E_SERVER"
    trap - EXIT
    tests_passed "$status" "$@" || die "the end-to-end tests failed (exit $status)"
    log "Bare stage: installing sale_timesheet after the addons"
    odoo_install "$ROOT/.run/install-after.log" -d "$AFTER_DB" -i sale_timesheet ||
        die "installing sale_timesheet after the addons failed, see .run/install-after.log"
    check_log "$ROOT/.run/install-after.log" "installing sale_timesheet after the addons"
}
# Waits until lane 2 has prepared the realistic database and its copies.
wait_realistic_db() {
    log "Realistic stage: waiting for its database"
    while [ ! -e "$REAL_READY" ]; do
        kill -0 "$REAL_PID" 2>/dev/null ||
            die "the realistic database could not be prepared, see .run/realistic.log"
        sleep 2
    done
}
third_lane() {
    bare_stage_end "$@"
    [ -n "$REAL_PID" ] || return 0
    wait_realistic_db
    local status=0
    log "Realistic stage: addon tests, second half (${REAL_SUITES_B[*]})"
    run_addon_tests "$REAL_B_DB" "${REAL_SUITES_B[@]}" "${NO_TOURS[@]}" "$@" || status=$?
    tests_passed "$status" "$@" || die "the realistic suite (second half) failed (exit $status)"
}
log "Lane 3, in the background (.run/e2e.log): end-to-end tests, sale_timesheet after the addons, then half of the realistic suite"
(third_lane "$@") >"$E2E_LOG" 2>&1 &
SERVER_PID=$!

log "Bare stage: addon tests (pytest-odoo, real database, HTTP server and browser)"
BARE_STATUS=0
run_addon_tests "$TEST_DB" "${SUITES[@]}" "${NO_TOURS[@]}" "$@" || BARE_STATUS=$?
tests_passed "$BARE_STATUS" "$@" || die "the bare suite failed (exit $BARE_STATUS)"

if [ -n "$REAL_PID" ]; then
    wait_realistic_db
    log "Realistic stage: browser tours of ${TOURS_B[*]} in English and French"
    TOURS_STATUS=0
    run_addon_tests "$TOURS_B_DB" "${TOURS_B[@]}" "$@" || TOURS_STATUS=$?
    tests_passed "$TOURS_STATUS" "$@" || die "the browser tours failed (exit $TOURS_STATUS)"
fi

if [ -n "$REAL_PID" ]; then
    log "Realistic stage: waiting for its first half and the tours (.run/realistic.log)"
    REAL_STATUS=0
    wait "$REAL_PID" || REAL_STATUS=$?
    REAL_PID=
    cat "$REAL_LOG"
    [ "$REAL_STATUS" = 0 ] || die "the realistic stage failed (exit $REAL_STATUS), see above"
fi

log "Waiting for lane 3: end-to-end tests, second half of the realistic suite (.run/e2e.log)"
E2E_STATUS=0
wait "$SERVER_PID" || E2E_STATUS=$?
SERVER_PID=
cat "$E2E_LOG"
[ "$E2E_STATUS" = 0 ] || die "lane 3 failed (exit $E2E_STATUS), see above"

log "All tests passed in $(($(date +%s) - START)) s"
