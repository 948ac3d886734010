"""Generate the web client's and the portal's asset bundles once, committed,
so that the browser tours (each in a rolled-back transaction) do not rebuild
them for every test. Run with `odoo-bin shell -d DB < scripts/warm_assets.py`."""

BUNDLES = (
    "web.assets_web",
    "web.assets_tests",
    "web.assets_frontend",
    "web.assets_frontend_minimal",
    "web.assets_frontend_lazy",
    "web.report_assets_common",
)
for name in BUNDLES:
    bundle = env["ir.qweb"]._get_asset_bundle(name)  # noqa: F821 (odoo shell)
    bundle.js()
    bundle.css()
env.cr.commit()  # noqa: F821
print(f"asset bundles generated: {', '.join(BUNDLES)}")
