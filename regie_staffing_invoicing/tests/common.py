from contextlib import contextmanager
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests.common import new_test_user
from odoo.tools import float_compare

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class RegieMoneyAssertions:
    """The money invariant, computed here from the move lines themselves."""

    @contextmanager
    def assertRefused(self, text):
        """The block raises a UserError saying ``text``, and what it did is
        rolled back (Odoo's assertRaises runs it in a savepoint)."""
        with self.assertRaises(UserError) as refused:
            yield
        self.assertIn(text, str(refused.exception))

    def _billed_days(self, period):
        """(posted, live) net days billed for the month by its moves: invoices
        minus credit notes; *live* also counts draft invoices (a draft credit
        note credits nothing yet)."""
        posted = live = 0.0
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("regie_period_id", "=", period.id),
                    ("display_type", "=", "product"),
                ]
            )
        )
        for line in lines:
            move = line.move_id
            sign = -1 if move.move_type in ("out_refund", "in_refund") else 1
            days = sign * line.quantity / (line.regie_unit_factor or 1.0)
            if move.state == "posted":
                posted += days
                live += days
            elif move.state == "draft" and sign > 0:
                live += days
        return posted, live

    def assertBilledOnce(self, periods, context=""):
        """A month is billed once, at its validated days: its posted moves
        never bill more than its validated days, nor do its live ones; it says
        *invoiced* exactly when its live moves bill all of them."""
        for period in periods.sudo():
            period.invalidate_recordset()
            posted, live = self._billed_days(period)
            validated = period.billable_days
            where = f"{period.name} ({period.state}) {context}"
            self.assertLessEqual(
                float_compare(posted, validated, precision_digits=4),
                0,
                f"{where}: {posted} days posted for {validated} validated",
            )
            self.assertLessEqual(
                float_compare(live, validated, precision_digits=4),
                0,
                f"{where}: {live} days billed for {validated} validated",
            )
            if period.vendor_bill_id:
                # Billed by the provider's own bill, matched and posted: no
                # other move bills it.
                self.assertEqual(period.state, "invoiced", where)
                self.assertEqual(period.vendor_bill_id.state, "posted", where)
                self.assertFalse(live, f"{where}: billed twice")
            elif period.state == "invoiced":
                self.assertEqual(
                    float_compare(live, validated, precision_digits=4),
                    0,
                    f"{where}: says invoiced, {live} days billed of {validated}",
                )
                self.assertTrue(period.invoice_line_id, where)
            elif period.state == "validated":
                self.assertEqual(
                    float_compare(live, validated, precision_digits=4),
                    -1,
                    f"{where}: says validated, {live} days billed of {validated}",
                )


class RegieInvoicingCommon(RegieMoneyAssertions, AccountTestInvoicingCommon):
    """A company with a chart of accounts, régie users of each kind, a sale
    contract led by ``lead`` with one mission (TJM 500) for ``employee``, and
    helpers building validated months."""

    @classmethod
    def get_default_groups(cls):
        # The test user sets contracts up; business flows run as the others.
        return super().get_default_groups() | cls.env.ref(
            "regie_staffing.group_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        user_values = {"company_id": company.id, "company_ids": company.ids}
        cls.consultant = new_test_user(
            cls.env,
            login="inv_consultant",
            groups="regie_staffing.group_consultant",
            **user_values,
        )
        cls.lead = new_test_user(
            cls.env, login="inv_lead", groups="regie_staffing.group_lead", **user_values
        )
        cls.manager = new_test_user(
            cls.env,
            login="inv_manager",
            groups="regie_staffing.group_manager",
            **user_values,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="inv_accountant",
            groups="account.group_account_manager,regie_staffing_invoicing.group_regie_accountant",
            **user_values,
        )
        cls.billing = new_test_user(
            cls.env,
            login="inv_billing",
            groups="regie_staffing_invoicing.group_regie_accountant",
            **user_values,
        )
        cls.index = cls.env["regie.price.index"].create(
            {"name": "Test index", "code": "TESTIDX"}
        )
        cls.uom_day = cls.env.ref("uom.product_uom_day")
        cls.day_product = cls._create_product(
            name="Régie day",
            type="service",
            uom_id=cls.uom_day.id,
            uom_po_id=cls.uom_day.id,
            supplier_taxes_id=[Command.set(cls.tax_purchase_a.ids)],
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.provider = cls.env["res.partner"].create(
            {"name": "Freelance SARL", "is_company": True}
        )
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Camille Consultant", "user_id": cls.consultant.id}
        )
        cls.other_employee = cls.env["hr.employee"].create({"name": "Dominique Dev"})
        cls.contract = cls._create_contract()
        cls.mission = cls._create_mission(cls.contract)

    @classmethod
    def _create_contract(cls, activate=True, **vals):
        contract = cls.env["regie.contract"].create(
            {
                "partner_id": cls.client.id,
                "user_id": cls.lead.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2025, 12, 31),
                "review_frequency": "none",
                "product_id": cls.day_product.id,
                **vals,
            }
        )
        if activate:
            contract.action_activate()
        return contract

    @classmethod
    def _create_mission(cls, contract, employee=None, **vals):
        mission = cls.env["regie.mission"].create(
            {
                "contract_id": contract.id,
                "employee_id": (employee or cls.employee).id,
                "daily_rate": 500.0,
                **vals,
            }
        )
        if contract.state == "active" and mission.state == "draft":
            mission.action_start()
        return mission

    @classmethod
    def _log_days(cls, mission, month, days, hours=8.0, first_day=1):
        """Log ``days`` working days of ``hours`` from ``first_day`` of
        ``month`` (a date in the month), weekends skipped."""
        vals_list = []
        day = month.replace(day=first_day)
        while len(vals_list) < days:
            if day.weekday() < 5:
                vals_list.append(
                    {
                        "name": "Work",
                        "project_id": mission.contract_id.project_id.id,
                        "employee_id": mission.employee_id.id,
                        "date": day,
                        "unit_amount": hours,
                    }
                )
            day += timedelta(days=1)
        return cls.env["account.analytic.line"].create(vals_list)

    @classmethod
    def _validate(cls, periods):
        periods = periods.with_user(cls.lead)
        periods.action_submit()
        periods.action_validate()
        return periods.with_env(cls.env)

    @classmethod
    def _validated_month(cls, mission, month, days=10, hours=8.0):
        lines = cls._log_days(mission, month, days, hours=hours)
        return cls._validate(lines.regie_period_id)

    def _invoice(self, periods, user=None, **kwargs):
        action = periods.with_user(user or self.billing).action_create_invoice(**kwargs)
        summary = action["context"]["regie_invoicing_summary"]
        return self.env["account.move"].browse(summary["created"]), summary
