#!/usr/bin/env bash
# Command 1: set up everything and serve the demo database.
#   Python environment (Odoo's requirements + the project's), PostgreSQL (started
#   when none is reachable), a demo database with both addons and their demo data
#   (created once, reused afterwards), then Odoo on http://127.0.0.1:8069.
# Environment: ODOO_PATH (default /opt/odoo), REGIE_DEMO_DB (default regie_demo),
# REGIE_HTTP_PORT (default 8069).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${REGIE_DEMO_DB:-regie_demo}"
HTTP_PORT="${REGIE_HTTP_PORT:-8069}"
ADDONS=regie_staffing,regie_staffing_invoicing

check_odoo
if python3 -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $HTTP_PORT)) != 0)"; then
    die "port $HTTP_PORT is already in use on 127.0.0.1: stop what listens there or set REGIE_HTTP_PORT."
fi
setup_system_tools
setup_venv
setup_postgres
mkdir -p "$DATA_DIR"
cd "$ROOT"

URL="http://127.0.0.1:$HTTP_PORT"
mkdir -p "$ROOT/.run"

# Reports load their styles from the server's own URL: set it to the URL the
# demo is served on before anything renders (Odoo only learns it when admin
# logs in). report.url is what PDFs use; web.base.url is also in the links
# of the mails.
set_base_url() {
    psql -d "$DB" -qAt -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
VALUES ('web.base.url', '$URL', 1, 1, now(), now()), ('report.url', '$URL', 1, 1, now(), now())
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = now();
SQL
}

drop_if_filestore_lost "$DB"
if psql -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    log "Reusing database $DB (updating the addons)"
    set_base_url
    odoo_install "$ROOT/.run/demo-update.log" -d "$DB" -u "$ADDONS" ||
        die "updating the addons in $DB failed, see .run/demo-update.log"
else
    log "Creating database $DB with both addons and their demo data (a few minutes)"
    odoo_install "$ROOT/.run/demo-base.log" -d "$DB" -i base ||
        die "creating $DB failed, see .run/demo-base.log"
    set_base_url
    odoo_install "$ROOT/.run/demo-install.log" -d "$DB" -i "$ADDONS" ||
        die "installing the addons in $DB failed, see .run/demo-install.log"
fi

cat >&2 <<EOF

  Odoo is starting on $URL  (database: $DB)
  Demo logins (password = login):
    admin            administrator (Régie manager)
    manager.demo     Régie manager
    lead.demo        project lead
    consultant.demo  consultant
    client.demo      client contact (portal, /my)
  Stop with Ctrl+C.

EOF
exec python "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
    -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$HTTP_PORT"
