from odoo.tests import HttpCase

TOUR_LANGS = ("en_US", "fr_FR")
# The modules whose French texts the tours walk through.
TOUR_MODULES = (
    "base",
    "web",
    "mail",
    "portal",
    "project",
    "hr_timesheet",
    "account",
    "regie_staffing",
    "regie_staffing_invoicing",
)


class RegieTourCase(HttpCase):
    """Browser tours of the régie journeys, each run in English and in French.

    The test command installs the databases with French loaded; on a database
    without it, French and the terms of the modules the tours cross are
    loaded here. Every tour loads ``regie_tour_guard.js``, which fails it on an
    error dialog or a red notification.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lang = (
            cls.env["res.lang"]
            .with_context(active_test=False)
            .search([("code", "=", "fr_FR")])
        )
        if not lang.active:
            cls.env["res.lang"]._activate_lang("fr_FR")
            modules = cls.env["ir.module.module"].search(
                [("name", "in", TOUR_MODULES), ("state", "=", "installed")]
            )
            modules._update_translations("fr_FR")

    def start_regie_tour(self, url, tour, user, lang, **kwargs):
        """Run ``tour`` from ``url`` as ``user`` with ``lang`` as his language."""
        user.sudo().lang = lang
        user.sudo().partner_id.lang = lang
        self.start_tour(url, tour, login=user.login, timeout=120, **kwargs)
