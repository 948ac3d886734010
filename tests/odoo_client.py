"""An Odoo user's XML-RPC session, and the assertion that a call is refused."""

import xmlrpc.client

import pytest


class OdooClient:
    """A user's XML-RPC session: ``client.call(model, method, *args, **kw)``."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=False)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise AssertionError(f"login {login!r} refused by {url} ({db})")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        res = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        assert res, f"no record {xmlid}"
        return res[0]["res_id"]


def fault(callable_, *args, **kwargs):
    """Assert that the call raises an XML-RPC fault; return its message."""
    with pytest.raises(xmlrpc.client.Fault) as error:
        callable_(*args, **kwargs)
    return error.value.faultString
