# Shared set-up for scripts/demo.sh and scripts/test.sh (sourced, not run).
# Lays out the project's Python environment, checks Odoo, starts PostgreSQL
# when none is reachable and installs the browser/PDF tools the tests need.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo}"
VENV="${REGIE_VENV:-$ROOT/.venv}"
DATA_DIR="${REGIE_DATA_DIR:-$ROOT/.odoo-data}"
ADDONS_PATH="$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$ROOT"
PG_PRIVATE="$ROOT/.pgdata"
PG_PRIVATE_PORT="${REGIE_PG_PORT:-5433}"

log() { printf '\033[1m[regie]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[regie] ERROR:\033[0m %s\n' "$*" >&2
    exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }

check_odoo() {
    if [ ! -f "$ODOO_PATH/odoo-bin" ] || [ ! -d "$ODOO_PATH/odoo/addons/base" ] ||
        [ ! -d "$ODOO_PATH/addons/hr_timesheet" ]; then
        die "Odoo 18.0 source not found at ODOO_PATH=$ODOO_PATH.
  Lay out an Odoo 18.0 community tree there (odoo/, addons/, odoo-bin, requirements.txt),
  e.g. 'git clone --depth 1 -b 18.0 https://github.com/odoo/odoo $ODOO_PATH',
  or point ODOO_PATH at an existing checkout."
    fi
    local version
    version="$(sed -n "s/^version_info = (\([0-9]*\), *\([0-9]*\).*/\1.\2/p" \
        "$ODOO_PATH/odoo/release.py")"
    [ "$version" = "18.0" ] || die "ODOO_PATH=$ODOO_PATH holds Odoo $version, not 18.0."
}

# Odoo's requirements with the known adjustments: cbor2 5.4.2 no longer builds
# on Python 3.11, python-ldap needs LDAP headers (auth_ldap only), and
# phonenumbers is left out of the file although Odoo's packages install it:
# account_peppol needs it, and Odoo installs that module by itself when a
# company is created in a database with account_edi_ubl_cii.
odoo_requirements() {
    grep -v -i -E '^(python-ldap|cbor2|phonenumbers)[ =]' "$ODOO_PATH/requirements.txt"
    echo 'cbor2==5.6.2'
    echo 'phonenumbers'
}

# Reads pip's output and prints a short progress line for each package.
pip_progress() {
    local count=0 line
    while IFS= read -r line; do
        case "$line" in
        Collecting\ * | Requirement\ already\ satisfied:\ *)
            count=$((count + 1))
            printf '  [%3d] %s\n' "$count" "$(printf '%s' "$line" | cut -c1-100)" >&2
            ;;
        Building\ wheel* | Installing\ collected* | Successfully\ installed*)
            printf '  %s\n' "$(printf '%s' "$line" | cut -c1-100)" >&2
            ;;
        ERROR:* | error:*) printf '%s\n' "$line" >&2 ;;
        esac
    done
}

setup_venv() {
    local python="${PYTHON:-python3}"
    command -v "$python" >/dev/null || die "$python not found: install Python >= 3.10."
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "Python >= 3.10 is required ($python is $("$python" --version))."
    local stamp="$VENV/.regie-requirements"
    local wanted
    wanted="$( (odoo_requirements; cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt"; echo "$ODOO_PATH") | sha1sum | cut -c1-40)"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
        log "Python environment up to date: $VENV"
    else
        log "Creating the Python environment in $VENV (Odoo requirements + project, a few minutes)"
        [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip wheel setuptools
        odoo_requirements >"$VENV/odoo-requirements.txt"
        # pip's own progress, one line a package, without its noise.
        "$VENV/bin/pip" install --disable-pip-version-check --progress-bar off \
            -r "$VENV/odoo-requirements.txt" -r "$ROOT/requirements.txt" \
            -r "$ROOT/requirements-dev.txt" 2>&1 |
            tee "$VENV/pip-install.log" | pip_progress ||
            die "pip could not install the requirements (see $VENV/pip-install.log)."
        echo "$wanted" >"$stamp"
        log "Python environment ready"
    fi
    # Odoo runs from source: make it importable in the environment.
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_PATH" >"$site/odoo_source.pth"
    "$VENV/bin/python" -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)' ||
        die "Odoo at $ODOO_PATH is not importable from $VENV."
    export PATH="$VENV/bin:$PATH"
}

apt_install() {
    if is_root; then
        log "Installing Debian packages: $*"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1; then
            apt-get update -q >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null ||
                die "apt-get could not install: $*"
        fi
    else
        die "Missing system packages: $*. Install them as root: sudo apt-get install $*"
    fi
}

setup_system_tools() {
    local missing=()
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
        command -v google-chrome >/dev/null || missing+=(chromium)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}" fonts-dejavu-core
    fi
}

pg_ready() { psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$dir" ] || die "PostgreSQL server binaries not found: apt-get install postgresql (>= 13)."
    echo "$dir"
}

