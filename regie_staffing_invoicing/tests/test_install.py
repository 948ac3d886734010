from odoo.tests import tagged

from .common import RegieInvoicingCommon


@tagged("post_install", "-at_install")
class TestInstall(RegieInvoicingCommon):
    def test_access_rights_loaded(self):
        access = self.env["ir.model.access"].search(
            [("model_id.model", "in", ("regie.price.index", "regie.price.index.value"))]
        )
        groups = access.mapped("group_id")
        self.assertIn(self.env.ref("regie_staffing.group_manager"), groups)
        self.assertIn(self.env.ref("account.group_account_manager"), groups)
        self.assertEqual(len(access), 6)

    def test_demo_index_loaded(self):
        syntec = self.env.ref("regie_staffing_invoicing.regie_price_index_syntec_demo")
        self.assertEqual(syntec.code, "SYNTEC")
        self.assertEqual(len(syntec.value_ids), 2)
        self.assertTrue(all(v.date.day == 1 for v in syntec.value_ids))

    def test_service_product_in_days(self):
        product = self.env.ref("regie_staffing_invoicing.product_product_regie_day")
        self.assertEqual(product.type, "service")
        self.assertEqual(product.uom_id, self.env.ref("uom.product_uom_day"))

    def test_contract_defaults_to_day_product(self):
        partner = self.env["res.partner"].create({"name": "Client SA"})
        contract = self.env["regie.contract"].create(
            {"name": "C1", "partner_id": partner.id, "date_start": "2026-01-01"}
        )
        self.assertEqual(
            contract.product_id,
            self.env.ref("regie_staffing_invoicing.product_product_regie_day"),
        )
        self.assertEqual(contract.invoicing_period, "monthly")
