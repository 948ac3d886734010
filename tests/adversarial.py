"""Shared tools of the adversarial suite: the public visitor's XML-RPC client,
the database snapshot compared around every attempt, and what a readable
refusal is.

Nothing here imports Odoo: calls go over XML-RPC; the snapshot is read from
PostgreSQL directly (libpq's environment, as scripts/test.sh sets it).
"""

import xmlrpc.client

import psycopg2
from odoo_client import OdooClient
from psycopg2 import sql

# /xmlrpc/2/ fault codes (odoo/addons/base/controllers/rpc.py): a warning
# (UserError, ValidationError, MissingError), a refused login, an AccessError.
# Code 1 is any other exception: a raw Python or SQL error and its traceback.
READABLE_FAULT_CODES = {2: "UserError", 3: "AccessDenied", 4: "AccessError"}
RAW_ERROR_MARKERS = (
    "Traceback",
    "psycopg2",
    "KeyError",
    "TypeError",
    "AttributeError",
    "ValueError",
    "IndexError",
    "cannot marshal",
)

# Models whose counts are compared around every attempt besides the régie
# models read from ir.model: the timesheets and the moves that bill them.
WATCHED_MODELS = ("account.analytic.line", "account.move", "account.move.line")


class UserClient(OdooClient):
    """A user's XML-RPC session whose id is known: no ``authenticate`` call
    (each costs a password hash on the server; the first call checks the
    password anyway)."""

    def __init__(self, url, db, uid, login, password):  # pylint: disable=super-init-not-called
        self.url, self.db, self.uid = url, db, uid
        self.login, self.password = login, password
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")


class PublicClient:
    """The unauthenticated visitor: calls go out with the public user's id and
    no password, as a script that skipped ``authenticate`` would."""

    def __init__(self, url, db, public_uid):
        self.url, self.db, self.uid, self.password = url, db, public_uid, ""
        self.login = "public"
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


def regie_models(admin, transient=None):
    """Names of every régie model installed (both addons), from ir.model."""
    domain = [("model", "=like", "regie.%")]
    if transient is not None:
        domain.append(("transient", "=", transient))
    return sorted(
        model["model"]
        for model in admin.call("ir.model", "search_read", domain, fields=["model"])
    )


class Snapshot:
    """What no refused attempt may change, read in the database itself in
    one query (an XML-RPC round trip per attempt would cost more than the
    attempt): for every régie table (both addons, listed from ir.model at
    start), the timesheets and the moves, the record count and the latest
    write date (any write to any of their records moves it); per state, the
    months' count, hours and billable days; the count, quantity and amount of
    the live move lines billing validated or invoiced months."""

    def __init__(self, admin, db):
        models = admin.call(
            "ir.model",
            "search_read",
            [("model", "=like", "regie.%"), ("transient", "=", False)],
            fields=["model"],
        )
        tables = [m["model"].replace(".", "_") for m in models]
        tables += [name.replace(".", "_") for name in WATCHED_MODELS]
        self.db = db
        self.connection = psycopg2.connect(dbname=db)
        self.connection.autocommit = True
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = 'write_date' AND table_name = ANY(%s)",
                [tables],
            )
            dated = {row[0] for row in cursor.fetchall()}
        parts = [
            sql.SQL("SELECT {name}, count(*), {latest} FROM {table}").format(
                name=sql.Literal(table),
                latest=sql.SQL("max(write_date)::text" if table in dated else "NULL"),
                table=sql.Identifier(table),
            )
            for table in sorted(tables)
        ]
        parts.append(
            sql.SQL(
                "SELECT 'month ' || state, count(*), "
                "sum(total_hours)::text || ' h ' || sum(billable_days)::text || ' d' "
                "FROM regie_timesheet_period GROUP BY state"
            )
        )
        parts.append(
            sql.SQL(
                "SELECT 'billed', count(*), "
                "sum(l.quantity)::text || ' x ' || sum(l.price_subtotal)::text "
                "FROM account_move_line l "
                "JOIN regie_timesheet_period p ON p.id = l.regie_period_id "
                "WHERE p.state IN ('validated', 'invoiced') "
                "AND l.parent_state != 'cancel'"
            )
        )
        self.query = sql.SQL(" UNION ALL ").join(parts)

    def __call__(self):
        with self.connection.cursor() as cursor:
            cursor.execute(self.query)
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def close(self):
        self.connection.close()


def changes(before, after):
    """The entries of two snapshots that differ, for the failure message."""
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def classify(error):
    """'readable' for an Odoo refusal carrying its message, else 'raw'."""
    if not isinstance(error, xmlrpc.client.Fault):
        return "raw"
    if error.faultCode not in READABLE_FAULT_CODES:
        return "raw"
    if any(marker in error.faultString for marker in RAW_ERROR_MARKERS):
        return "raw"
    return "readable"


def describe(error):
    if isinstance(error, xmlrpc.client.Fault):
        text = error.faultString.strip().splitlines()
        kind = READABLE_FAULT_CODES.get(error.faultCode, "raw error")
        return f"{kind}: {' | '.join(text[-3:])[:400]}"
    return repr(error)[:400]
