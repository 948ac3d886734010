from contextlib import closing
from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.regie_staffing.models.regie_workflow import workflow

FIXTURE_NAME = "Régie concurrency test"


@tagged("post_install", "-at_install")
class TestInvoicingConcurrency(TransactionCase):
    """Two accountants invoice the same month from two real transactions.

    Two transactions only see committed rows, so the month is committed by a
    third cursor and deleted again at the end of each test (nothing is left)."""

    def setUp(self):
        super().setUp()
        with closing(self.registry.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            self.period_id = self._create_validated_month(env)
            # Only committed rows are seen by the two competing transactions.
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._drop_fixture)

    def _create_validated_month(self, env):
        partner = env["res.partner"].create({"name": FIXTURE_NAME})
        employee = env["hr.employee"].create({"name": FIXTURE_NAME})
        contract = env["regie.contract"].create(
            {
                "name": FIXTURE_NAME,
                "partner_id": partner.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2025, 12, 31),
                "review_frequency": "none",
            }
        )
        contract.action_activate()
        mission = env["regie.mission"].create(
            {"contract_id": contract.id, "employee_id": employee.id, "daily_rate": 500}
        )
        mission.action_start()
        line = env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": contract.project_id.id,
                "employee_id": employee.id,
                "date": date(2025, 3, 3),
                "unit_amount": 8.0,
            }
        )
        period = line.regie_period_id
        period.action_submit()
        period.action_validate()
        return period.id

    def _drop_fixture(self):
        with closing(self.registry.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            contracts = env["regie.contract"].search([("name", "=", FIXTURE_NAME)])
            periods = env["regie.timesheet.period"].search(
                [("contract_id", "in", contracts.ids)]
            )
            moves = (
                env["account.move.line"]
                .search([("regie_contract_id", "in", contracts.ids)])
                .move_id
            )
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.unlink()
            periods._period_workflow()._reset_to_draft_values()
            periods.timesheet_ids.unlink()
            periods.unlink()
            projects = contracts.project_id
            analytic_accounts = projects.account_id
            missions = contracts.mission_ids
            employees = missions.employee_id
            workflow(missions).write({"state": "cancelled"})
            missions.unlink()
            workflow(contracts).write({"state": "cancelled"})
            contracts.unlink()
            projects.unlink()
            analytic_accounts.unlink()
            employees.unlink()
            env["res.partner"].search([("name", "=", FIXTURE_NAME)]).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _invoice_in(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        period = env["regie.timesheet.period"].browse(self.period_id)
        return period.action_create_invoice()

    def test_second_transaction_is_refused_while_the_first_invoices(self):
        with (
            closing(self.registry.cursor()) as cr_a,
            closing(self.registry.cursor()) as cr_b,
        ):
            action = self._invoice_in(cr_a)
            self.assertTrue(action["res_id"])
            with self.assertRaisesRegex(UserError, "being invoiced by someone else"):
                self._invoice_in(cr_b)
            cr_b.rollback()
            cr_a.rollback()

    @mute_logger("odoo.sql_db")
    def test_transaction_started_before_the_other_commits_is_refused(self):
        with (
            closing(self.registry.cursor()) as cr_a,
            closing(self.registry.cursor()) as cr_b,
        ):
            # B reads the month (its snapshot: validated) before A commits.
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            self.assertEqual(
                env_b["regie.timesheet.period"].browse(self.period_id).state,
                "validated",
            )
            self._invoice_in(cr_a)
            cr_a.commit()
            with self.assertRaisesRegex(UserError, "someone else"):
                self._invoice_in(cr_b)
            cr_b.rollback()
        with closing(self.registry.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            period = env["regie.timesheet.period"].browse(self.period_id)
            self.assertEqual(period.state, "invoiced")
            self.assertEqual(
                env["account.move.line"].search_count(
                    [("regie_period_id", "=", period.id)]
                ),
                1,
            )

    def test_later_transaction_sees_the_month_invoiced(self):
        with closing(self.registry.cursor()) as cr_a:
            self._invoice_in(cr_a)
            cr_a.commit()
        with closing(self.registry.cursor()) as cr_b:
            with self.assertRaisesRegex(UserError, "already invoiced"):
                self._invoice_in(cr_b)
            cr_b.rollback()
