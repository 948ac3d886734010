from datetime import date

from odoo.tests import tagged
from odoo.tests.common import new_test_user

from odoo.addons.regie_staffing.tests.common_tour import RegieTourCase

from .common import RegieMoneyAssertions

MAY = date(2026, 5, 1)
THRESHOLD = "regie_staffing.close_batch_threshold"


@tagged("post_install", "-at_install")
class TestScreensTours(RegieMoneyAssertions, RegieTourCase):
    """The screens the other journeys do not cross, from the menus: the
    client's purchase order and the expense rule on a contract, the purchase
    month of a back-to-back mission, posting a bill despite the vigilance
    documents, and cancelling and retrying a background close batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = env.company
        # The vigilance obligation is the French Code du travail's.
        company.country_id = env.ref("base.fr")
        env["ir.config_parameter"].sudo().set_param(THRESHOLD, "2")
        user_values = {"company_id": company.id, "company_ids": company.ids}
        cls.manager = new_test_user(
            env,
            login="screens_manager",
            name="Screens Manager",
            groups="regie_staffing.group_manager",
            **user_values,
        )
        cls.controller = new_test_user(
            env,
            login="screens_controller",
            name="Screens Controller",
            groups="regie_staffing.group_manager,"
            "regie_staffing_invoicing.group_regie_accountant",
            **user_values,
        )
        Partner = env["res.partner"]
        cls.client = Partner.create({"name": "Screens Client SA", "is_company": True})
        cls.other_client = Partner.create(
            {"name": "Screens Other Client SA", "is_company": True}
        )
        cls.provider = Partner.create(
            {"name": "Screens Provider SARL", "is_company": True}
        )
        employees = env["hr.employee"].create(
            [
                {"name": f"Screens Consultant {index}", "company_id": company.id}
                for index in range(1, 5)
            ]
        )
        Contract = env["regie.contract"]
        common = {
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "review_frequency": "none",
            "company_id": company.id,
            "user_id": cls.manager.id,
        }
        cls.sale = Contract.create(
            {**common, "title": "Screens ERP roll-out", "partner_id": cls.client.id}
        )
        cls.other_sale = Contract.create(
            {**common, "title": "Screens audit", "partner_id": cls.other_client.id}
        )
        cls.purchase = Contract.create(
            {
                **common,
                "title": "Screens subcontracting",
                "direction": "purchase",
                "partner_id": cls.provider.id,
            }
        )
        (cls.sale | cls.other_sale | cls.purchase).action_activate()
        Mission = env["regie.mission"]
        purchase_mission = Mission.create(
            {
                "contract_id": cls.purchase.id,
                "employee_id": employees[0].id,
                "daily_rate": 450.0,
            }
        )
        missions = Mission.create(
            [
                {
                    "contract_id": cls.sale.id,
                    "employee_id": employees[0].id,
                    "daily_rate": 600.0,
                    "purchase_mission_id": purchase_mission.id,
                },
                {
                    "contract_id": cls.sale.id,
                    "employee_id": employees[1].id,
                    "daily_rate": 600.0,
                },
                {
                    "contract_id": cls.sale.id,
                    "employee_id": employees[2].id,
                    "daily_rate": 600.0,
                },
                {
                    "contract_id": cls.other_sale.id,
                    "employee_id": employees[3].id,
                    "daily_rate": 550.0,
                },
            ]
        )
        (purchase_mission | missions).filtered(
            lambda mission: mission.state == "draft"
        ).action_start()
        env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": mission.contract_id.project_id.id,
                    "employee_id": mission.employee_id.id,
                    "date": day,
                    "unit_amount": 8.0,
                }
                for mission in missions
                for day in (date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6))
            ]
        )
        Period = env["regie.timesheet.period"]
        months = Period.search([("mission_id", "in", missions.ids)])
        cls._validate(months)
        cls.months = months.filtered(lambda month: month.contract_id == cls.sale)
        cls.other_month = months - cls.months
        cls.purchase_month = cls.months.purchase_period_id
        assert len(cls.months) == 3 and len(cls.purchase_month) == 1

        # A batch of the other client's month, re-opened after it was queued:
        # it fails; the month has been validated again since.
        cls.failed_batch = (
            env["regie.close.batch"]
            .with_user(cls.controller)
            ._enqueue("invoice", cls.other_month.with_user(cls.controller))
            .sudo()
        )
        cls.other_month.with_user(cls.manager).action_reset_to_draft()
        env["regie.close.batch"]._cron_process_batches()
        assert cls.failed_batch.failed_count == 1, cls.failed_batch.state
        cls._validate(cls.other_month)

        # The provider's bill of the purchase month, waiting for vigilance.
        action = cls.purchase_month.with_user(cls.controller).action_create_invoice()
        cls.bill = env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )

    @classmethod
    def _validate(cls, months):
        months = months.with_user(cls.manager)
        months.action_submit()
        months.action_validate()

    def test_contract_terms_en(self):
        self._contract_terms("en_US")

    def test_contract_terms_fr(self):
        self._contract_terms("fr_FR")

    def _contract_terms(self, lang):
        self.start_regie_tour(
            "/odoo", "regie_screens_contract_terms", self.manager, lang
        )
        self.sale.invalidate_recordset()
        self.assertRecordValues(
            self.sale,
            [
                {
                    "client_order_ref": "PO-SCREENS-77",
                    "client_order_amount": 25000.0,
                    "client_order_date_end": date(2026, 12, 31),
                    "client_service_code": "SRV-DSI-01",
                    "expense_policy": "at_cost_capped",
                    "expense_cap": 350.5,
                }
            ],
        )

    def test_back_to_back_month_en(self):
        self._back_to_back_month("en_US")

    def test_back_to_back_month_fr(self):
        self._back_to_back_month("fr_FR")

    def _back_to_back_month(self, lang):
        self.assertEqual(self.purchase_month.sale_period_id.contract_id, self.sale)
        self.start_regie_tour(
            "/odoo", "regie_screens_back_to_back_month", self.manager, lang
        )

    def test_vigilance_override_en(self):
        self._vigilance_override("en_US")

    def test_vigilance_override_fr(self):
        self._vigilance_override("fr_FR")

    def _vigilance_override(self, lang):
        self.assertEqual(self.purchase.vigilance_state, "missing")
        self.assertTrue(self.bill.regie_vigilance_warning)
        self.start_regie_tour(
            "/odoo", "regie_screens_vigilance_override", self.controller, lang
        )
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.state, "posted")
        self.assertEqual(
            self.bill.regie_vigilance_override_reason,
            "Documents received by mail, being recorded",
        )
        logged = " ".join(str(body) for body in self.bill.message_ids.mapped("body"))
        self.assertIn("Documents received by mail, being recorded", logged)
        self.assertBilledOnce(self.purchase_month)

    def test_close_batch_en(self):
        self._close_batch("en_US")

    def test_close_batch_fr(self):
        self._close_batch("fr_FR")

    def _close_batch(self, lang):
        Batch = self.env["regie.close.batch"]
        before = Batch.search([])
        self.start_regie_tour(
            "/odoo", "regie_screens_close_batch", self.controller, lang
        )
        new = Batch.search([]) - before
        self.assertEqual(len(new), 2, "the queued batch and the retry")
        cancelled = new.filtered(lambda batch: batch.state == "cancelled")
        self.assertRecordValues(
            cancelled,
            [
                {
                    "operation": "invoice",
                    "user_id": self.controller.id,
                    "total_count": 3,
                    "done_count": 0,
                    "released_count": 3,
                }
            ],
        )
        self.assertEqual(cancelled.period_ids, self.months)
        retry = new - cancelled
        self.assertRecordValues(
            retry,
            [
                {
                    "state": "queued",
                    "retry_of_id": self.failed_batch.id,
                    "total_count": 1,
                }
            ],
        )
        self.assertEqual(retry.period_ids, self.other_month)
        self.assertEqual(self.failed_batch.retry_batch_id, retry)
        # Nothing was invoiced on the way.
        self.assertFalse((self.months | self.other_month).sudo().invoice_id)
        self.assertBilledOnce(self.months | self.other_month)
