"""The monthly close at scale, against sale_timesheet's invoicing of the same lines.

For each size (consultant-months, default 1,000 and 5,000), in one transaction
rolled back at the end: as many clients, each with an active régie contract
(one consultant, a user, on one mission at 600.00 a day) and a confirmed sale
order of a timesheet-based service (75.00 an hour, its own project). Then one
month of 21 lines of 8 h per consultant is closed the way the product's users
close it:

- generate the months (``generate_periods``, as a project lead);
- push the lines (one batched ``create`` for each 5,000 lines; the same lines
  are pushed on the sale orders' projects);
- submit them (``action_submit`` on the list, as the contracts' lead);
- validate them (``action_validate`` on the list, as the lead: the internal
  validation that stands for the client's);
- invoice them (``action_create_invoice`` on the list, as an accountant);
- post the invoices (``action_post``, as the accountant);

and the same lines are invoiced and posted by sale_timesheet
(``sale.order._create_invoices`` then ``action_post``, as the accountant).
Both sides make one invoice of one line per consultant-month.

The signed CRA PDFs are not part of that close: their rendering is replaced by
a constant document (still stored and attached to the invoices). The real
rendering is measured apart: the signed CRAs of ``--pdf-months`` validated
months rendered by the scheduled action with the installed wkhtmltopdf, the
report's styles served by an Odoo HTTP server started in this process.
"""

import datetime
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest.mock import patch

from common import Measure, environment, parse_args

from odoo import Command, http
from odoo.service import server

LINES, HOURS, DAILY_RATE = 21, 8.0, 600.0
CHUNK = 5000
MONTH = datetime.date(2026, 10, 1)
# The month closed again through the background batches, when the addon has them.
BACKGROUND_MONTH = datetime.date(2026, 9, 1)
REGIE_ACCOUNTANT = "regie_staffing_invoicing.group_regie_accountant"
# Scheduler calls between two refreshes of PostgreSQL's statistics while
# batches are drained (autovacuum's naptime is a minute; a call takes 0.5 to 5 s).
ANALYZE_EVERY = 10
ACTIVE_BATCH = [("state", "in", ("queued", "running"))]
STUB_PDF = b"%PDF-1.4\n% bench: rendering measured apart\n%%EOF\n"
STEPS = (
    ("generate", "generate the months"),
    ("push", "push the lines"),
    ("submit", "submit (action_submit)"),
    ("validate", "validate (action_validate)"),
    ("cra", "store the CRAs (scheduled action)"),
    ("invoice", "invoice (action_create_invoice)"),
    ("post", "post the invoices"),
)
SALE_STEPS = (
    ("sale_push", "push the lines"),
    ("sale_invoice", "invoice (_create_invoices)"),
    ("sale_post", "post the invoices"),
)
BACKGROUND_STEPS = (
    ("bg_generate", "generate the months"),
    ("bg_push", "push the lines (not part of the close)"),
    ("bg_submit", "submit (action_confirm_submit)"),
    ("bg_validate", "validate (action_validate)"),
    ("bg_cra", "store the CRAs (scheduled action)"),
    ("bg_invoice", "invoice (action_create_invoice)"),
    ("bg_post", "post the invoices"),
)
CLOSE = ("generate", "submit", "validate", "invoice", "post")
BACKGROUND = ("bg_generate", "bg_submit", "bg_validate", "bg_invoice", "bg_post")
SALE = ("sale_invoice", "sale_post")


def add_arguments(parser):
    parser.add_argument(
        "--months",
        type=int,
        nargs="*",
        default=[1000, 5000],
        help="consultant-months to close, one run each (default: 1000 5000; "
        "none: the PDFs only)",
    )
    parser.add_argument(
        "--pdf-months",
        type=int,
        default=50,
        help="months whose signed CRA is rendered for real (0: skip)",
    )
    parser.add_argument(
        "--direct-up-to",
        type=int,
        default=1000,
        help="largest size also closed by direct calls on the whole list "
        "(above it, only the background batches users get; default 1000)",
    )
    parser.add_argument(
        "--sale-chunk",
        type=int,
        default=1000,
        help="sale orders invoiced per call, and invoices posted per call on "
        "both sides (default 1000)",
    )
    parser.add_argument(
        "--only",
        choices=("regie", "sale"),
        help="close one side only (its figures are kept, to be put together "
        "with the other side's by --figures)",
    )
    parser.add_argument(
        "--figures",
        type=Path,
        nargs="+",
        default=[],
        help="figures kept by earlier runs (bench/results/monthly_close_*.json) "
        "to print with this run's: the sides of one size are put together, "
        "and the growth is printed between the smallest and largest sizes",
    )
    parser.add_argument("--http-port", type=int, default=8260)


