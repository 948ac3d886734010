from datetime import date
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common_tour import RegieTourCase


@tagged("post_install", "-at_install")
class TestManagerTour(RegieTourCase):
    """An account manager creates a client contract from scratch in the web
    client (missions added before the first save), loads its clauses,
    activates and prints it, plans a review from the Reviews menu, then
    creates a purchase contract the same way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="regie_tour_manager",
            name="Marion Manager",
            groups="regie_staffing.group_manager,hr_timesheet.group_hr_timesheet_user",
        )
        Partner = cls.env["res.partner"]
        cls.client = Partner.create({"name": "Nimbus Aero", "is_company": True})
        cls.validator = Partner.create(
            {"name": "Valentin Valideur", "parent_id": cls.client.id}
        )
        cls.provider = Partner.create({"name": "Tour Provider SAS", "is_company": True})
        cls.provider_contact = Partner.create(
            {"name": "Paula Provider", "parent_id": cls.provider.id}
        )
        Employee = cls.env["hr.employee"]
        cls.consultant = Employee.create({"name": "Tour Consultant"})
        cls.freelancer = Employee.create(
            {"name": "Tour Freelancer", "employee_type": "freelance"}
        )

    def test_manager_contract_tour_en(self):
        self._manager_contract_tour("en_US")

    def test_manager_contract_tour_fr(self):
        self._manager_contract_tour("fr_FR")

    def _manager_contract_tour(self, lang):
        # Which reports the server rendered (the real rendering runs).
        Report = self.registry["ir.actions.report"]
        render = Report._render_qweb_pdf
        printed = []

        def spy(report, report_ref, res_ids=None, data=None):
            printed.append((report._get_report(report_ref).report_name, res_ids))
            return render(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(Report, "_render_qweb_pdf", spy):
            self.start_regie_tour("/odoo", "regie_manager_contract", self.manager, lang)
        Contract = self.env["regie.contract"]
        sale = Contract.search([("title", "=", "Tour ERP roll-out")])
        self.assertEqual(len(sale), 1, "one contract, no duplicate")
        self.assertRecordValues(
            sale,
            [
                {
                    "direction": "sale",
                    "partner_id": self.client.id,
                    "client_manager_id": self.validator.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2027, 12, 31),
                    "hours_per_day": 7.5,
                    "state": "active",
                    "user_id": self.manager.id,
                }
            ],
        )
        self.assertTrue(sale.name and sale.name != "/")
        self.assertEqual(printed, [("regie_staffing.report_regie_contract", sale.ids)])
        self.assertEqual(sale.project_id.name, "Nimbus Aero - Tour ERP roll-out")
        self.assertRecordValues(
            sale.mission_ids,
            [
                {
                    "employee_id": self.consultant.id,
                    "daily_rate": 650.0,
                    "state": "active",
                }
            ],
        )
        self.assertTrue(sale.clause_ids, "the clause templates were loaded")
        self.assertRecordValues(
            sale.kpi_ids, [{"name": "Tour availability", "target": 99.5}]
        )
        review = sale.review_ids.filtered(lambda r: r.date == date(2026, 6, 15))
        self.assertEqual(len(review), 1)
        self.assertEqual(review.kpi_value_ids.kpi_id, sale.kpi_ids)
        self.assertIn(sale.name, review.name)
        self.assertIn("2026", review.name)

        purchase = Contract.search([("title", "=", "Tour freelance Java")])
        self.assertRecordValues(
            purchase,
            [
                {
                    "direction": "purchase",
                    "partner_id": self.provider.id,
                    "client_manager_id": self.provider_contact.id,
                    "state": "active",
                }
            ],
        )
        self.assertRecordValues(
            purchase.mission_ids,
            [{"employee_id": self.freelancer.id, "daily_rate": 480.0}],
        )
