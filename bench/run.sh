#!/usr/bin/env bash
# Benchmarks, each against Odoo's own equivalent measured in the same run.
# Usage: bench/run.sh [script ...]   (default: every bench_*.py)
# The database regie_bench (no demo data) is created once and reused; every
# benchmark works in one transaction that it rolls back.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

DB="${REGIE_BENCH_DB:-regie_bench}"
check_odoo
setup_venv
setup_postgres
mkdir -p "$DATA_DIR" "$ROOT/bench/results"
cd "$ROOT"
if ! psql -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    log "Creating the benchmark database $DB (no demo data)"
    odoo_bin -d "$DB" -i regie_staffing,regie_staffing_invoicing,sale_timesheet \
        --without-demo=all --stop-after-init --log-level=warn || die "install failed"
else
    odoo_bin -d "$DB" -u regie_staffing,regie_staffing_invoicing --stop-after-init \
        --log-level=warn || die "update failed"
fi
scripts=("$@")
[ "${#scripts[@]}" -gt 0 ] || scripts=(bench/bench_*.py)
for script in "${scripts[@]}"; do
    log "Running $script"
    python "$script" --db "$DB" --addons-path "$ADDONS_PATH" --data-dir "$DATA_DIR" |
        tee "bench/results/$(basename "$script" .py).txt"
done