def odoo_options(args):
    return [
        f"--http-port={args.http_port}",
        "--http-interface=127.0.0.1",
        f"--db-filter=^{args.db}$",
        # wkhtmltopdf's warnings (unpatched Qt) on every month: not results.
        "--log-handler=odoo.addons.base.models.ir_actions_report:ERROR",
    ]


def working_days(first, count):
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def stub_reports(self, report):
    return {period_id: (STUB_PDF, "pdf", "application/pdf") for period_id in self.ids}


def no_reports(self, report):
    return {}


def log(message):
    print(f"  .. {message}", flush=True)


class Close:
    """The records of one run: régie contracts and sale orders of ``size``
    consultant-months, created in ``env`` (setup, not measured)."""

    def __init__(self, env, size):
        self.env = env
        self.size = size
        start = time.perf_counter()
        setup = env(context={"tracking_disable": True, "mail_create_nolog": True})
        group = setup.ref
        self.lead = setup["res.users"].create(
            {
                "name": "Bench lead",
                "login": f"bench_lead_{size}",
                "email": "lead@bench.example.com",
                "groups_id": [Command.set([group("regie_staffing.group_lead").id])],
            }
        )
        accountant_groups = [
            group("account.group_account_invoice"),
            group("sales_team.group_sale_salesman_all_leads"),
            # The régie accountants' group, where the addon has one.
            group(REGIE_ACCOUNTANT, raise_if_not_found=False),
        ]
        self.accountant = setup["res.users"].create(
            {
                "name": "Bench accountant",
                "login": f"bench_accountant_{size}",
                "email": "accountant@bench.example.com",
                "groups_id": [
                    Command.set([group.id for group in accountant_groups if group])
                ],
            }
        )
        partners = setup["res.partner"].create(
            [
                {
                    "name": f"Bench client {i}",
                    "is_company": True,
                    "email": f"client{i}@bench.example.com",
                }
                for i in range(size)
            ]
        )
        self.partners = partners.with_env(env)
        self.contracts = self.employees = None
        self.setup_seconds = 0.0
        self.analyze()
        self.setup_seconds = time.perf_counter() - start

    def setup_regie(self):
        """The régie side's records: a consultant (a user and an employee)
        and an active contract per client (setup, not measured)."""
        start = time.perf_counter()
        setup = self.env(context={"tracking_disable": True, "mail_create_nolog": True})
        group = setup.ref
        size = self.size
        partners = self.partners.with_env(setup)
        consultant_group = group("regie_staffing.group_consultant").id
        users = setup["res.users"].create(
            [
                {
                    "name": f"Bench consultant {i}",
                    "login": f"bench_consultant_{size}_{i}",
                    "email": f"consultant{i}@bench.example.com",
                    "groups_id": [Command.set([consultant_group])],
                }
                for i in range(size)
            ]
        )
        self.employees = setup["hr.employee"].create(
            [{"name": user.name, "user_id": user.id} for user in users]
        )
        self.contracts = setup["regie.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.lead.id,
                    "date_start": "2025-01-01",
                    "date_end": "2026-12-31",
                    "review_frequency": "none",
                    "mission_ids": [
                        Command.create(
                            {
                                "employee_id": employee.id,
                                "daily_rate": DAILY_RATE,
                                "date_start": "2025-01-01",
                            }
                        )
                    ],
                }
                for partner, employee in zip(partners, self.employees, strict=True)
            ]
        )
        self.contracts.action_activate()
        log(f"{size} régie contracts ({time.perf_counter() - start:.0f} s)")
        # The measured steps run in the plain context, as a user's request.
        self.contracts = self.contracts.with_env(self.env)
        self.employees = self.employees.with_env(self.env)
        self.env.flush_all()
        self.analyze()
        self.env.invalidate_all()
        self.setup_seconds += time.perf_counter() - start

    def setup_sale(self):
        """The sale_timesheet side's records: a confirmed sale order per
        client, each with its own project (setup, not measured)."""
        start = time.perf_counter()
        setup = self.env(context={"tracking_disable": True, "mail_create_nolog": True})
        partners = self.partners.with_env(setup)
        size = self.size
        self.sale_employees = setup["hr.employee"].create(
            [{"name": f"Bench timesheet consultant {i}"} for i in range(size)]
        )
        hour = setup.ref("uom.product_uom_hour")
        product = setup["product.product"].create(
            {
                "name": "Bench consulting (timesheet)",
                "type": "service",
                "invoice_policy": "delivery",
                "service_type": "timesheet",
                "service_tracking": "project_only",
                "uom_id": hour.id,
                "uom_po_id": hour.id,
                "list_price": DAILY_RATE / HOURS,
            }
        )
        self.orders = setup["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1.0}
                        )
                    ],
                }
                for partner in partners
            ]
        )
        # Confirmed by 500 (a project each), the statistics refreshed between.
        for first in range(0, size, 500):
            self.orders[first : first + 500].action_confirm()
            self.analyze()
        log(f"{size} sale orders ({time.perf_counter() - start:.0f} s)")
        self.orders = self.orders.with_env(self.env)
        self.sale_employees = self.sale_employees.with_env(self.env)
        self.env.flush_all()
        self.env.invalidate_all()
        self.setup_seconds += time.perf_counter() - start

    def analyze(self, measure=None):
        """Refresh PostgreSQL's statistics after a bulk load or between
        requests (setup, left out of the measures), as autovacuum does on a
        live database after the commits: the run's rows are never committed,
        and the planner would see the tables as they were before it (a query
        of Odoo's posting took 40 s on 5,000 invoices planned on an empty
        account_move_line). ANALYZE samples the rows its own transaction
        inserted."""
        start = time.perf_counter()
        if measure is None:
            self.env.flush_all()
            self.env.cr.execute("ANALYZE")
        else:
            with measure.excluded():
                self.env.flush_all()
                self.env.cr.execute("ANALYZE")
        self.setup_seconds += time.perf_counter() - start

    def push(self, projects_employees, month=MONTH):
        """Create the month's lines, CHUNK by CHUNK."""
        days = working_days(month, LINES)
        vals_list = [
            {
                "name": f"Work {day}",
                "project_id": project.id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": HOURS,
            }
            for project, employee in projects_employees
            for day in days
        ]
        lines = self.env["account.analytic.line"]
        for start in range(0, len(vals_list), CHUNK):
            lines += lines.create(vals_list[start : start + CHUNK])
        return lines

    def post(self, measure, label, moves, chunk):
        """The accountant posts ``moves`` from the list, ``chunk`` per call
        (Odoo's own action_post, on both sides)."""
        for start in range(0, len(moves), chunk):
            with measure(label):
                moves[start : start + chunk].with_user(self.accountant).action_post()

    def run_regie(self, measure, chunk):
        env = self.env
        periods = env["regie.timesheet.period"]
        with measure("generate"):
            period_ids = periods.with_user(self.lead).generate_periods(MONTH)
        self.analyze(measure)
        periods = periods.browse(period_ids)
        assert len(periods) == self.size, len(periods)
        with measure("push"):
            self.push(
                zip(
                    self.contracts.project_id,
                    self.employees,
                    strict=True,
                )
            )
        self.analyze()
        linked = len(periods.timesheet_ids)
        assert linked == self.size * LINES, f"{linked} lines on the months"
        env.invalidate_all()
        with measure("submit"):
            periods.with_user(self.lead).action_submit()
        self.analyze(measure)
        env.invalidate_all()
        with measure("validate"):
            periods.with_user(self.lead).action_validate()
        self.analyze(measure)
        assert set(periods.mapped("state")) == {"validated"}
        env.invalidate_all()
        with measure("cra"):
            self.store_reports()
        env.invalidate_all()
        with measure("invoice"):
            action = periods.with_user(self.accountant).action_create_invoice()
        assert isinstance(action, dict), action
        moves = periods.sudo().invoice_id
        assert len(moves) == self.size, len(moves)
        assert set(periods.mapped("state")) == {"invoiced"}
        self.analyze(measure)
        env.invalidate_all()
        self.post(measure, "post", moves, chunk)
        assert set(moves.mapped("state")) == {"posted"}
        expected = round(self.size * LINES * DAILY_RATE, 2)
        total = round(sum(moves.mapped("amount_untaxed")), 2)
        assert total == expected, (total, expected)
        attached = env["ir.attachment"].search_count(
            [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]
        )
        assert attached >= self.size, f"{attached} CRAs attached to the invoices"
        return periods, moves

    def store_reports(self):
        """The scheduled action storing the signed CRAs (rendering stubbed)
        until none is pending; nothing to do where validation stores them."""
        periods = self.env["regie.timesheet.period"]
        calls = 0
        while periods.search_count([("report_pending", "=", True)]):
            periods._cron_render_pending_reports()
            calls += 1
            assert calls <= self.size, "the CRA scheduled action makes no progress"
        return calls

    def drain(self, measure, label):
        """Run the close batches' scheduled action until no batch is left, as
        the scheduler does (a call per chunk); keep the longest call."""
        batches = self.env["regie.close.batch"]
        calls, longest = 0, 0.0
        while batches.search_count(ACTIVE_BATCH):
            start = time.perf_counter()
            batches._cron_process_batches()
            self.env.flush_all()
            self.env.cr.precommit.run()
            self.env.flush_all()
            longest = max(longest, time.perf_counter() - start)
            calls += 1
            if not calls % ANALYZE_EVERY:
                self.analyze(measure)
            assert calls <= self.size * 2, "the close batches make no progress"
        failed = sum(batches.search([]).mapped("failed_count"))
        assert not failed, f"{failed} months failed in the batches"
        measure.calls[label] = (calls, longest)

    def run_background(self, measure, chunk):
        """The same close of another month, from the list actions with many
        months selected: queued as background batches, processed by their
        scheduled action. Returns False when the addon has no such batches."""
        env = self.env
        if "regie.close.batch" not in env or not env["regie.close.batch"]._is_large(
            self.size
        ):
            return False
        measure.calls = {}
        period_model = env["regie.timesheet.period"]
        in_list = {"regie_close_batch": True}
        lead = period_model.with_user(self.lead).with_context(**in_list)
        with measure("bg_generate"):
            if hasattr(period_model, "_enqueue_generation"):
                with measure("bg_generate_request"):
                    queued = lead._enqueue_generation(BACKGROUND_MONTH)
                if not queued:
                    lead.generate_periods(BACKGROUND_MONTH)
                self.drain(measure, "bg_generate")
            else:
                lead.generate_periods(BACKGROUND_MONTH)
        self.analyze(measure)
        periods = period_model.search(
            [
                ("mission_id", "in", self.contracts.mission_ids.ids),
                ("date_from", "=", BACKGROUND_MONTH),
            ]
        )
        assert len(periods) == self.size, len(periods)
        with measure("bg_push"):
            self.push(
                zip(self.contracts.project_id, self.employees, strict=True),
                month=BACKGROUND_MONTH,
            )
        self.analyze()
        env.invalidate_all()
        for key, method, user in (
            ("bg_submit", "action_confirm_submit", self.lead),
            ("bg_validate", "action_validate", self.lead),
            ("bg_invoice", "action_create_invoice", self.accountant),
        ):
            if key == "bg_invoice":
                with measure("bg_cra"):
                    self.store_reports()
            with measure(key):
                with measure(f"{key}_request"):
                    getattr(periods.with_user(user).with_context(**in_list), method)()
                self.drain(measure, key)
            self.analyze(measure)
            env.invalidate_all()
        assert set(periods.mapped("state")) == {"invoiced"}, set(
            periods.mapped("state")
        )
        moves = periods.sudo().invoice_id
        assert len(moves) == self.size, len(moves)
        env.invalidate_all()
        self.post(measure, "bg_post", moves, chunk)
        expected = round(self.size * LINES * DAILY_RATE, 2)
        total = round(sum(moves.mapped("amount_untaxed")), 2)
        assert total == expected, (total, expected)
        return True

    def run_sale(self, measure, chunk):
        """sale_timesheet's close of the same lines: the orders invoiced and
        their invoices posted ``chunk`` orders per call."""
        env = self.env
        self.setup_sale()
        with measure("sale_push"):
            self.push(
                zip(self.orders.order_line.project_id, self.sale_employees, strict=True)
            )
        self.analyze()
        env.invalidate_all()
        invoices = env["account.move"]
        for start in range(0, self.size, chunk):
            orders = self.orders[start : start + chunk]
            with measure("sale_invoice"):
                invoices += orders.with_user(self.accountant)._create_invoices()
        assert len(invoices) == self.size, len(invoices)
        assert len(invoices.invoice_line_ids) == self.size
        self.analyze(measure)
        env.invalidate_all()
        self.post(measure, "sale_post", invoices, chunk)
        assert set(invoices.mapped("state")) == {"posted"}
        expected = round(self.size * LINES * DAILY_RATE, 2)
        total = round(sum(invoices.sudo().mapped("amount_untaxed")), 2)
        assert total == expected, (total, expected)
        return invoices


