from odoo.tests.common import new_test_user

from odoo.addons.base.tests.common import BaseCommon


class RegieInvoicingCommon(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant = new_test_user(
            cls.env, login="inv_consultant", groups="regie_staffing.group_consultant"
        )
        cls.manager = new_test_user(
            cls.env, login="inv_manager", groups="regie_staffing.group_manager"
        )
        cls.accountant = new_test_user(
            cls.env,
            login="inv_accountant",
            groups="account.group_account_manager",
        )
        cls.index = cls.env["regie.price.index"].create(
            {"name": "Test index", "code": "TESTIDX"}
        )
