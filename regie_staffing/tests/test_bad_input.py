from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..controllers.portal import CODE_VALIDITY
from .common import RegieCommon
from .test_portal import CODE_PATCH, RegiePortalCommon
from .test_timesheet_period import RegiePeriodCommon


class BadInputMixin:
    @contextmanager
    def assertRefused(self, regex, exception=UserError):
        """The block raises a readable error matching ``regex``; what it did
        is rolled back (assertRaises runs it in a savepoint)."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    def _count(self, model):
        return self.env[model].sudo().with_context(active_test=False).search_count([])


@tagged("post_install", "-at_install")
class TestBadInputContract(BadInputMixin, RegieCommon):
    """Numbers, ids and dates an RPC caller may send to contracts, missions
    and rate lines: refused with a message naming the field, nothing saved."""

    def _contract_vals(self, **vals):
        return {
            "partner_id": self.client.id,
            "date_start": "2025-01-01",
            "date_end": "2025-12-31",
            **vals,
        }

    def test_contract_integers_are_bounded(self):
        count = self._count("regie.contract")
        for fname, label, value in (
            ("notice_period_days", "Notice Period \\(days\\)", 2147483647),
            ("notice_period_days", "Notice Period \\(days\\)", 2147483648),
            ("notice_period_days", "Notice Period \\(days\\)", 3651),
            ("renewal_period_months", "Renewal Period \\(months\\)", 2147483647),
            ("tacit_acceptance_days", "Tacit Acceptance Days", 10**10),
            ("dispute_answer_days", "Dispute Answer Days", 366),
            ("confidentiality_years", "Confidentiality Years", -1),
            ("validation_deadline_day", "Validation Deadline Day", 2**40),
        ):
            with self.assertRefused(
                f"^{label} of Régie Contract being created: .* out of range"
            ):
                self.env["regie.contract"].create(self._contract_vals(**{fname: value}))
        self.assertEqual(self._count("regie.contract"), count)
        with self.assertRefused(r"^Notice Period \(days\) of RC/.*between 0 and 3,650"):
            self.contract.write({"notice_period_days": 2147483647})
        with self.assertRefused(r"Notice Period \(days\).*a number is expected.*'abc'"):
            self.contract.write({"notice_period_days": "abc"})
        self.assertEqual(self.contract.notice_period_days, 30)
        # In bounds, even sent as a string: accepted.
        self.contract.write({"notice_period_days": "3650"})
        self.assertEqual(self.contract.notice_period_days, 3650)

    def test_contract_numbers_are_finite_and_not_negative(self):
        for fname, label, value in (
            ("budget_days", "Budget Days", -1.0),
            ("budget_days", "Budget Days", 1e308),
            ("budget_days", "Budget Days", float("inf")),
            ("hours_per_day", "Hours Per Day", float("nan")),
            ("hours_per_day", "Hours Per Day", -1.0),
        ):
            with self.assertRefused(f"^{label} of {self.contract.name}: "):
                self.contract.write({fname: value})
        self.assertEqual(self.contract.hours_per_day, 8.0)
        self.assertFalse(self.contract.budget_days)

    def test_contract_unknown_ids(self):
        count = self._count("regie.contract")
        for fname, label in (
            ("partner_id", "Partner"),
            ("client_manager_id", "Client Manager"),
            ("user_id", "Account manager"),
            ("project_id", "Project"),
        ):
            with self.assertRefused(f"^{label} of .*999999 does not exist"):
                self.env["regie.contract"].create(
                    self._contract_vals(**{fname: 999999})
                )
        with self.assertRefused("^Project leads of .*999999 does not exist"):
            self.contract.write({"project_lead_ids": [(6, 0, [999999])]})
        with self.assertRefused("^Partner of .*'abc' does not exist"):
            self.contract.write({"partner_id": "abc"})
        self.assertEqual(self._count("regie.contract"), count)
        self.assertEqual(self.contract.partner_id, self.client)

    def test_mission_numbers(self):
        count = self._count("regie.mission")
        vals = {"contract_id": self.contract.id, "employee_id": self.employee.id}
        for rate in (1e308, float("inf"), float("nan"), "1e400", 1e10):
            with self.assertRefused(r"^Daily Rate \(TJM\) of Régie Mission Sheet"):
                self.env["regie.mission"].create(dict(vals, daily_rate=rate))
        for days in (-1.0, float("nan"), 1e308):
            with self.assertRefused("^Estimated Days of Régie Mission Sheet"):
                self.env["regie.mission"].create(
                    dict(vals, daily_rate=500.0, estimated_days=days)
                )
        with self.assertRefused(f"^Estimated Days of {self.mission.name}: "):
            self.mission.estimated_days = -3.0
        self.assertEqual(self.mission.estimated_days, 10.0)
        self.assertEqual(self._count("regie.mission"), count)

    def test_mission_unknown_ids(self):
        count = self._count("regie.mission")
        vals = {
            "contract_id": self.contract.id,
            "employee_id": self.employee.id,
            "daily_rate": 500.0,
        }
        for fname, label in (
            ("contract_id", "Contract"),
            ("employee_id", "Consultant"),
            ("purchase_mission_id", "Purchase Mission"),
        ):
            with self.assertRefused(f"^{label} of .*999999 does not exist"):
                self.env["regie.mission"].create(dict(vals, **{fname: 999999}))
        self.assertEqual(self._count("regie.mission"), count)

    def test_rate_lines(self):
        rates = self.mission.rate_ids
        Rate = self.env["regie.mission.rate"]
        vals = {"mission_id": self.mission.id, "date_from": "2025-06-01"}
        for value in (1e308, float("inf"), float("nan"), -1e308):
            with self.assertRefused(r"^Daily Rate \(TJM\) of"):
                Rate.create(dict(vals, daily_rate=value))
        for day in ("1900-01-01", "9999-12-31", "2026-01-01", "2024-12-31"):
            with self.assertRefused(
                r"^Valid From of the daily rate of mission .* is outside the "
                r"mission \(01/01/2025 - 12/31/2025\)"
            ):
                Rate.create(dict(vals, date_from=day, daily_rate=550.0))
        for day in ("2025-02-30", "abc"):
            with self.assertRefused("^Valid From: .* is not a valid date"):
                Rate.create(dict(vals, date_from=day, daily_rate=550.0))
        with self.assertRefused("^Mission of .*999999 does not exist"):
            Rate.create(dict(vals, mission_id=999999, daily_rate=550.0))
        with self.assertRefused("^Valid From of the daily rate .*outside"):
            rates.write({"date_from": "1900-01-01"})
        self.assertEqual(self.mission.rate_ids, rates)
        # Inside the mission: accepted.
        Rate.create(dict(vals, daily_rate=550.0))
        self.assertEqual(self.mission.get_rate(date(2025, 7, 1)), 550.0)

    def test_unlink_mission_with_time(self):
        self._activate()
        self._log_time(self.employee, date(2025, 3, 3), 8.0)
        with self.assertRefused(
            f"Mission {self.mission.name} cannot be deleted: time was logged"
        ):
            self.mission.unlink()
        self.assertTrue(self.mission.exists())
        # A mission without time goes.
        other = self._create_mission(self.contract, employee_id=self.other_employee.id)
        other.unlink()
        self.assertFalse(other.exists())


@tagged("post_install", "-at_install")
class TestBadInputMonth(BadInputMixin, RegiePeriodCommon):
    def test_unlink_month_with_lines(self):
        for period in (self.period, self._validate()):
            with self.assertRefused(
                f"^{period.name} cannot be deleted: only draft monthly activity "
                "reports without timesheet lines"
            ):
                period.with_user(self.manager_user).unlink()
            self.assertTrue(period.exists())
        self.assertEqual(len(self.period.timesheet_ids), 3)

    def test_unlink_contract_with_missions(self):
        contract = self._create_contract()
        mission = self._create_mission(contract)
        with self.assertRefused(
            f"^Contract {contract.display_name} has missions \\({mission.name}\\)"
        ):
            contract.unlink()
        mission.unlink()
        contract.unlink()
        self.assertFalse(contract.exists())

    def test_contest_with_lines_that_are_not_ids(self):
        self._submit()
        for line_ids in ("abc", ["abc"], {"a": 1}, [True], 1.5):
            with self.assertRefused(
                f"^Contested Lines of the dispute on {self.period.name}: a list"
            ):
                self.period.with_user(self.lead_user).action_contest(
                    "Wrong", line_ids=line_ids
                )
        self.assertEqual(self.period.state, "submitted")
        self.assertFalse(self.period.dispute_ids)
        # One id alone is a list of one.
        self.period.with_user(self.lead_user).action_contest(
            "Wrong", line_ids=self.lines[0].id
        )
        self.assertEqual(self.period.dispute_ids.line_ids, self.lines[0])


@tagged("post_install", "-at_install")
class TestBadInputXmlRpc(BadInputMixin, RegieCommon, HttpCase):
    """The same inputs as an integration sends them over XML-RPC: a readable
    message naming the field, never a raw Python or SQL error."""

    def _rpc(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.env.ref("base.user_admin").id,
            "admin",
            model,
            method,
            list(args),
            kwargs,
        )

    def assertRpcRefused(self, regex, model, method, *args, **kwargs):
        with self.assertRaises(Exception) as catcher:
            self._rpc(model, method, *args, **kwargs)
        message = str(catcher.exception)
        self.assertRegex(message, regex)
        for raw in ("psycopg2", "_fkey", "OverflowError", "NaN to integer"):
            self.assertNotIn(raw, message)

    def test_rpc_contract_and_mission(self):
        count = self._count("regie.contract")
        vals = {
            "partner_id": self.client.id,
            "date_start": "2025-01-01",
            "date_end": "2025-12-31",
        }
        self.assertRpcRefused(
            r"Notice Period \(days\) of Régie Contract being created",
            "regie.contract",
            "create",
            dict(vals, notice_period_days=2147483647),
        )
        self.assertRpcRefused(
            "Partner of Régie Contract being created: 999999 does not exist",
            "regie.contract",
            "create",
            dict(vals, partner_id=999999),
        )
        self.assertEqual(self._count("regie.contract"), count)
        self.assertRpcRefused(
            r"Daily Rate \(TJM\) of .*out of range",
            "regie.mission",
            "write",
            [self.mission.id],
            {"daily_rate": 1e308},
        )
        self.assertRpcRefused(
            "Consultant of Régie Mission Sheet being created: 999999 does not exist",
            "regie.mission",
            "create",
            {
                "contract_id": self.contract.id,
                "employee_id": 999999,
                "daily_rate": 500.0,
            },
        )
        self.assertRpcRefused(
            "Valid From of the daily rate .* outside",
            "regie.mission.rate",
            "create",
            {
                "mission_id": self.mission.id,
                "date_from": "1900-01-01",
                "daily_rate": 400.0,
            },
        )


@tagged("post_install", "-at_install")
class TestCodeAttemptsPerAddress(RegiePortalCommon, HttpCase):
    """Wrong one-time codes count per month and per validator address: moving
    from month to month does not give an attacker more guesses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.months = cls.period | cls._submitted_month(
            cls.employee, cls.contract, monday=date(2025, 2, 3)
        )
        cls.months |= cls._submitted_month(
            cls.employee, cls.contract, monday=date(2025, 3, 3)
        )

    def _send_and_guess(self, period, token, code="000000"):
        # As if the last code had been sent two minutes ago (resend delay).
        period.sudo()._period_workflow().write(
            {
                "validation_code_expiry": fields.Datetime.now()
                + CODE_VALIDITY
                - timedelta(minutes=2)
            }
        )
        with patch(CODE_PATCH, return_value=123456):
            response = self._post(period, "/send_code", token)
        if response.status_code != 303:
            return response
        return self._post(period, "/verify_code", token, code=code)

    def _locked_until(self, period):
        return self._reload(period.sudo()).validation_code_locked_until

    def test_failures_count_across_the_months_of_an_address(self):
        self.authenticate(None, None)
        tokens = {period: self._token(period) for period in self.months}
        # 3 + 3 + 1 wrong codes: no month reaches its own limit (5), nor the
        # address its limit (8).
        for period, attempts in zip(self.months, (3, 3, 1), strict=True):
            for _attempt in range(attempts):
                response = self._send_and_guess(period, tokens[period])
                self.assertIn("message=code_wrong", response.headers["Location"])
        self.assertFalse(any(self._locked_until(p) for p in self.months))
        # The 8th locks code entry for every month of the address.
        last = self.months[2]
        self._send_and_guess(last, tokens[last])
        for period in self.months:
            locked = self._locked_until(period) - fields.Datetime.now()
            self.assertTrue(timedelta(minutes=4) < locked <= timedelta(minutes=5))
            for suffix in ("/send_code", "/verify_code"):
                response = self._post(period, suffix, tokens[period], code="123456")
                self.assertEqual(response.status_code, 429, suffix)
                self.assertIn("Too many wrong codes", response.text)
        self.assertEqual(self._reload(self.months[0]).state, "submitted")
        # Once the lock is over, the next failure locks twice as long.
        self.months.sudo()._period_workflow().write(
            {"validation_code_locked_until": fields.Datetime.now()}
        )
        self._send_and_guess(self.months[0], tokens[self.months[0]])
        locked = self._locked_until(self.months[1]) - fields.Datetime.now()
        self.assertTrue(timedelta(minutes=9) < locked <= timedelta(minutes=10))
        # Another client's validator is not locked by these failures.
        self.assertFalse(self._locked_until(self.other_period))

    def test_right_code_resets_the_address(self):
        self.authenticate(None, None)
        tokens = {period: self._token(period) for period in self.months}
        for period in self.months:
            for _attempt in range(2):
                self._send_and_guess(period, tokens[period])
        first = self.months[0]
        response = self._send_and_guess(first, tokens[first], code="123456")
        self.assertIn("message=code_ok", response.headers["Location"])
        for period in self.months:
            self.assertEqual(self._reload(period.sudo()).validation_code_failures, 0)