def run_size(db, size, direct_up_to, sale_chunk, only=None):
    """The close of ``size`` months and sale_timesheet's, in one rolled-back
    transaction; returns the Measure."""
    print(f"\n{size} consultant-months ({size * LINES} timesheet lines a side)")
    with environment(db, context={}) as env:
        period_class = type(env["regie.timesheet.period"])
        close = Close(env, size)
        measure = Measure(env, verbose=True)
        if only != "sale":
            close.setup_regie()
            with patch.object(period_class, "_render_reports", stub_reports):
                # The path users take on a large selection first: the list
                # actions queue background batches.
                if close.run_background(measure, sale_chunk):
                    log("régie side in background batches done")
                if size <= direct_up_to:
                    close.run_regie(measure, sale_chunk)
                    log("régie side, direct calls, done")
        if only != "regie":
            close.run_sale(measure, sale_chunk)
            log("sale_timesheet side done")
        measure.setup_seconds = close.setup_seconds
    return measure


def serve_http():
    """Odoo's HTTP server in this process, for the report's styles."""
    threaded = server.ThreadedServer(http.root)
    threaded.http_spawn()
    return threaded


def run_pdf(db, count, port):
    """Render the signed CRA of ``count`` validated months for real, through
    the scheduled action; returns (seconds, queries, months, batches?)."""
    print(f"\nSigned CRA PDFs of {count} months, rendered by wkhtmltopdf")
    serve_http()
    with environment(db, context={}) as env:
        base = f"http://127.0.0.1:{port}"
        prepare_report_assets(env, base)
        env["ir.config_parameter"].set_param("report.url", base)
        env["ir.config_parameter"].set_param("web.base.url", base)
        period_model = env["regie.timesheet.period"]
        period_class = type(period_model)
        close = Close(env, count)
        close.setup_regie()
        measure = Measure(env)
        with patch.object(period_class, "_render_reports", no_reports):
            period_ids = period_model.with_user(close.lead).generate_periods(MONTH)
            periods = period_model.browse(period_ids)
            close.push(zip(close.contracts.project_id, close.employees, strict=True))
            periods.with_user(close.lead).action_submit()
            periods.with_user(close.lead).action_validate()
        assert all(periods.mapped("report_pending")), "reports rendered already"
        report_model = env["ir.actions.report"].sudo()
        several = period_model._pdf_engine_renders_several(report_model)
        env.invalidate_all()
        runs = 0
        with measure("pdf"):
            while period_model.search_count([("report_pending", "=", True)]):
                period_model._cron_render_pending_reports()
                runs += 1
                assert runs <= count, "the scheduled action makes no progress"
        contents = periods.report_attachment_id.mapped("raw")
        assert len(contents) == count, len(contents)
        assert all(raw.startswith(b"%PDF") for raw in contents), "not PDFs"
        seconds, queries = measure.total("pdf")
    return seconds, queries, several, runs


