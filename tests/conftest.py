"""End-to-end fixtures: a live Odoo server reached over XML-RPC only.

scripts/test.sh starts the server and sets REGIE_URL and REGIE_DB; nothing here
imports Odoo. Users for each role are created over XML-RPC with unique logins.
"""

import os
import uuid

import pytest
from odoo_client import OdooClient


@pytest.fixture(scope="session")
def server():
    url, db = os.environ.get("REGIE_URL"), os.environ.get("REGIE_DB")
    if not url or not db:
        raise pytest.UsageError(
            "REGIE_URL and REGIE_DB must name a running Odoo server and database: "
            "run the end-to-end tests through scripts/test.sh"
        )
    return url, db


@pytest.fixture(scope="session")
def admin(server):
    return OdooClient(
        *server,
        os.environ.get("REGIE_ADMIN_LOGIN", "admin"),
        os.environ.get("REGIE_ADMIN_PASSWORD", "admin"),
    )


@pytest.fixture(scope="session")
def run_id():
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def make_user(admin, server, run_id):
    """Create a user with the given groups (xml ids) and log in as them."""

    def _make(role, groups, company_xmlid=None):
        login = f"e2e_{role}_{run_id}"
        vals = {
            "name": f"E2E {role} {run_id}",
            "login": login,
            "password": login,
            "email": f"{login}@example.com",
            "groups_id": [(6, 0, [admin.ref(g) for g in groups])],
        }
        if company_xmlid:
            company = admin.ref(company_xmlid)
            vals.update(company_id=company, company_ids=[(6, 0, [company])])
        admin.call("res.users", "create", [vals])
        return OdooClient(*server, login, login)

    return _make


@pytest.fixture(scope="session")
def manager(make_user):
    return make_user("manager", ["base.group_user", "regie_staffing.group_manager"])


@pytest.fixture(scope="session")
def lead(make_user):
    return make_user("lead", ["base.group_user", "regie_staffing.group_lead"])


@pytest.fixture(scope="session")
def consultant(make_user):
    return make_user(
        "consultant", ["base.group_user", "regie_staffing.group_consultant"]
    )


@pytest.fixture(scope="session")
def portal(make_user):
    return make_user("portal", ["base.group_portal"])


# ----------------------------------------------------------------------
# Adversarial suite: one world for the access matrix and the paths
# ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def snap(admin, server):
    from adversarial import Snapshot  # pylint: disable=import-outside-toplevel

    snapshot = Snapshot(admin, server[1])
    yield snapshot
    snapshot.close()


@pytest.fixture(scope="session")
def world(admin, server, run_id, snap):  # pylint: disable=redefined-outer-name
    from test_adversarial_access import (  # pylint: disable=import-outside-toplevel
        build_world,
    )

    return build_world(admin, server, run_id, snap)


@pytest.fixture(scope="session")
def http(server, world):  # pylint: disable=redefined-outer-name
    from test_adversarial_access import (  # pylint: disable=import-outside-toplevel
        build_http,
    )

    return build_http(server, world)


# ----------------------------------------------------------------------
# Adversarial suite: attempt counts per category
# ----------------------------------------------------------------------

_ADVERSARIAL_TALLY = {}


@pytest.fixture(scope="session")
def tally():
    """``tally(category, outcome)`` counts one adversarial attempt; the counts
    per category are written to .run/adversarial-summary.txt and printed at
    the end of the run."""

    def _count(category, outcome):
        outcomes = _ADVERSARIAL_TALLY.setdefault(category, {})
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    return _count


def _summary_group(category):
    """The closing note's heading of a category: the path of issue 11
    ("path 04 one-time code"), the kill test, else the access matrix (CRUD,
    public methods, wizards, need-to-know fields, portal pages, newer models)."""
    if category.startswith(("path ", "kill")):
        return category
    return "access matrix"


def _adversarial_summary():
    groups = {}
    for category, outcomes in _ADVERSARIAL_TALLY.items():
        groups.setdefault(_summary_group(category), []).append((category, outcomes))
    lines = []
    total = 0
    for group in sorted(groups):
        group_count = sum(sum(o.values()) for _c, o in groups[group])
        total += group_count
        if [category for category, _o in groups[group]] == [group]:
            detail = ", ".join(
                f"{name} {n}" for name, n in sorted(groups[group][0][1].items())
            )
            lines.append(f"{group}: {group_count} attempts ({detail})")
            continue
        lines.append(f"{group}: {group_count} attempts")
        for category, outcomes in sorted(groups[group]):
            count = sum(outcomes.values())
            detail = ", ".join(f"{name} {n}" for name, n in sorted(outcomes.items()))
            lines.append(f"    {category}: {count} attempts ({detail})")
    lines.append(f"total: {total} attempts")
    return lines


def pytest_terminal_summary(terminalreporter):
    if not _ADVERSARIAL_TALLY:
        return
    lines = _adversarial_summary()
    terminalreporter.write_sep("-", "adversarial attempts per category")
    for line in lines:
        terminalreporter.write_line(line)
    run_dir = os.path.join(os.path.dirname(os.path.dirname(__file__)), ".run")
    os.makedirs(run_dir, exist_ok=True)
    with open(
        os.path.join(run_dir, "adversarial-summary.txt"), "w", encoding="utf-8"
    ) as summary:
        summary.write("\n".join(lines) + "\n")
