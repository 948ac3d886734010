import io
import os
import socket
import tempfile
from datetime import date
from unittest.mock import patch

from PyPDF2 import PdfReader

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from .common import RegieCommon

REPORT = "regie_staffing.action_report_regie_timesheet_period"
# A small opaque PNG signature (base64), as the portal widget would send.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestCraReport(RegieCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.validator_user = new_test_user(
            cls.env,
            login="regie_cra_validator",
            name="Valérie Validator",
            email="valerie@example.com",
            groups="base.group_portal",
        )
        cls.validator = cls.validator_user.partner_id
        cls.validator.parent_id = cls.client
        cls.contract.write(
            {"client_manager_id": cls.validator.id, "hours_per_day": 7.0}
        )
        cls.contract.action_activate()
        overtime = cls.env.ref("regie_staffing.activity_type_overtime")
        cls.lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"Sprint task {day}",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": date(2025, 3, day),
                    "unit_amount": 7.0,
                }
                for day in (3, 4, 5, 6, 7)
            ]
            + [
                {
                    "name": "Production release",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": date(2025, 3, 8),
                    "unit_amount": 3.5,
                    "regie_activity_type_id": overtime.id,
                }
            ]
        )
        cls.period = cls.lines.regie_period_id
        cls.period.with_user(cls.consultant_user).action_submit()

    def _html(self, period=None):
        html = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, (period or self.period).ids
        )[0]
        return html.decode()

    def test_html_submitted_month(self):
        html = self._html()
        self.assertIn("Monthly activity report", html)
        self.assertIn("03/2025", html)
        self.assertIn(self.employee.name, html)
        self.assertIn(self.contract.name, html)
        self.assertIn(self.client.name, html)
        # One row per day of the month, weekend included.
        self.assertEqual(html.count("data-date="), 31)
        self.assertIn('data-date="2025-03-03"', html)
        self.assertIn('data-date="2025-03-31"', html)
        self.assertIn("Sprint task 3", html)
        # Exceptional activity on the Saturday, with its type.
        self.assertIn("Overtime", html)
        self.assertIn("Production release", html)
        # Totals: 38.5 hours, 5.5 days at 7 h per day.
        self.assertIn("38:30", html)
        self.assertIn("5.50", html)
        # Numbers as the reader's language writes them (Odoo's float widget).
        billable = self.env["ir.qweb.field.float"].value_to_html(
            self.period.billable_days, {"precision": 2}
        )
        self.assertIn(billable, html)
        self.assertIn("Submitted", html)
        self.assertIn(self.validator.name, html)
        # Not signed yet: an empty signature box, no signature image.
        self.assertIn("Client signature", html)
        self.assertNotIn("o_regie_cra_signature", html)

    def test_html_signed_month(self):
        self.period._portal_validate(self.validator, SIGNATURE, "Valérie V.")
        html = self._html()
        self.assertIn("Validated", html)
        self.assertIn("Valérie V.", html)
        self.assertIn("o_regie_cra_signature", html)
        self.assertIn("data:image/png;base64,", html)
        self.assertIn("Validated on", html)
        self.assertIn(self.period.lines_hash, html)

    def test_html_validated_by_lead(self):
        self.period.with_user(self.lead_user).action_validate()
        html = self._html()
        self.assertIn("Validated", html)
        self.assertIn(self.lead_user.name, html)
        self.assertNotIn("o_regie_cra_signature", html)

    def test_pdf(self):
        report = self.env["ir.actions.report"]
        if report.get_wkhtmltopdf_state() in ("install", "broken"):
            self.skipTest("wkhtmltopdf is not installed")
        # wkhtmltopdf fetches the report CSS over HTTP from report.url: point it
        # at a closed port. Reaching this database's own server while the test
        # transaction holds its locks would hang; the PDF is made unstyled.
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", f"http://127.0.0.1:{closed_port}"
        )
        self.period._portal_validate(self.validator, SIGNATURE, "Valérie V.")
        pdf, report_type = report.with_context(
            force_report_rendering=True
        )._render_qweb_pdf(REPORT, self.period.ids)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(pdf)).pages
        )
        self.assertIn("Monthly activity report", text)
        self.assertIn(self.employee.name, text)
        self.assertIn("Overtime", text)
        self.assertIn("Valérie V.", text)
        self.assertIn("Validated", text)

    def test_report_action(self):
        action = self.env.ref(REPORT)
        self.assertEqual(
            action.report_name, "regie_staffing.report_regie_timesheet_period"
        )
        self.assertEqual(action.binding_model_id.model, "regie.timesheet.period")
        filename = safe_eval(
            action.print_report_name, {"object": self.period, "time": safe_time}
        )
        self.assertEqual(filename, "CRA - Camille Consultant - 2025-03")