def prepare_report_assets(env, base):
    """Generate the report's style bundles, committed: the server thread
    serves them from its own cursor. A bundle whose file is gone from the
    filestore is made again, and each style sheet is fetched once:
    wkhtmltopdf renders unstyled pages, much faster, when the styles fail to
    load, and that is no measure of the report."""
    styles = env["ir.attachment"]
    for name in ("web.report_assets_common", "web.report_assets_pdf"):
        bundle = env["ir.qweb"]._get_asset_bundle(name)
        generated = bundle.css() | bundle.js()
        lost = generated.filtered(
            lambda attachment: (
                attachment.store_fname
                and not os.path.isfile(attachment._full_path(attachment.store_fname))
            )
        )
        if lost:
            lost.unlink()
            bundle = env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
        styles |= bundle.css()
    env.cr.commit()
    for url in styles.mapped("url"):
        try:
            with urllib.request.urlopen(base + url, timeout=60) as response:
                served = response.read()
        except urllib.error.URLError as error:
            raise SystemExit(
                f"{base + url}: {error}; the report has no styles"
            ) from None
        if not served:
            raise SystemExit(f"{base + url} is empty: the report has no styles")


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("nan")


def print_size(size, measure):
    print(
        f"\nMonthly close of {size} consultant-months "
        f"(setup, not measured: {measure.setup_seconds:.0f} s; CRA rendering "
        f"stubbed, its storage shown apart)"
    )
    print(f"  {'step':<44} {'seconds':>9} {'CPU s':>7} {'queries':>9} {'ms/month':>9}")
    direct = "generate" in measure.samples
    background = "bg_generate" in measure.samples
    sides = []
    if direct:
        sides.append(("régie, direct calls on the list", STEPS))
    if background:
        sides.append(("régie, background batches (scheduled action)", BACKGROUND_STEPS))
    sale = "sale_invoice" in measure.samples
    if sale:
        sides.append(("sale_timesheet", SALE_STEPS))
    for side, steps in sides:
        print(f"  {side}")
        for key, label in steps:
            seconds, queries = measure.total(key)
            print(
                f"    {label:<42} {seconds:9.2f} {measure.cpu[key]:7.2f} "
                f"{queries:9.0f} {seconds * 1000 / size:9.1f}"
            )
            if f"{key}_request" in measure.samples:
                request, _queries = measure.total(f"{key}_request")
                calls, longest = measure.calls.get(key, (0, 0.0))
                print(
                    f"      request {request:.2f} s, then {calls} scheduler "
                    f"calls, the longest {longest:.2f} s"
                )
            elif len(measure.samples[key]) > 1:
                longest = max(t for t, _q in measure.samples[key])
                print(
                    f"      {len(measure.samples[key])} calls, the longest "
                    f"{longest:.2f} s"
                )
    if not sale:
        for present, name, keys in (
            (direct, "whole close without PDFs, direct calls", CLOSE),
            (background, "whole close without PDFs, background batches", BACKGROUND),
        ):
            if present:
                close_t, close_q = totals(measure, keys)
                print(f"  {name}: {close_t:.2f} s, {close_q:.0f} queries")
        return
    sale_t, sale_q = totals(measure, SALE)
    sale_cpu = sum(measure.cpu[key] for key in SALE)
    print(f"  sale_timesheet invoicing + posting: {sale_t:.2f} s, {sale_q:.0f} queries")
    for present, name, keys, invoice in (
        (direct, "whole close without PDFs, direct calls", CLOSE, "invoice"),
        (
            background,
            "whole close without PDFs, background batches",
            BACKGROUND,
            "bg_invoice",
        ),
    ):
        if not present:
            continue
        close_t, close_q = totals(measure, keys)
        close_cpu = sum(measure.cpu[key] for key in keys)
        print(
            f"  {name} (generate, submit, validate, invoice, post): "
            f"{close_t:.2f} s, {close_q:.0f} queries\n"
            f"    ratio to sale_timesheet invoicing + posting: "
            f"{ratio(close_t, sale_t):.2f} (goal <= 1.0; CPU "
            f"{ratio(close_cpu, sale_cpu):.2f})\n"
            f"    ratio invoicing / _create_invoices: "
            f"{ratio(measure.total(invoice)[0], measure.total('sale_invoice')[0]):.2f}"
            f" (goal <= 0.25; CPU "
            f"{ratio(measure.cpu[invoice], measure.cpu['sale_invoice']):.2f})"
        )
    push = "push" if direct else "bg_push"
    if push not in measure.samples:
        return
    print(
        f"  ratio pushing the lines régie / sale_timesheet: "
        f"{ratio(measure.total(push)[0], measure.total('sale_push')[0]):.2f}",
        flush=True,
    )


