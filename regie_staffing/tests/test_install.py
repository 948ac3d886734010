from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_every_model_has_access_rights(self):
        models = self.env["ir.model"].search(
            [("model", "=like", "regie.%"), ("transient", "=", False)]
        )
        self.assertGreaterEqual(len(models), 10)
        access = self.env["ir.model.access"].search([("model_id", "in", models.ids)])
        without = models - access.model_id
        self.assertFalse(
            without, f"models without access rights: {without.mapped('model')}"
        )
        manager = self.env.ref("regie_staffing.group_manager")
        for model in models:
            rights = access.filtered(
                lambda a, m=model: a.model_id == m and a.group_id == manager
            )
            self.assertTrue(rights.perm_read, model.model)

    def test_groups_are_layered(self):
        consultant = self.env.ref("regie_staffing.group_consultant")
        lead = self.env.ref("regie_staffing.group_lead")
        manager = self.env.ref("regie_staffing.group_manager")
        self.assertIn(consultant, lead.implied_ids)
        self.assertIn(lead, manager.implied_ids)
        self.assertIn(manager, self.env.ref("base.user_admin").groups_id)

    def test_demo_data_loaded(self):
        contracts = self.env["regie.contract"].search([])
        self.assertTrue(
            {"draft", "active", "terminated", "expired", "cancelled"}
            <= set(contracts.mapped("state"))
        )
        self.assertEqual(set(contracts.mapped("direction")), {"sale", "purchase"})
        active = contracts.filtered(lambda c: c.state == "active")
        self.assertTrue(all(active.mapped("project_id")))
        self.assertTrue(active.mission_ids.rate_ids)
        self.assertTrue(active.clause_ids)

    def test_clause_library_covers_every_family(self):
        from ..models.regie_clause_template import (
            CLAUSE_CATEGORIES,
        )

        templates = self.env["regie.clause.template"].search([])
        families = {key for key, _label in CLAUSE_CATEGORIES} - {"other"}
        self.assertLessEqual(families, set(templates.mapped("category")))
        self.assertTrue(all(templates.mapped("body")))

    def test_clause_library_is_translated_to_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "regie_staffing")]
        )._update_translations(["fr_FR"])
        templates = self.env["regie.clause.template"].search([])
        english = templates.mapped("name")
        french = templates.with_context(lang="fr_FR").mapped("name")
        untranslated = [en for en, fr in zip(english, french, strict=True) if en == fr]
        self.assertFalse(untranslated, f"clause titles without French: {untranslated}")
        bodies_en = templates.mapped("body")
        bodies_fr = templates.with_context(lang="fr_FR").mapped("body")
        self.assertFalse(
            [en for en, fr in zip(bodies_en, bodies_fr, strict=True) if en == fr]
        )

    def test_collaboration_tools_seeded(self):
        tools = self.env["regie.collaboration.tool"].search([])
        names = set(tools.mapped("name"))
        for expected in (
            "Slack",
            "Discord",
            "Microsoft Teams",
            "Asana",
            "Trello",
            "Monday",
            "GitHub",
            "Azure DevOps",
            "AWS Cloud9",
            "Codeanywhere",
        ):
            self.assertIn(expected, names)

    def test_extended_views_stay_valid_in_their_primary_copies(self):
        """A view the addons extend may be the parent of primary views of other
        models (hr_timesheet's and sale_timesheet's timesheet reports copy the
        timesheet search view): every such copy still validates, whatever app
        brought it, installed before or after the addons."""
        View = self.env["ir.ui.view"].with_context(active_test=False)
        ours = View.browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "in", ("regie_staffing", "regie_staffing_invoicing")),
                    ("model", "=", "ir.ui.view"),
                ]
            )
            .mapped("res_id")
        ).filtered(lambda view: view.inherit_id and view.mode == "extension")
        self.assertTrue(ours)
        checked = View.browse()
        to_visit = ours.inherit_id
        while to_visit:
            children = View.search([("inherit_id", "in", to_visit.ids)]) - checked
            checked |= children
            to_visit = children
        copies = checked.filtered(
            lambda view: view.mode == "primary" and view.type != "qweb"
        )
        self.assertIn(self.env.ref("hr_timesheet.hr_timesheet_report_search"), copies)
        for view in copies:
            with self.subTest(view=view.xml_id or view.name, model=view.model):
                view._check_xml()