@tagged("post_install", "-at_install")
class TestCraReportBatch(RegieCommon):
    """Signed reports of several months validated at once, with the real
    wkhtmltopdf of the machine (Debian's renders one document per run)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.write({"hours_per_day": 7.0})
        cls.contract.action_activate()
        cls.lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"Work of month {month}",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": date(2025, month, 3),
                    "unit_amount": 7.0,
                }
                for month in range(1, 6)
            ]
        )
        cls.periods = cls.lines.regie_period_id
        cls.periods.with_user(cls.consultant_user).action_submit()

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() in (
            "install",
            "broken",
        ):
            self.fail("wkhtmltopdf is not installed: the PDF tests cannot run")
        # wkhtmltopdf fetches the report CSS over HTTP from report.url: point it
        # at a closed port (this database's server would wait for the test's
        # locks); the PDFs are made unstyled.
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", f"http://127.0.0.1:{closed_port}"
        )

    def _pdf_text(self, attachment):
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        return " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(attachment.raw)).pages
        )

    def test_validate_five_months_in_one_call(self):
        self.assertEqual(len(self.periods), 5)
        self.periods.with_user(self.lead_user).with_context(
            force_report_rendering=True
        ).action_validate()
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        # Frozen at once, the PDFs rendered after, by the scheduled action.
        self.assertTrue(all(self.periods.mapped("report_pending")))
        self.assertFalse(self.periods.report_attachment_id)
        # One run of the scheduled action (the database may hold other
        # pending months).
        self.env["regie.timesheet.period"].with_context(
            force_report_rendering=True
        )._cron_render_pending_reports(batch_size=50)
        self.assertFalse(any(self.periods.mapped("report_pending")))
        # Each month's PDF holds that month's report and no other.
        for period in self.periods:
            text = self._pdf_text(period.report_attachment_id)
            self.assertIn(
                f"Monthly activity report {period.date_from.strftime('%m/%Y')}", text
            )
            for month in range(1, 6):
                if month == period.date_from.month:
                    self.assertIn(f"Work of month {month}", text)
                else:
                    self.assertNotIn(f"Work of month {month}", text)

    def _count_engine_runs(self):
        """A spy on wkhtmltopdf's runs (the real engine still runs); the probe
        of the engine's abilities is made first, once per process."""
        report_model = self.env["ir.actions.report"].sudo()
        self.env["regie.timesheet.period"]._pdf_engine_renders_several(report_model)
        return patch.object(
            type(report_model),
            "_run_wkhtmltopdf",
            autospec=True,
            side_effect=type(report_model)._run_wkhtmltopdf,
        )

    def test_months_of_several_pages_in_one_run(self):
        # Month 3 runs over several pages: many long lines.
        self.periods.with_user(self.manager_user).action_reset_to_draft()
        march = self.periods.filtered(lambda period: period.date_from.month == 3)
        self.env["account.analytic.line"].create(
            [
                {
                    "name": f"Detailed work of month 3, item {item}: "
                    + "analysis " * 30,
                    "project_id": self.contract.project_id.id,
                    "employee_id": self.employee.id,
                    "date": date(2025, 3, 3 + item % 25),
                    "unit_amount": 0.25,
                }
                for item in range(60)
            ]
        )
        self.periods.with_user(self.consultant_user).action_submit()
        self.periods.with_user(self.lead_user).with_context(
            force_report_rendering=True
        ).action_validate()
        with self._count_engine_runs() as engine:
            self.env["regie.timesheet.period"].with_context(
                force_report_rendering=True
            )._cron_render_pending_reports(batch_size=50)
        # The five months in one run of the engine, whatever its build.
        self.assertEqual(engine.call_count, 1)
        self.assertFalse(any(self.periods.mapped("report_pending")))
        pages = {
            period: len(PdfReader(io.BytesIO(period.report_attachment_id.raw)).pages)
            for period in self.periods
        }
        for period in self.periods - march:
            self.assertGreater(pages[march], pages[period], period.name)
        for period in self.periods:
            text = self._pdf_text(period.report_attachment_id)
            # Each month's PDF ends with its own fingerprint, and holds no
            # other month's work.
            self.assertIn(period.lines_hash, "".join(text.split()))
            for month in range(1, 6):
                self.assertEqual(
                    f"Work of month {month}" in text,
                    month == period.date_from.month,
                    (period.name, month),
                )
        self.assertIn("item 59", self._pdf_text(march.report_attachment_id))

    def test_cutting_one_document_by_month(self):
        pages = "".join(
            f"<div style='page-break-before: {'auto' if index == 0 else 'always'};'>"
            f"Month {month} <a href='https://regie.example.com/my/regie/months/"
            f"{month}'>{month}</a></div>"
            for index, month in enumerate((1, 2, 2, 3))
        )
        body = f"<!DOCTYPE html><html><body>{pages}</body></html>"
        content = self.env["ir.actions.report"]._run_wkhtmltopdf([body])
        link = "https://regie.example.com/my/regie/months/{}".format
        cut = self.env["regie.timesheet.period"]._split_report_pdf
        parts = cut(content, [link(1), link(2), link(3)])
        self.assertEqual(
            [len(PdfReader(io.BytesIO(part)).pages) for part in parts], [1, 2, 1]
        )
        # Months that cannot be told apart: None, rendered one by one then.
        self.assertIsNone(cut(content, [link(1), link(3), link(2)]))
        self.assertIsNone(cut(content, [link(1), link(2)]))
        self.assertIsNone(cut(content, [link(1), link(2), link(3), link(4)]))
        self.assertIsNone(cut(b"", [link(1)]))

    def test_failed_rendering_keeps_the_validation(self):
        # A wkhtmltopdf that crashes, found first on the PATH.
        with tempfile.TemporaryDirectory() as folder:
            broken = os.path.join(folder, "wkhtmltopdf")
            with open(broken, "w", encoding="utf-8") as script:
                script.write("#!/bin/sh\necho 'engine crashed' >&2\nexit 2\n")
            os.chmod(broken, 0o755)
            with patch.dict(
                os.environ, {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
            ):
                self.periods.with_user(self.lead_user).with_context(
                    force_report_rendering=True
                ).action_validate()
                self.env["regie.timesheet.period"].with_context(
                    force_report_rendering=True
                )._cron_render_pending_reports(batch_size=50)
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        self.assertTrue(all(self.periods.mapped("lines_hash")))
        self.assertTrue(all(self.periods.mapped("report_pending")))
        self.assertFalse(self.periods.report_attachment_id)
        # The lines stay frozen.
        with self.assertRaises(UserError):
            self.lines[:1].with_user(self.consultant_user).unit_amount = 8.0
        # The scheduled action renders them once the engine works again.
        self.env["regie.timesheet.period"].with_context(
            force_report_rendering=True
        )._cron_render_pending_reports(batch_size=50)
        self.assertFalse(any(self.periods.mapped("report_pending")))
        self.assertEqual(len(self.periods.report_attachment_id), 5)
        for period in self.periods:
            self.assertIn(
                f"Work of month {period.date_from.month}",
                self._pdf_text(period.report_attachment_id),
            )