def totals(measure, keys):
    return (
        sum(measure.total(key)[0] for key in keys),
        sum(measure.total(key)[1] for key in keys),
    )


def print_growth(measures):
    sizes = sorted(measures)
    small, large = sizes[0], sizes[-1]
    print(
        f"\nGrowth from {small} to {large} months: time({large}) / time({small}) "
        f"(goal <= {large / small:g}): wall time, CPU time, queries"
    )
    rows = [(f"régie {label}", (key,)) for key, label in STEPS]
    rows += [
        (f"régie in background, {label}", (key,)) for key, label in BACKGROUND_STEPS
    ]
    rows += [(f"sale_timesheet {label}", (key,)) for key, label in SALE_STEPS]
    rows += [
        ("whole close without PDFs", CLOSE),
        ("whole close in background batches", BACKGROUND),
        ("sale_timesheet invoicing + posting", SALE),
    ]
    for label, keys in rows:
        if not all(
            key in measures[size].samples for size in (small, large) for key in keys
        ):
            continue
        wall = ratio(totals(measures[large], keys)[0], totals(measures[small], keys)[0])
        cpu = ratio(
            sum(measures[large].cpu[key] for key in keys),
            sum(measures[small].cpu[key] for key in keys),
        )
        queries = ratio(
            totals(measures[large], keys)[1], totals(measures[small], keys)[1]
        )
        print(f"  {label:<60} {wall:6.2f} {cpu:6.2f} {queries:6.2f}")