start_private_cluster() {
    # PostgreSQL refuses to run as root: as root the private cluster runs as 'postgres'.
    local bin run_as=()
    bin="$(pg_bin)"
    mkdir -p "$PG_PRIVATE/run"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "No 'postgres' system user to run a private cluster."
        chown -R postgres "$PG_PRIVATE"
        run_as=(su postgres -s /bin/sh -c)
    else
        run_as=(sh -c)
    fi
    if [ ! -f "$PG_PRIVATE/data/PG_VERSION" ]; then
        log "Initialising a private PostgreSQL cluster in $PG_PRIVATE"
        "${run_as[@]}" "'$bin/initdb' -D '$PG_PRIVATE/data' -A trust -U postgres >'$PG_PRIVATE/initdb.log'" ||
            die "initdb failed, see $PG_PRIVATE/initdb.log"
    fi
    "${run_as[@]}" "'$bin/pg_ctl' -D '$PG_PRIVATE/data' -l '$PG_PRIVATE/server.log' -w \
        -o \"-k '$PG_PRIVATE/run' -p $PG_PRIVATE_PORT -c listen_addresses=''\" start" >/dev/null ||
        die "the private PostgreSQL cluster did not start, see $PG_PRIVATE/server.log"
    export PGHOST="$PG_PRIVATE/run" PGPORT="$PG_PRIVATE_PORT"
    psql -U postgres -d postgres -Atqc "select 1 from pg_roles where rolname = '$(id -un)'" |
        grep -q 1 || psql -U postgres -d postgres -qc "create role \"$(id -un)\" login superuser"
}

setup_postgres() {
    command -v psql >/dev/null || apt_install postgresql-client
    if [ -f "$PG_PRIVATE/data/PG_VERSION" ] && [ -z "${PGHOST:-}" ]; then
        export PGHOST="$PG_PRIVATE/run" PGPORT="$PG_PRIVATE_PORT"
    fi
    if pg_ready; then
        log "PostgreSQL reachable ($(psql -d postgres -Atqc 'show server_version'))"
        return
    fi
    if [ "${PGHOST:-}" = "$PG_PRIVATE/run" ]; then
        start_private_cluster
    elif is_root && command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
        local version name
        read -r version name _ < <(pg_lsclusters -h | sort -V | tail -1)
        log "Starting the Debian PostgreSQL cluster $version/$name"
        pg_ctlcluster "$version" "$name" start 2>/dev/null || true
        for _ in $(seq 30); do su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
        su postgres -c "psql -Atqc \"select 1 from pg_roles where rolname = 'root'\"" | grep -q 1 ||
            su postgres -c "psql -qc 'create role root login superuser'"
    else
        start_private_cluster
    fi
    pg_ready || die "PostgreSQL is not reachable and could not be started."
    log "PostgreSQL reachable ($(psql -d postgres -Atqc 'show server_version'))"
}

odoo_bin() {
    python "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
        --db-filter='.*' --max-cron-threads=0 "$@"
}

# Installs or updates modules (`odoo_install LOGFILE -d db -i mods ...`): the
# whole log goes to LOGFILE, a line per module loaded to the terminal.
odoo_install() {
    local logfile="$1"
    shift
    odoo_bin "$@" --stop-after-init --log-level=warn \
        --log-handler=odoo.modules.loading:INFO 2>&1 | tee "$logfile" | odoo_progress
}

odoo_progress() {
    local line module current=
    while IFS= read -r line; do
        case "$line" in
        *" odoo.modules.loading: loading "*/*)
            module="${line##*odoo.modules.loading: loading }"
            module="${module%%/*}"
            if [ "$module" != "$current" ]; then
                current="$module"
                printf '  loading %s\n' "$module" >&2
            fi
            ;;
        *" ERROR "* | *" CRITICAL "* | Traceback*) printf '%s\n' "$line" >&2 ;;
        esac
    done
}

# Odoo as a server in the background: `odoo_server ... &` makes $! the PID of
# Odoo's own process (the subshell execs it), so that stopping that PID stops
# Odoo; stop_pid stops it, and kills it when it does not stop in 15 s.
# Drops a database kept while its data directory was not (a new work tree,
# another REGIE_DATA_DIR): its stored attachments' files, the report styles
# among them, are gone from DATA_DIR's filestore, and PDFs would render
# unstyled. The caller then creates it again.
drop_if_filestore_lost() {
    local db="$1" fname missing=0
    psql -d postgres -Atqc "select 1 from pg_database where datname = '$db'" | grep -q 1 || return 0
    while IFS= read -r fname; do
        [ -f "$DATA_DIR/filestore/$db/$fname" ] || missing=$((missing + 1))
    done < <(psql -d "$db" -Atqc "select distinct store_fname from ir_attachment where store_fname is not null")
    [ "$missing" = 0 ] && return 0
    log "$missing files of $db's attachments are missing from $DATA_DIR/filestore/$db (the data directory was not kept): creating the database again"
    dropdb "$db"
    rm -rf "${DATA_DIR:?}/filestore/$db"
}

odoo_server() {
    exec python "$ODOO_PATH/odoo-bin" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
        --db-filter='.*' --max-cron-threads=0 "$@"
}

stop_pid() {
    local pid="$1"
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

free_port() {
    python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {
    local url="$1" pid="$2"
    for _ in $(seq 180); do
        kill -0 "$pid" 2>/dev/null || die "Odoo stopped while starting (see its log)."
        python - "$url" <<'EOF' && return 0
import sys, xmlrpc.client
try:
    xmlrpc.client.ServerProxy(sys.argv[1] + "/xmlrpc/2/common").version()
except Exception:
    sys.exit(1)
EOF
        sleep 1
    done
    die "Odoo did not answer on $url."
}
