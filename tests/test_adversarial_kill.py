"""SIGKILL in the middle of invoicing 200 validated months (issue 11).

A separate Odoo server runs on its own port and database (REGIE_KILL_DB, a
copy of the bare database made by scripts/test.sh before any server connects
to it), so that killing it disturbs no other end-to-end test. 200 validated
months are invoiced in one call from a thread; the server is killed (SIGKILL)
once that transaction has started writing invoice lines. After the kill,
nothing is half-written (no invoice line without its month flagged invoiced,
no month invoiced without its line); after a restart the months are invoiced
again and each is billed exactly once at its validated days.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client

import psycopg2
import pytest
from odoo_client import OdooClient

MONTHS = 200
LINES_PER_MONTH = 2
RATE = 640.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KillServer:
    """An Odoo server on the kill database, started and killed at will."""

    def __init__(self, db):
        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = os.path.join(ROOT, ".run", "kill-server.log")

    def start(self):
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        odoo_bin = os.environ.get("REGIE_ODOO_BIN", "/opt/odoo/odoo-bin")
        odoo_root = os.path.dirname(odoo_bin)
        addons = os.environ.get(
            "REGIE_ADDONS_PATH",
            f"{odoo_root}/addons,{odoo_root}/odoo/addons,{ROOT}",
        )
        data_dir = os.environ.get("REGIE_DATA_DIR", os.path.join(ROOT, ".odoo-data"))
        command = [
            os.environ.get("REGIE_PYTHON", sys.executable),
            odoo_bin,
            "-d",
            self.db,
            f"--db-filter=^{self.db}$",
            f"--addons-path={addons}",
            f"--data-dir={data_dir}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={_free_port()}",
            "--workers=0",
            "--max-cron-threads=0",
            # Invoicing 200 months (and rendering their CRA) may outlast
            # Odoo's default 120 s request limit on a slow machine.
            "--limit-time-real=1800",
            "--limit-time-cpu=1800",
            "--log-level=warn",
            f"--logfile={self.log}",
        ]
        # Without wkhtmltopdf on its PATH (Odoo's own fallback: the signed CRA
        # is not kept): what is checked is billing, and the common Debian build
        # renders one PDF per run, 200 runs of it for these months.
        path = [
            directory
            for directory in os.environ.get("PATH", os.defpath).split(os.pathsep)
            if not os.path.exists(os.path.join(directory, "wkhtmltopdf"))
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, PATH=os.pathsep.join(path)),
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the kill server stopped while starting (see {self.log})"
                )
            try:
                xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").version()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"the kill server did not answer on {self.url}")

    def kill(self):
        """SIGKILL, then wait until PostgreSQL has dropped the dead server's
        connections (their open transaction is rolled back then)."""
        pid = self.process.pid
        os.kill(pid, signal.SIGKILL)
        self.process.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not sql(
                self.db,
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [f"odoo-{pid}"],
            ):
                return
            time.sleep(0.2)
        raise AssertionError("the killed server's connections are still open")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)


def sql(db, query, params=()):
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def kill_server():
    db = os.environ.get("REGIE_KILL_DB")
    if not db:
        raise pytest.UsageError(
            "REGIE_KILL_DB must name a copy of the bare database that no server "
            "uses (scripts/test.sh creates it): the kill test starts and kills "
            "its own Odoo server on it"
        )
    server = KillServer(db)
    server.start()
    yield server
    server.stop()


def validated_months(admin, tag):
    """One contract, 200 consultants, each with a validated month of
    LINES_PER_MONTH days: ids of the months."""
    client = admin.call(
        "res.partner", "create", {"name": f"Kill client {tag}", "is_company": True}
    )
    employees = admin.call(
        "hr.employee",
        "create",
        [{"name": f"Kill consultant {i} {tag}"} for i in range(MONTHS)],
    )
    contract = admin.call(
        "regie.contract",
        "create",
        {
            "partner_id": client,
            "date_start": "2026-01-01",
            "hours_per_day": 8.0,
            # Admin types the lines and validates them (noted on the months).
            "allow_internal_validation": True,
            "mission_ids": [
                (
                    0,
                    0,
                    {"employee_id": e, "daily_rate": RATE, "date_start": "2026-01-01"},
                )
                for e in employees
            ],
        },
    )
    admin.call("regie.contract", "action_activate", [contract])
    project = admin.call("regie.contract", "read", [contract], ["project_id"])[0][
        "project_id"
    ][0]
    admin.call(
        "account.analytic.line",
        "create",
        [
            {
                "project_id": project,
                "employee_id": employee,
                "date": f"2026-08-{day + 3:02d}",
                "unit_amount": 8.0,
                "name": f"Kill {tag}",
            }
            for employee in employees
            for day in range(LINES_PER_MONTH)
        ],
    )
    months = admin.call(
        "regie.timesheet.period", "search", [("contract_id", "=", contract)]
    )
    assert len(months) == MONTHS
    admin.call("regie.timesheet.period", "action_submit", months)
    admin.call("regie.timesheet.period", "action_validate", months)
    return months


def billing(admin, months):
    """Per month: its state, billable days, and the live (not cancelled)
    invoice lines pointing at it with their quantity."""
    state = {
        month["id"]: {
            "state": month["state"],
            "days": month["billable_days"],
            "line": month["invoice_line_id"] and month["invoice_line_id"][0],
            "lines": [],
        }
        for month in admin.call(
            "regie.timesheet.period",
            "read",
            months,
            ["state", "billable_days", "invoice_line_id"],
        )
    }
    for line in admin.call(
        "account.move.line",
        "search_read",
        [("regie_period_id", "in", months), ("parent_state", "!=", "cancel")],
        fields=["regie_period_id", "quantity", "move_id", "price_unit"],
    ):
        state[line["regie_period_id"][0]]["lines"].append(line)
    return state


def check_nothing_half_written(state):
    """Every month is either invoiced with exactly its line, or validated
    with none; every invoice line's month says invoiced."""
    for month, values in state.items():
        lines = values["lines"]
        if values["state"] == "invoiced":
            assert len(lines) == 1, f"month {month} invoiced with lines {lines}"
            assert values["line"] == lines[0]["id"], (
                f"month {month} points at {values['line']}, billed by {lines}"
            )
        else:
            assert values["state"] == "validated", (month, values)
            assert not lines, f"month {month} is not invoiced but billed by {lines}"
            assert not values["line"], f"month {month} keeps a dead invoice link"


