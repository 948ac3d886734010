import re
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

MAY = date(2026, 5, 1)


class ExtranetCommon:
    """A freelancer with a portal user only, on a sale contract beside another
    consultant, and their months of May 2026."""

    @classmethod
    def _setup_extranet(cls):
        cls.freelancer = new_test_user(
            cls.env,
            login="extranet_freelancer",
            password="extranet_freelancer",
            groups="base.group_portal",
        )
        cls.other_portal = new_test_user(
            cls.env,
            login="extranet_other",
            password="extranet_other",
            groups="base.group_portal",
        )
        cls.lead = new_test_user(
            cls.env, login="extranet_lead", groups="regie_staffing.group_lead"
        )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Frédérique Freelance",
                "user_id": cls.freelancer.id,
                "employee_type": "freelance",
            }
        )
        cls.other_employee = cls.env["hr.employee"].create({"name": "Someone Else"})
        cls.client = cls.env["res.partner"].create(
            {"name": "Extranet Client", "is_company": True}
        )
        cls.contract = cls.env["regie.contract"].create(
            {
                "title": "Extranet contract",
                "partner_id": cls.client.id,
                "user_id": cls.lead.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "review_frequency": "none",
            }
        )
        cls.contract.action_activate()
        Mission = cls.env["regie.mission"]
        cls.mission = Mission.create(
            {
                "contract_id": cls.contract.id,
                "employee_id": cls.employee.id,
                "daily_rate": 600,
            }
        )
        cls.other_mission = Mission.create(
            {
                "contract_id": cls.contract.id,
                "employee_id": cls.other_employee.id,
                "daily_rate": 500,
            }
        )
        (cls.mission | cls.other_mission).filtered(
            lambda mission: mission.state == "draft"
        ).action_start()
        Period = cls.env["regie.timesheet.period"]
        Period.generate_periods(MAY)
        cls.period = Period.search(
            [("mission_id", "=", cls.mission.id), ("date_from", "=", MAY)]
        )
        cls.other_period = Period.search(
            [("mission_id", "=", cls.other_mission.id), ("date_from", "=", MAY)]
        )
        cls.activity = cls.env["regie.activity.type"].create(
            {"name": "On call", "multiplier": 1.5}
        )


@tagged("post_install", "-at_install")
class TestExtranet(ExtranetCommon, HttpCase):
    """A freelancer with a portal user only logs and submits his month in the
    portal, under the back end's rules, and sees nobody else's months."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_extranet()

    def _csrf(self):
        response = self.url_open("/my/regie/timesheets")
        return re.search(r'csrf_token: "([^"]+)"', response.text).group(1)

    def _save(self, period, data, submit=False, confirm=False):
        payload = {"csrf_token": self._csrf(), **data}
        if submit:
            payload["submit"] = "1"
        if confirm:
            payload["confirm"] = "1"
        return self.url_open(
            f"/my/regie/timesheets/{period.id}/save", data=payload, allow_redirects=True
        )

    def test_freelancer_logs_and_submits_his_month(self):
        self.authenticate("extranet_freelancer", "extranet_freelancer")
        response = self.url_open("/my/regie/timesheets")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"/my/regie/timesheets/{self.period.id}", response.text)
        self.assertNotIn(f"/my/regie/timesheets/{self.other_period.id}", response.text)

        response = self.url_open(f"/my/regie/timesheets/{self.period.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="amount_2026-05-04"', response.text)

        response = self._save(
            self.period,
            {
                "amount_2026-05-04": "1",
                "comment_2026-05-04": "Kick-off",
                "amount_2026-05-05": "0.5",
                "amount_2026-05-09": "1",
                "activity_2026-05-09": str(self.activity.id),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-message="saved"', response.text)
        lines = self.period.timesheet_ids.sorted("date")
        self.assertEqual(lines.mapped("unit_amount"), [8.0, 4.0, 8.0])
        self.assertEqual(lines.mapped("name"), ["Kick-off", "/", "/"])
        self.assertEqual(lines[2].regie_activity_type_id, self.activity)
        self.assertEqual(lines.create_uid, self.freelancer, "typed by himself")

        # Changing a day writes its line; emptying it deletes the line.
        self._save(self.period, {"amount_2026-05-04": "0.5", "amount_2026-05-05": ""})
        self.assertEqual(
            self.period.timesheet_ids.sorted("date").mapped("unit_amount"), [4.0, 8.0]
        )

        # The month is not complete: submitting asks to confirm first.
        with freeze_time("2026-06-02"):
            response = self._save(self.period, {}, submit=True)
            self.assertIn("o_regie_extranet_warnings", response.text)
            self.assertEqual(self.period.state, "draft")
            response = self._save(self.period, {}, submit=True, confirm=True)
        self.assertIn('data-message="submitted"', response.text)
        self.assertEqual(self.period.state, "submitted")
        self.assertEqual(self.period.submitted_by_id, self.freelancer)

        # Submitted: the back end's locking holds in the extranet too.
        response = self._save(self.period, {"amount_2026-05-06": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("o_regie_extranet_error", response.text)
        self.assertEqual(len(self.period.timesheet_ids), 2)

        response = self.url_open(f"/my/regie/timesheets/{self.period.id}/pdf")
        self.assertEqual(response.status_code, 200)

    def test_bad_input_names_the_day_and_keeps_what_was_typed(self):
        self.authenticate("extranet_freelancer", "extranet_freelancer")
        response = self._save(
            self.period,
            {"amount_2026-05-04": "1", "amount_2026-05-05": "abc"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("05/05/2026", response.text)
        self.assertIn("abc", response.text)
        self.assertFalse(self.period.timesheet_ids, "nothing half-saved")

    def test_hours_contract_and_the_day_limit(self):
        self.contract.billing_unit = "hour"
        self.authenticate("extranet_freelancer", "extranet_freelancer")
        self._save(
            self.period, {"amount_2026-05-04": "7,5", "amount_2026-05-05": "6:45"}
        )
        self.assertEqual(
            self.period.timesheet_ids.sorted("date").mapped("unit_amount"), [7.5, 6.75]
        )
        response = self._save(self.period, {"amount_2026-05-06": "25"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(self.period.timesheet_ids), 2)

    def test_nobody_else_reaches_the_month(self):
        self.authenticate("extranet_other", "extranet_other")
        for url in (
            f"/my/regie/timesheets/{self.period.id}",
            f"/my/regie/timesheets/{self.period.id}/pdf",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        response = self._save(self.period, {"amount_2026-05-04": "1"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.period.timesheet_ids)
        # Nor the consultant another consultant's month.
        self.authenticate("extranet_freelancer", "extranet_freelancer")
        response = self._save(self.other_period, {"amount_2026-05-04": "1"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.other_period.timesheet_ids)
        # A forged form without its CSRF token is refused.
        response = self.url_open(
            f"/my/regie/timesheets/{self.period.id}/save",
            data={"amount_2026-05-04": "1"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.period.timesheet_ids)

    def test_extranet_rights_cannot_be_forged_over_rpc(self):
        """The extranet context key gives no right to an internal caller."""
        Line = self.env["account.analytic.line"].with_user(self.lead)
        other = new_test_user(
            self.env, login="extranet_intruder", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            Line.with_user(other).with_context(regie_extranet=True).create(
                {
                    "name": "forged",
                    "project_id": self.contract.project_id.id,
                    "employee_id": self.employee.id,
                    "date": date(2026, 5, 4),
                    "unit_amount": 8,
                }
            )
        self.assertFalse(self.period.timesheet_ids)
