#!/usr/bin/env bash
# Benchmarks, each against Odoo's own equivalent measured in the same run.
# Usage: bench/run.sh [--months N ...] [--pdf-months N] [--only regie|sale]
#                     [--figures FILE ...]
#   default: the monthly close at 1,000 and 5,000 consultant-months and the
#   signed CRA PDFs of 50 months (bench_monthly_close.py), then the batch push
#   of timesheet lines (bench_timesheet_batch.py); `--months 1000` for a quick
#   run. Above 1,000 months (--direct-up-to) the régie months are closed the
#   way users close them, in background batches. Each size's figures are kept
#   in bench/results/monthly_close_<size>.json: `--only regie` then `--only
#   sale` close one side per run (5,000 months take hours on 2 cores), and
#   `--months --pdf-months 0 --figures bench/results/monthly_close_*.json`
#   prints them together, with the growth between sizes.
#   Sets up what scripts/demo.sh and scripts/test.sh set up (Python
#   environment, PostgreSQL, wkhtmltopdf), then creates once the database
#   regie_bench (REGIE_BENCH_DB) without demo data: both addons and
#   sale_timesheet; later runs update the addons in it. Every benchmark works
#   in one transaction that it rolls back, so runs repeat. Results are printed
#   and kept in bench/results/*.txt.
# Environment: ODOO_PATH (default /opt/odoo), REGIE_BENCH_DB (default
# regie_bench), REGIE_BENCH_HTTP_PORT (default 8260: the report styles are
# served to wkhtmltopdf from there while the PDFs render).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

DB="${REGIE_BENCH_DB:-regie_bench}"
HTTP_PORT="${REGIE_BENCH_HTTP_PORT:-8260}"
ADDONS=regie_staffing,regie_staffing_invoicing
for arg in "$@"; do
    case "$arg" in
    -h | --help)
        sed -n '2,/^source/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    esac
done

check_odoo
if python3 -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $HTTP_PORT)) != 0)"; then
    die "port $HTTP_PORT is already in use on 127.0.0.1: stop what listens there or set REGIE_BENCH_HTTP_PORT."
fi
command -v wkhtmltopdf >/dev/null || apt_install wkhtmltopdf fonts-dejavu-core
setup_venv
setup_postgres
mkdir -p "$DATA_DIR" "$ROOT/bench/results" "$ROOT/.run"
cd "$ROOT"

drop_if_filestore_lost "$DB"
if psql -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    log "Reusing the benchmark database $DB (updating the addons)"
    odoo_install "$ROOT/.run/bench-update.log" -d "$DB" -u "$ADDONS" ||
        die "updating the addons in $DB failed, see .run/bench-update.log"
else
    log "Creating the benchmark database $DB: $ADDONS and sale_timesheet, no demo data (a few minutes)"
    odoo_install "$ROOT/.run/bench-install.log" -d "$DB" -i "$ADDONS,sale_timesheet" \
        --without-demo=all || {
        dropdb --if-exists "$DB"
        die "creating $DB failed, see .run/bench-install.log"
    }
fi
# Installed modules are checked: an install that logged errors is no base to
# measure on.
for module in regie_staffing regie_staffing_invoicing sale_timesheet; do
    [ "$(psql -d "$DB" -Atqc "select state from ir_module_module where name = '$module'")" = installed ] ||
        die "$module is not installed in $DB (drop it and run again: dropdb $DB)"
done

run_bench() {
    local script="$1"
    shift
    log "Running $script $*"
    python "$script" --db "$DB" --addons-path "$ADDONS_PATH" --data-dir "$DATA_DIR" "$@" |
        tee "bench/results/$(basename "$script" .py).txt"
}
run_bench bench/bench_monthly_close.py --http-port "$HTTP_PORT" "$@"
run_bench bench/bench_timesheet_batch.py
log "Results kept in bench/results/"
