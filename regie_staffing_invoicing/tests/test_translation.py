from odoo.tests import tagged

# The module, not the class: a test class imported by name would run here too.
from odoo.addons.regie_staffing.tests import test_translation


@tagged("post_install", "-at_install")
class TestFrenchTranslation(test_translation.TestFrenchTranslation):
    module = "regie_staffing_invoicing"
