"""The foundation: log in over XML-RPC and read the demo data."""

import xmlrpc.client

import pytest


def test_server_is_odoo_18(server):
    url, _db = server
    version = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
    assert version["server_version_info"][:2] == [18, 0]


def test_both_addons_installed(admin):
    modules = admin.call(
        "ir.module.module",
        "search_read",
        [("name", "in", ["regie_staffing", "regie_staffing_invoicing"])],
        fields=["name", "state"],
    )
    assert {m["name"]: m["state"] for m in modules} == {
        "regie_staffing": "installed",
        "regie_staffing_invoicing": "installed",
    }


def test_manager_reads_demo_contracts(manager):
    contracts = manager.call(
        "regie.contract",
        "search_read",
        [("state", "=", "active")],
        fields=["name", "direction", "partner_id", "state", "mission_ids"],
    )
    assert contracts, "the demo data has active contracts"
    assert {c["direction"] for c in contracts} == {"sale", "purchase"}
    assert all(c["partner_id"] and c["mission_ids"] for c in contracts)


def test_wrong_password_is_refused(server):
    url, db = server
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    assert common.authenticate(db, "admin", "not-the-password", {}) is False


def test_portal_user_cannot_read_contracts(portal):
    with pytest.raises(xmlrpc.client.Fault) as error:
        portal.call("regie.contract", "search_read", [], fields=["name"])
    assert "AccessError" in error.value.faultString or "access" in str(error.value)