def save(size, measure, only):
    """Keep a size's figures in bench/results/monthly_close_<size>[_<side>].json;
    return the path."""
    name = f"monthly_close_{size}{f'_{only}' if only else ''}.json"
    path = Path(__file__).parent / "results" / name
    path.write_text(
        json.dumps(
            {
                "size": size,
                "date": datetime.datetime.now().isoformat(timespec="seconds"),
                "samples": measure.samples,
                "cpu": measure.cpu,
                "calls": getattr(measure, "calls", {}),
                "setup_seconds": measure.setup_seconds,
            },
            indent=1,
        )
    )
    return path


def load(path, measures):
    """Put the figures ``save`` kept in ``path`` into ``measures`` ({size:
    Measure}), with the other figures of their size."""
    data = json.loads(path.read_text())
    size = data["size"]
    print(f"\n(figures of {size} months from {path}, {data['date']})")
    measure = measures.get(size)
    if measure is None:
        measure = measures[size] = Measure(None)
        measure.calls, measure.setup_seconds = {}, 0.0
    for key, samples in data["samples"].items():
        measure.samples.setdefault(key, []).extend(tuple(s) for s in samples)
    for key, cpu in data["cpu"].items():
        measure.cpu[key] = measure.cpu.get(key, 0.0) + cpu
    measure.calls.update({key: tuple(calls) for key, calls in data["calls"].items()})
    measure.setup_seconds += data["setup_seconds"]


def main():
    args = parse_args(__doc__, add_arguments, odoo_options)
    print(f"Monthly close benchmark, database {args.db}", flush=True)
    if args.pdf_months:
        seconds, queries, several, runs = run_pdf(
            args.db, args.pdf_months, args.http_port
        )
        engine = "yes" if several else "no (one document, cut again by month)"
        print(
            f"  wkhtmltopdf renders several documents per run: {engine}\n"
            f"  {args.pdf_months} months in {runs} call(s) of the scheduled action: "
            f"{seconds:.2f} s, {queries} queries, "
            f"{seconds / args.pdf_months:.3f} s per month (goal <= 0.3)",
            flush=True,
        )
    measures = {}
    for size in args.months:
        measures[size] = run_size(
            args.db, size, args.direct_up_to, args.sale_chunk, args.only
        )
        path = save(size, measures[size], args.only)
        print(f"  (figures kept in {path})")
        if not args.figures:
            print_size(size, measures[size])
    if args.figures:
        for path in args.figures:
            load(path, measures)
        for size in sorted(measures):
            print_size(size, measures[size])
    if len(measures) > 1:
        print_growth(measures)


if __name__ == "__main__":
    main()