def test_kill_while_invoicing_200_months(admin, kill_server, run_id, tally):
    server = kill_server
    boss = OdooClient(server.url, server.db, "admin", admin.password)
    started = time.monotonic()
    months = validated_months(boss, f"kill{run_id}")
    prepared = time.monotonic() - started
    moves_before = boss.call("account.move", "search_count", [])

    outcome = {}

    def invoice():
        try:
            outcome["result"] = boss.call(
                "regie.timesheet.period", "action_create_invoice", months
            )
        except (OSError, xmlrpc.client.Error) as error:
            outcome["error"] = error

    thread = threading.Thread(target=invoice, daemon=True)
    thread.start()
    # Kill once the invoicing transaction has written invoice lines (it holds
    # a row lock on account_move_line until it commits).
    writing = False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and thread.is_alive():
        writing = bool(
            sql(
                server.db,
                """
                SELECT 1 FROM pg_locks l
                JOIN pg_class c ON c.oid = l.relation
                JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE c.relname = 'account_move_line'
                  AND l.mode = 'RowExclusiveLock'
                  AND a.application_name = %s
                """,
                [f"odoo-{server.process.pid}"],
            )
        )
        if writing:
            break
        time.sleep(0.02)
    assert writing, f"invoicing never started writing lines ({outcome})"
    # Let it write more lines before the kill.
    time.sleep(0.5)
    assert thread.is_alive(), f"invoicing finished before the kill: {outcome}"
    server.kill()
    tally("kill", "SIGKILL mid-invoicing")
    thread.join(30)
    assert "error" in outcome, f"the killed call answered: {outcome}"

    server.start()
    boss = OdooClient(server.url, server.db, "admin", admin.password)
    after_kill = billing(boss, months)
    check_nothing_half_written(after_kill)
    # One transaction: the kill rolled it all back.
    assert {v["state"] for v in after_kill.values()} == {"validated"}
    assert boss.call("account.move", "search_count", []) == moves_before

    boss.call("regie.timesheet.period", "action_create_invoice", months)
    tally("kill", "invoicing after the restart")
    final = billing(boss, months)
    check_nothing_half_written(final)
    for month, values in final.items():
        assert values["state"] == "invoiced", (month, values)
        billed = sum(line["quantity"] for line in values["lines"])
        assert billed == pytest.approx(values["days"]), (month, values)
        assert values["days"] == pytest.approx(LINES_PER_MONTH)
        assert values["lines"][0]["price_unit"] == pytest.approx(RATE)
    print(
        f"kill test: {MONTHS} months prepared in {prepared:.0f} s, "
        f"invoiced once after a SIGKILL mid-invoicing, "
        f"{time.monotonic() - started:.0f} s in all"
    )
