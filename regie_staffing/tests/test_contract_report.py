import io
import socket

from PyPDF2 import PdfReader

from odoo import Command
from odoo.tests import tagged

from .common import RegieCommon

REPORT = "regie_staffing.action_report_regie_contract"


@tagged("post_install", "-at_install")
class TestContractReport(RegieCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.write(
            {
                "clause_ids": [
                    Command.create(
                        {
                            "sequence": 20,
                            "category": "confidentiality",
                            "name": "Second clause: confidentiality",
                            "body": "<p>Keep the secrets for five years.</p>",
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 10,
                            "category": "scope",
                            "name": "First clause: scope",
                            "body": "<p>The consultant assists the client team.</p>",
                        }
                    ),
                ]
            }
        )
        cls.mission.write(
            {"profile": "Senior Python developer", "expected_tasks": "<p>APIs</p>"}
        )
        cls.env["regie.mission.deliverable"].create(
            {
                "mission_id": cls.mission.id,
                "name": "Architecture document",
                "acceptance_criteria": "<p>Reviewed by the client architect</p>",
            }
        )

    def test_html_has_clauses_in_order_and_mission_annex(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(REPORT, self.contract.ids)[0]
            .decode()
        )
        self.assertIn(self.contract.name, html)
        self.assertIn(self.client.name, html)
        first = html.index("First clause: scope")
        second = html.index("Second clause: confidentiality")
        self.assertLess(first, second)
        self.assertIn("Keep the secrets for five years.", html)
        # The mission sheet, with its deliverables, is annexed after the clauses.
        annex = html.index("Architecture document")
        self.assertLess(second, annex)
        self.assertIn("Senior Python developer", html)
        self.assertIn(self.employee.name, html)
        self.assertIn("Reviewed by the client architect", html)

    def test_pdf(self):
        report = self.env["ir.actions.report"]
        self.assertNotIn(report.get_wkhtmltopdf_state(), ("install", "broken"))
        # wkhtmltopdf fetches the CSS from report.url; the test server would
        # wait on this transaction's locks, so point it at a closed port.
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", f"http://127.0.0.1:{closed_port}"
        )
        pdf, report_type = report.with_context(
            force_report_rendering=True
        )._render_qweb_pdf(REPORT, self.contract.ids)
        self.assertEqual(report_type, "pdf")
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(pdf)).pages
        )
        self.assertIn(self.contract.name, text)
        self.assertIn("First clause: scope", text)
        self.assertIn("Architecture document", text)
