"""Adversarial access matrix over XML-RPC and HTTP (issue 11).

Ten roles (consultant, second consultant, project lead, lead of another
contract, régie manager, accountant-only, plain internal user with Odoo's
default groups, portal contact of the client, portal contact of another client,
public visitor) x every régie model x read / search / create / write / unlink,
x every public method, x the need-to-know money fields, and the portal pages.

The expectations come from DESIGN.md, the access rules of both addons and
issue 11, not from what the code does today: a refused attempt must leave the
database as it was (counts of every régie model, timesheets and moves, and the
validated months' totals, read as admin) and come back as a readable Odoo
refusal (AccessError / UserError fault), never as a raw Python or SQL error.
Allowed attempts that would consume the shared records (submit, validate,
invoice...) are left to the other end-to-end tests: only their refusals are
attempted here. Attempt counts per category go to .run/adversarial-summary.txt.
"""

import re
import uuid
import xmlrpc.client

import pytest
import requests
from adversarial import (
    PublicClient,
    UserClient,
    changes,
    classify,
    describe,
    regie_models,
)

# ----------------------------------------------------------------------
# Roles and expectations
# ----------------------------------------------------------------------

CONS, CONS2, LEAD, LEAD2, MGR, ACC, USER, PORTAL, PORTAL2, PUBLIC = ROLES = (
    "consultant",
    "consultant2",
    "lead",
    "other_lead",
    "manager",
    "accountant",
    "internal",
    "portal",
    "other_portal",
    "public",
)
INTERNAL = {CONS, CONS2, LEAD, LEAD2, MGR, ACC, USER}
OK, DENY, ANY = "ok", "deny", "any"
# Allowed or refused, but nothing of the record in the answer (buttons that
# open a list filtered by the caller's own rules).
NODATA = "nodata"

# Who reads what (the target records are those of contract A, consultant 1):
# the contract's people (its consultants, its lead, the managers) and the
# accountants; never the lead of another contract, a plain internal user
# (issue 11 §8: not through the accountant rules), a portal user (the portal
# goes through its pages) or the public.
CONTRACT_READERS = {CONS, CONS2, LEAD, MGR, ACC}
MISSION_READERS = {CONS, LEAD, MGR, ACC}  # consultant 1's mission and months
CONFIG_READERS = {CONS, CONS2, LEAD, LEAD2, MGR, ACC}
CONTRACT_WRITERS = {LEAD, MGR}
MANAGERS = {MGR}
MONEY_READERS = {LEAD, MGR, ACC}


def table(ok=(), any_=()):
    """role -> expected outcome: ok for ``ok``, any for ``any_``, else deny."""
    return {role: OK if role in ok else ANY if role in any_ else DENY for role in ROLES}


# model -> {op: table}; the op's target is described in the world fixture.
CONTRACT_LEVEL = {
    "read": table(CONTRACT_READERS),
    "create": table(CONTRACT_WRITERS),
    "write": table(CONTRACT_WRITERS),
    "unlink": table(CONTRACT_WRITERS),
}
MISSION_LEVEL = dict(CONTRACT_LEVEL, read=table(MISSION_READERS))
CONFIG = {
    "read": table(CONFIG_READERS, any_={USER}),
    "create": table(MANAGERS),
    "write": table(MANAGERS),
    "unlink": table(MANAGERS),
}
REFERENCE = dict(CONFIG, read=table(INTERNAL))
# Price indexes are also the accounting administrators' (their ACL), which
# Odoo's default user template makes of a plain internal user.
INDEXES = {
    "read": table(INTERNAL),
    "create": table(MANAGERS, any_={USER}),
    "write": table(MANAGERS, any_={USER}),
    "unlink": table(MANAGERS, any_={USER}),
}
EXPECTED = {
    "regie.contract": dict(
        CONTRACT_LEVEL,
        # Leads create contracts they lead; only managers delete one.
        create=table(CONTRACT_WRITERS | {LEAD2}),
        unlink=table(MANAGERS),
    ),
    "regie.contract.clause": CONTRACT_LEVEL,
    "regie.contract.kpi": CONTRACT_LEVEL,
    "regie.review": CONTRACT_LEVEL,
    "regie.review.kpi.value": CONTRACT_LEVEL,
    "regie.mission": MISSION_LEVEL,
    "regie.mission.rate": MISSION_LEVEL,
    "regie.mission.deliverable": MISSION_LEVEL,
    "regie.timesheet.period": dict(
        MISSION_LEVEL,
        # Workflow fields (here the portal token) are written by no one.
        write=table(),
        unlink=table(MANAGERS),
    ),
    "regie.timesheet.dispute": dict(
        MISSION_LEVEL,
        # Opened by contesting, never created; the client's statement is
        # read-only; nobody deletes an open dispute.
        create=table(),
        write=table(),
        unlink=table(),
    ),
    "regie.clause.template": CONFIG,
    "regie.collaboration.tool": CONFIG,
    "regie.activity.type": REFERENCE,
    "regie.price.index": INDEXES,
    "regie.price.index.value": INDEXES,
    "regie.margin.report": {
        "read": table({MGR, ACC}, any_={LEAD}),
        "create": table(),
        "write": table(),
        "unlink": table(),
    },
}
# Wizards: created and confirmed by whoever may run the action they confirm.
WIZARDS = {
    "regie.contract.termination": ("contract", CONTRACT_WRITERS),
    "regie.timesheet.period.contest": ("submitted", CONTRACT_WRITERS),
    "regie.timesheet.dispute.answer": ("dispute", CONTRACT_WRITERS),
    "regie.timesheet.period.submit": ("draft", {CONS, LEAD, MGR}),
}
# Models added while this suite was written (close batches, vigilance
# documents): only the portal users and the public are tried on them so far,
# who have no access right on any régie model.
UNTARGETED = (
    "regie.close.batch",
    "regie.close.batch.line",
    "regie.vigilance.compliance",
    "regie.vigilance.document",
    "regie.vigilance.override",
    "regie.vigilance.reminder",
)
OPS = ("read", "search", "create", "write", "unlink")
# Destructive operations run last (the shared records stay for the others).
OP_ORDER = ("read", "search", "write", "create", "unlink")

# (model, method, target, args, allowed roles, run the allowed ones?)
# target: a key of world["targets"], or None for a model method.
# Allowed roles whose call would consume the shared records are not run.
READERS_OF = {
    "contract": CONTRACT_READERS,
    "mission": MISSION_READERS,
}
METHODS = [
    (
        "regie.contract",
        "action_activate",
        "contract_draft",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    ("regie.contract", "action_cancel", "contract_draft", (), CONTRACT_WRITERS, False),
    (
        "regie.contract",
        "action_load_clause_templates",
        "contract_draft",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    ("regie.contract", "action_terminate", "contract", (), CONTRACT_WRITERS, False),
    ("regie.contract", "action_renew", "contract", (), CONTRACT_WRITERS, False),
    ("regie.contract", "action_reset_to_draft", "contract", (), MANAGERS, False),
    (
        "regie.contract",
        "action_open_termination_wizard",
        "contract",
        (),
        CONTRACT_WRITERS,
        True,
    ),
    ("regie.contract", "action_view_missions", "contract", (), CONTRACT_READERS, True),
    ("regie.contract", "action_view_reviews", "contract", (), CONTRACT_READERS, True),
    ("regie.contract", "action_view_periods", "contract", (), CONTRACT_READERS, True),
    ("regie.contract", "action_view_disputes", "contract", (), CONTRACT_READERS, True),
    (
        "regie.contract",
        "action_view_timesheets",
        "contract",
        (),
        CONTRACT_READERS,
        True,
    ),
    ("regie.contract", "action_view_invoices", "contract", (), {ACC}, True),
    (
        "regie.contract",
        "action_view_months_to_invoice",
        "contract",
        (),
        {ACC},
        True,
    ),
    ("regie.contract", "action_override_budget", "contract", (), MANAGERS, False),
    (
        "regie.contract",
        "action_apply_price_revision",
        "contract",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    ("regie.mission", "action_start", "mission_draft", (), CONTRACT_WRITERS, False),
    ("regie.mission", "action_done", "mission", (), CONTRACT_WRITERS, False),
    ("regie.mission", "action_cancel", "mission", (), CONTRACT_WRITERS, False),
    # The TJM sold to the client: money readers only (issue 11 §8).
    ("regie.mission", "get_rate", "mission", ("2026-02-10",), MONEY_READERS, True),
    ("regie.mission", "action_view_periods", "mission", (), MISSION_READERS, True),
    ("regie.mission", "action_view_timesheets", "mission", (), MISSION_READERS, True),
    ("regie.mission", "action_view_invoices", "mission", (), {ACC}, True),
    (
        "regie.mission.deliverable",
        "action_deliver",
        "deliverable",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.mission.deliverable",
        "action_accept",
        "deliverable",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.mission.deliverable",
        "action_reject",
        "deliverable",
        ("adversarial",),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.mission.deliverable",
        "action_reset",
        "deliverable",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    ("regie.review", "action_done", "review", (), CONTRACT_WRITERS, False),
    ("regie.review", "action_cancel", "review", (), CONTRACT_WRITERS, False),
    (
        "regie.timesheet.period",
        "generate_periods",
        None,
        ("2026-06-01",),
        {LEAD, LEAD2, MGR},
        False,
    ),
    ("regie.timesheet.period", "action_submit", "draft", (), {CONS, LEAD, MGR}, False),
    (
        "regie.timesheet.period",
        "action_confirm_submit",
        "draft",
        (),
        {CONS, LEAD, MGR},
        False,
    ),
    (
        "regie.timesheet.period",
        "action_validate",
        "submitted",
        (),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.timesheet.period",
        "action_contest",
        "submitted",
        ("adversarial reason",),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.timesheet.period",
        "action_reset_to_draft",
        "validated",
        (),
        MANAGERS,
        False,
    ),
    # Invoicing is the accountants' job; a plain internal user is no
    # accountant (issue 11 §8).
    ("regie.timesheet.period", "action_create_invoice", "validated", (), {ACC}, False),
    ("regie.timesheet.period", "action_view_invoice", "invoiced", (), {ACC}, True),
    (
        "regie.timesheet.dispute",
        "action_accept",
        "dispute",
        ("adversarial",),
        CONTRACT_WRITERS,
        False,
    ),
    (
        "regie.timesheet.dispute",
        "action_reject",
        "dispute",
        ("adversarial",),
        CONTRACT_WRITERS,
        False,
    ),
    ("regie.price.index", "get_value", "price_index", ("2026-01-01",), INTERNAL, True),
    (
        "account.analytic.line",
        "action_regie_submit_months",
        "line",
        (),
        {CONS, LEAD, MGR},
        False,
    ),
]
# Buttons opening invoices: whoever may not see them gets a refusal or an
# action that names no invoice.
LENIENT_METHODS = {
    "action_view_invoices",
    "action_view_months_to_invoice",
    "action_view_invoice",
}

# Need-to-know (issue 11 §8): (target, model, field, readers).
MONEY_FIELDS = [
    ("contract", "regie.contract", "budget_amount", MONEY_READERS),
    ("contract", "regie.contract", "invoiced_amount", MONEY_READERS),
    ("contract", "regie.contract", "budget_consumed", MONEY_READERS),
    ("mission", "regie.mission", "daily_rate", MONEY_READERS),
    ("mission", "regie.mission", "current_rate", MONEY_READERS),
    ("mission", "regie.mission", "rate_ids", MONEY_READERS),
    ("rate", "regie.mission.rate", "daily_rate", MONEY_READERS),
    ("validated", "regie.timesheet.period", "amount_to_invoice", MONEY_READERS),
    ("invoiced", "regie.timesheet.period", "invoice_id", {ACC}),
]


def _matrix_params():
    params = []
    for op in OP_ORDER:
        for model, ops in EXPECTED.items():
            for role in ROLES:
                expected = ops["read"][role] if op == "search" else ops[op][role]
                params.append(
                    pytest.param(model, op, role, expected, id=f"{op}-{model}-{role}")
                )
    return params


def _method_params():
    params = []
    for model, method, target, args, allowed, run in METHODS:
        for role in ROLES:
            if role in allowed and not run:
                continue
            if role in allowed:
                expected = OK
            elif method.startswith("action_view_") and role != PUBLIC:
                expected = NODATA
            else:
                expected = DENY
            params.append(
                pytest.param(
                    model,
                    method,
                    target,
                    args,
                    role,
                    expected,
                    id=f"{model}.{method}-{role}",
                )
            )
    return params


def _wizard_params():
    return [
        pytest.param(model, role, id=f"{model}-{role}")
        for model, (_target, allowed) in WIZARDS.items()
        for role in ROLES
        if role not in allowed
    ]


def _money_params():
    params = []
    for target, model, field, readers in MONEY_FIELDS:
        for role in ROLES:
            expected = OK if role in readers else DENY
            # Invoice links are the accountants'; the amount still to invoice
            # is the managers' and accountants': a lead may or may not.
            if field == "invoice_id" and role in {LEAD, MGR}:
                expected = ANY
            if field == "amount_to_invoice" and role == LEAD:
                expected = ANY
            params.append(
                pytest.param(
                    target,
                    model,
                    field,
                    role,
                    expected,
                    id=f"{model}.{field}-{role}",
                )
            )
    return params


# ----------------------------------------------------------------------
# The world: two clients, two contracts, months in every state
# ----------------------------------------------------------------------


def _selection(admin, model, field):
    return admin.call(model, "fields_get", [field], attributes=["selection"])[field][
        "selection"
    ][0][0]


def build_world(admin, server, run_id, snap):
    """The adversaries' world, built once for the session (conftest's
    ``world`` fixture): shared by the access matrix and the paths
    (test_adversarial_paths.py, run after it)."""
    tag = f"adv{run_id}"
    groups = {
        CONS: ["base.group_user", "regie_staffing.group_consultant"],
        CONS2: ["base.group_user", "regie_staffing.group_consultant"],
        LEAD: ["base.group_user", "regie_staffing.group_lead"],
        LEAD2: ["base.group_user", "regie_staffing.group_lead"],
        MGR: ["base.group_user", "regie_staffing.group_manager"],
        ACC: ["base.group_user", "account.group_account_invoice"],
    }
    # Another change introduces a dedicated accountants' group: give it to the
    # accountant when the database has it.
    regie_accountant = admin.call(
        "ir.model.data",
        "search_read",
        [
            ("module", "=", "regie_staffing_invoicing"),
            ("name", "=", "group_regie_accountant"),
        ],
        fields=["res_id"],
    )
    group_ids = {
        role: [admin.ref(xmlid) for xmlid in xmlids] for role, xmlids in groups.items()
    }
    if regie_accountant:
        group_ids[ACC].append(regie_accountant[0]["res_id"])
    client_a, client_b = admin.call(
        "res.partner",
        "create",
        [
            {"name": f"Client A {tag}", "is_company": True},
            {"name": f"Client B {tag}", "is_company": True},
        ],
    )
    contact_a, contact_b = admin.call(
        "res.partner",
        "create",
        [
            {
                "name": f"Validator A {tag}",
                "parent_id": client_a,
                "email": f"validator.a.{tag}@example.com",
            },
            {
                "name": f"Validator B {tag}",
                "parent_id": client_b,
                "email": f"validator.b.{tag}@example.com",
            },
        ],
    )
    portal_group = admin.ref("base.group_portal")
    user_vals = []
    for role in ROLES[:-1]:
        login = f"{tag}_{role}"
        vals = {
            "name": f"{role} {tag}",
            "login": login,
            "password": login,
            "email": f"{login}@example.com",
        }
        if role in group_ids:
            vals["groups_id"] = [(6, 0, group_ids[role])]
        elif role in (PORTAL, PORTAL2):
            vals.update(
                partner_id=contact_a if role == PORTAL else contact_b,
                groups_id=[(6, 0, [portal_group])],
            )
        # USER: no groups_id, Odoo's default user template decides.
        user_vals.append(vals)
    users = dict(
        zip(ROLES[:-1], admin.call("res.users", "create", user_vals), strict=True)
    )
    employees = admin.call(
        "hr.employee",
        "create",
        [
            {"name": f"Consultant one {tag}", "user_id": users[CONS]},
            {"name": f"Consultant two {tag}", "user_id": users[CONS2]},
            {"name": f"Consultant B {tag}"},
        ]
        + [{"name": f"Spare {i} {tag}"} for i in range(len(ROLES) + 4)],
    )
    e1, e2, e3, *spares = employees

    def contract_vals(partner, contact, lead, missions):
        return {
            "partner_id": partner,
            "client_manager_id": contact,
            "project_lead_ids": [(6, 0, [lead])],
            "date_start": "2026-01-01",
            "hours_per_day": 8.0,
            "mission_ids": [
                (
                    0,
                    0,
                    {"employee_id": e, "daily_rate": rate, "date_start": "2026-01-01"},
                )
                for e, rate in missions
            ],
        }

    contract_a, contract_b, contract_draft = admin.call(
        "regie.contract",
        "create",
        [
            contract_vals(client_a, contact_a, users[LEAD], [(e1, 600.0), (e2, 650.0)]),
            contract_vals(client_b, contact_b, users[LEAD2], [(e3, 700.0)]),
            contract_vals(client_a, contact_a, users[LEAD], [(spares[0], 550.0)]),
        ],
    )
    admin.call("regie.contract", "action_activate", [contract_a, contract_b])
    contracts = {
        c["id"]: c
        for c in admin.call(
            "regie.contract",
            "read",
            [contract_a, contract_b, contract_draft],
            ["project_id", "mission_ids"],
        )
    }
    missions = {
        m["employee_id"][0]: m["id"]
        for m in admin.call(
            "regie.mission",
            "search_read",
            [("contract_id", "in", [contract_a, contract_b, contract_draft])],
            fields=["employee_id"],
        )
    }
    project_a = contracts[contract_a]["project_id"][0]
    project_b = contracts[contract_b]["project_id"][0]

    def lines(project, employee, month, days):
        return [
            {
                "project_id": project,
                "employee_id": employee,
                "date": f"2026-{month:02d}-{day:02d}",
                "unit_amount": 8.0,
                "name": f"Work {tag}",
            }
            for day in days
        ]

    admin.call(
        "account.analytic.line",
        "create",
        lines(project_a, e1, 2, (2, 3, 4, 5))
        + lines(project_a, e1, 3, (2, 3, 4))
        + lines(project_a, e1, 4, (1, 2))
        + lines(project_a, e1, 5, (4, 5))
        + lines(project_a, e2, 2, (2, 3, 4))
        + lines(project_b, e3, 2, (2, 3, 4, 5, 6)),
    )

    def month(employee, number):
        return admin.call(
            "regie.timesheet.period",
            "search",
            [
                ("mission_id", "=", missions[employee]),
                ("date_from", "=", f"2026-{number:02d}-01"),
            ],
        )[0]

    months = {
        "validated": month(e1, 2),
        "submitted": month(e1, 3),
        "draft": month(e1, 4),
        "contested": month(e1, 5),
        "invoiced": month(e2, 2),
        "other_validated": month(e3, 2),
    }
    admin.call(
        "regie.timesheet.period",
        "action_submit",
        [
            months["validated"],
            months["submitted"],
            months["contested"],
            months["invoiced"],
            months["other_validated"],
        ],
    )
    server_url, db = server
    clients = {
        role: UserClient(server_url, db, uid, f"{tag}_{role}", f"{tag}_{role}")
        for role, uid in users.items()
    }
    clients[PUBLIC] = PublicClient(server_url, db, admin.ref("base.public_user"))
    lead, lead2 = clients[LEAD], clients[LEAD2]
    lead.call(
        "regie.timesheet.period",
        "action_validate",
        [months["validated"], months["invoiced"]],
    )
    lead2.call("regie.timesheet.period", "action_validate", [months["other_validated"]])
    lead.call(
        "regie.timesheet.period",
        "action_contest",
        [months["contested"]],
        "Adversarial: day 4 was off",
    )
    admin.call("regie.timesheet.period", "action_create_invoice", [months["invoiced"]])
    dispute = admin.call(
        "regie.timesheet.dispute", "search", [("period_id", "=", months["contested"])]
    )[0]
    admin.call("regie.contract", "action_load_clause_templates", [contract_a])
    clause = admin.call(
        "regie.contract.clause", "search", [("contract_id", "=", contract_a)], limit=1
    )[0]
    kpi = admin.call(
        "regie.contract.kpi",
        "create",
        {"contract_id": contract_a, "name": f"KPI {tag}", "target": 95.0},
    )
    review = admin.call(
        "regie.review",
        "create",
        {
            "contract_id": contract_a,
            "review_type": "operational",
            "date": "2026-12-15",
        },
    )
    kpi_value = admin.call(
        "regie.review.kpi.value",
        "create",
        {"review_id": review, "kpi_id": kpi, "value": 90.0},
    )
    rate = admin.call(
        "regie.mission.rate",
        "create",
        {"mission_id": missions[e1], "date_from": "2026-12-01", "daily_rate": 620.0},
    )
    deliverable = admin.call(
        "regie.mission.deliverable",
        "create",
        {"mission_id": missions[e1], "name": f"Deliverable {tag}"},
    )
    category = _selection(admin, "regie.clause.template", "category")
    tool_category = _selection(admin, "regie.collaboration.tool", "category")
    template, tool, activity, index = (
        admin.call(
            "regie.clause.template",
            "create",
            {"name": f"Template {tag}", "category": category},
        ),
        admin.call(
            "regie.collaboration.tool",
            "create",
            {"name": f"Tool {tag}", "category": tool_category},
        ),
        admin.call(
            "regie.activity.type",
            "create",
            {"name": f"On call {tag}", "unit": "hour", "multiplier": 1.5},
        ),
        admin.call("regie.price.index", "create", {"name": f"Index {tag}"}),
    )
    index_value = admin.call(
        "regie.price.index.value",
        "create",
        {"index_id": index, "date": "2025-12-01", "value": 100.0},
    )
    margin = admin.call(
        "regie.margin.report", "search", [("contract_id", "=", contract_a)], limit=1
    )
    draft_line = admin.call(
        "account.analytic.line",
        "search",
        [("regie_period_id", "=", months["draft"])],
        limit=1,
    )[0]
    # A draft mission on the draft contract, for action_start.
    mission_draft = missions[spares[0]]
    targets = {
        "contract": contract_a,
        "contract_draft": contract_draft,
        "contract_b": contract_b,
        "mission": missions[e1],
        "mission_draft": mission_draft,
        "rate": rate,
        "deliverable": deliverable,
        "review": review,
        "kpi": kpi,
        "kpi_value": kpi_value,
        "clause": clause,
        "dispute": dispute,
        "template": template,
        "tool": tool,
        "activity": activity,
        "price_index": index,
        "index_value": index_value,
        "margin": margin[0] if margin else None,
        "line": draft_line,
        **months,
    }
    return {
        "tag": tag,
        # What a caller who may not read contract A must never be shown.
        "secrets": [
            f"Client A {tag}",
            f"Consultant one {tag}",
            admin.call("regie.contract", "read", [contract_a], ["name"])[0]["name"],
        ],
        "users": users,
        "clients": clients,
        "targets": targets,
        "client_a": client_a,
        "client_b": client_b,
        "contact_a": contact_a,
        "employees": {"e1": e1, "e2": e2, "e3": e3, "spares": spares},
        "missions": missions,
        "projects": {"a": project_a, "b": project_b},
        "category": category,
        "tool_category": tool_category,
        "snapshot": snap,
        "state": {"snapshot": None, "spare": 0, "month": 0},
    }


# The record each model's read / search / write / refused unlink aims at.
MODEL_TARGET = {
    "regie.contract": "contract",
    "regie.contract.clause": "clause",
    "regie.contract.kpi": "kpi",
    "regie.review": "review",
    "regie.review.kpi.value": "kpi_value",
    "regie.mission": "mission",
    "regie.mission.rate": "rate",
    "regie.mission.deliverable": "deliverable",
    "regie.timesheet.period": "validated",
    "regie.timesheet.dispute": "dispute",
    "regie.clause.template": "template",
    "regie.collaboration.tool": "tool",
    "regie.activity.type": "activity",
    "regie.price.index": "price_index",
    "regie.price.index.value": "index_value",
    "regie.margin.report": "margin",
}
# A harmless change per model (for the period and the dispute, a forged token
# and a rewritten client statement: refused to everyone).
WRITE_VALUES = {
    "regie.contract": {"escalation_process": "adversarial"},
    "regie.contract.clause": {"body": "<p>adversarial</p>"},
    "regie.contract.kpi": {"uom_label": "adv"},
    "regie.review": {"decisions": "<p>adversarial</p>"},
    "regie.review.kpi.value": {"value": 91.0},
    "regie.mission": {"expected_tasks": "<p>adversarial</p>"},
    "regie.mission.rate": {"daily_rate": 621.0},
    "regie.mission.deliverable": {"description": "adversarial"},
    "regie.timesheet.period": {"access_token": "forged-token"},
    "regie.timesheet.dispute": {"reason": "Rewritten by someone else"},
    "regie.clause.template": {"body": "<p>adversarial</p>"},
    "regie.collaboration.tool": {"website": "https://example.com"},
    "regie.activity.type": {"code": "ADV"},
    "regie.price.index": {"name": "Index renamed"},
    "regie.price.index.value": {"value": 101.0},
    "regie.margin.report": {"days": 1.0},
}


def _next(world, key):
    world["state"][key] += 1
    return world["state"][key]


def create_values(world, model):
    """Values of a new record of ``model`` in contract A's scope, unique for
    each call."""
    t, tag = world["targets"], world["tag"]
    n = _next(world, "spare")
    if model == "regie.contract":
        return {"partner_id": world["client_a"], "date_start": "2026-01-01"}
    if model == "regie.contract.clause":
        return {"contract_id": t["contract"], "name": f"Clause {n} {tag}"}
    if model == "regie.contract.kpi":
        return {"contract_id": t["contract"], "name": f"KPI {n} {tag}", "target": 1.0}
    if model == "regie.review":
        return {
            "contract_id": t["contract"],
            "review_type": "operational",
            "date": f"2027-{n % 12 + 1:02d}-10",
        }
    if model == "regie.review.kpi.value":
        return {"review_id": t["review"], "kpi_id": t["kpi"], "value": float(n)}
    if model == "regie.mission":
        return {
            "contract_id": t["contract"],
            "employee_id": world["employees"]["spares"][n % 12 + 1],
            "daily_rate": 500.0,
            "date_start": "2026-01-01",
        }
    if model == "regie.mission.rate":
        return {
            "mission_id": t["mission"],
            "date_from": f"{2027 + n // 12}-{n % 12 + 1:02d}-01",
            "daily_rate": 630.0,
        }
    if model == "regie.mission.deliverable":
        return {"mission_id": t["mission"], "name": f"Deliverable {n} {tag}"}
    if model == "regie.timesheet.period":
        m = _next(world, "month")
        return {
            "mission_id": t["mission"],
            "date_from": f"{2027 + m // 12}-{m % 12 + 1:02d}-01",
        }
    if model == "regie.timesheet.dispute":
        return {"period_id": t["submitted"], "reason": "Forged dispute"}
    if model == "regie.clause.template":
        return {"name": f"Template {n} {tag}", "category": world["category"]}
    if model == "regie.collaboration.tool":
        return {"name": f"Tool {n} {tag}", "category": world["tool_category"]}
    if model == "regie.activity.type":
        return {"name": f"Type {n} {tag}", "unit": "hour", "multiplier": 1.0}
    if model == "regie.price.index":
        return {"name": f"Index {n} {tag}"}
    if model == "regie.price.index.value":
        return {
            "index_id": t["price_index"],
            "date": f"{2030 + n}-01-01",
            "value": 100.0 + n,
        }
    return {"contract_id": t["contract"], "days": 1.0}


def disposable(admin, world, model):
    """A fresh record (created as admin) for an allowed unlink."""
    vals = create_values(world, model)
    if model == "regie.contract":
        vals["project_lead_ids"] = [(6, 0, [world["users"][LEAD]])]
    return admin.call(model, "create", vals)


# ----------------------------------------------------------------------
# The attempt: before/after snapshot and a readable refusal
# ----------------------------------------------------------------------


def attempt(world, tally, category, role, expected, call, label):
    """Run ``call()`` as ``role`` and check the outcome against ``expected``:
    a refusal must be readable and leave the database snapshot as it was;
    an allowed call must succeed."""
    state = world["state"]
    # The previous attempt's "after" is this one's "before".
    before = state["snapshot"] or world["snapshot"]()
    try:
        result, error = call(), None
    except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError) as exc:
        result, error = None, exc
    after = world["snapshot"]()
    state["snapshot"] = after
    outcome = "allowed" if error is None else classify(error)
    tally(category, f"{role}: {outcome}")
    if error is not None and outcome == "raw":
        pytest.fail(
            f"{label} as {role}: raw error instead of a refusal: {describe(error)}"
        )
    if expected == OK:
        assert error is None, f"{label} as {role} should be allowed: {describe(error)}"
        return result
    if expected == DENY:
        assert error is not None, (
            f"{label} as {role} should be refused, got {result!r}"[:600]
        )
    if error is not None:
        assert after == before, (
            f"{label} as {role} was refused but changed the database: "
            f"{changes(before, after)}"
        )
    return result


@pytest.fixture(scope="module")
def models_checked(admin):
    return regie_models(admin)


def test_every_regie_model_has_expectations(models_checked):
    """The matrix covers every régie model installed (read from ir.model)."""
    missing = set(models_checked) - set(EXPECTED) - set(WIZARDS) - set(UNTARGETED)
    assert not missing, f"régie models without access expectations: {sorted(missing)}"


@pytest.mark.parametrize("role", [PORTAL, PORTAL2, PUBLIC])
@pytest.mark.parametrize("op", ["search", "create", "write", "unlink"])
@pytest.mark.parametrize("model", UNTARGETED)
def test_untargeted_models(admin, world, tally, models_checked, model, op, role):
    """Portal users and the public reach no régie model over XML-RPC."""
    if model not in models_checked:
        return  # not (or no longer) installed: nothing to try
    client = world["clients"][role]
    records = admin.call(model, "search", [], limit=1) or [0]
    calls = {
        "search": lambda: client.call(model, "search_count", []),
        "create": lambda: client.call(model, "create", {}),
        "write": lambda: client.call(model, "write", records, {}),
        "unlink": lambda: client.call(model, "unlink", records),
    }
    attempt(world, tally, f"crud {op}", role, DENY, calls[op], f"{model}.{op}")


@pytest.mark.parametrize(("model", "op", "role", "expected"), _matrix_params())
def test_crud_matrix(admin, world, tally, model, op, role, expected):
    client = world["clients"][role]
    target = world["targets"][MODEL_TARGET[model]]
    if target is None:
        pytest.fail(f"no {model} record to aim at")
    label = f"{model}.{op}([{target}])"
    category = f"crud {op}"

    if op == "read":
        result = attempt(
            world,
            tally,
            category,
            role,
            expected,
            lambda: client.call(model, "read", [target]),
            label,
        )
        if expected == OK:
            assert result and result[0]["id"] == target
    elif op == "search":
        # A rule hides the record (count 0) or the ACL refuses the search.
        result = attempt(
            world,
            tally,
            category,
            role,
            ANY,
            lambda: client.call(model, "search_count", [("id", "=", target)]),
            label,
        )
        if expected == OK:
            assert result == 1, f"{label} as {role}: the record should be found"
        elif expected == DENY and result is not None:
            assert result == 0, f"{label} as {role}: the record should be hidden"
    elif op == "create":
        vals = create_values(world, model)
        if model == "regie.contract" and role in (LEAD, LEAD2):
            vals["project_lead_ids"] = [(6, 0, [world["users"][role]])]
        attempt(
            world,
            tally,
            category,
            role,
            expected,
            lambda: client.call(model, "create", vals),
            f"{model}.create({vals})",
        )
    elif op == "write":
        attempt(
            world,
            tally,
            category,
            role,
            expected,
            lambda: client.call(model, "write", [target], WRITE_VALUES[model]),
            f"{model}.write([{target}], {WRITE_VALUES[model]})",
        )
    else:
        if expected in (OK, ANY):
            target = disposable(admin, world, model)
            world["state"]["snapshot"] = None
        attempt(
            world,
            tally,
            category,
            role,
            expected,
            lambda: client.call(model, "unlink", [target]),
            f"{model}.unlink([{target}])",
        )


@pytest.mark.parametrize(
    ("model", "method", "target", "args", "role", "expected"), _method_params()
)
def test_public_methods(
    admin, world, tally, model, method, target, args, role, expected
):
    client = world["clients"][role]
    if target is None:
        call_args = list(args)
    else:
        call_args = [[world["targets"][target]], *args]
    result = attempt(
        world,
        tally,
        "public methods",
        role,
        expected,
        lambda: client.call(model, method, *call_args),
        f"{model}.{method}({call_args})",
    )
    if expected == NODATA and result is not None:
        shown = repr(result)
        if method in LENIENT_METHODS:
            assert not (isinstance(result, dict) and result.get("res_id")), (
                f"{model}.{method}({call_args}) as {role} names an invoice: {result}"
            )
        for secret in world["secrets"]:
            assert secret not in shown, (
                f"{model}.{method}({call_args}) as {role} shows {secret!r}"
            )


@pytest.mark.parametrize(("model", "role"), _wizard_params())
def test_wizards(admin, world, tally, model, role):
    """Whoever may not run the action is refused the wizard's creation or its
    confirmation."""
    client = world["clients"][role]
    t = world["targets"]
    vals = {
        "regie.contract.termination": {"contract_id": t["contract"]},
        "regie.timesheet.period.contest": {
            "period_id": t["submitted"],
            "reason": "adversarial",
        },
        "regie.timesheet.dispute.answer": {
            "dispute_id": t["dispute"],
            "decision": "reject",
            "resolution": "adversarial",
        },
        "regie.timesheet.period.submit": {"period_ids": [(6, 0, [t["draft"]])]},
    }[model]

    def create_and_confirm():
        wizard = client.call(model, "create", vals)
        return client.call(model, "action_confirm", [wizard])

    attempt(
        world,
        tally,
        "wizards",
        role,
        DENY,
        create_and_confirm,
        f"{model}.create({vals}) + action_confirm",
    )


@pytest.mark.parametrize(
    ("target", "model", "field", "role", "expected"), _money_params()
)
def test_need_to_know_money(admin, world, tally, target, model, field, role, expected):
    """Sell rates, budgets, invoiced amounts: leads, managers and accountants
    only (issue 11 §8); a consultant reads his days, never the TJM."""
    client = world["clients"][role]
    record = world["targets"][target]
    attempt(
        world,
        tally,
        "need-to-know fields",
        role,
        expected,
        lambda: client.call(model, "read", [record], [field]),
        f"{model}.read([{record}], ['{field}'])",
    )


MONEY_QUERIES = [
    ("regie.mission", "search", "daily_rate"),
    ("regie.contract", "search", "budget_amount"),
    ("regie.mission", "read_group", "daily_rate"),
    ("regie.contract", "read_group", "budget_amount"),
]


@pytest.mark.parametrize("role", [CONS, CONS2, USER])
@pytest.mark.parametrize(
    ("model", "method", "field"),
    MONEY_QUERIES,
    ids=[f"{m}.{op}.{f}" for m, op, f in MONEY_QUERIES],
)
def test_need_to_know_search_and_group(admin, world, tally, model, method, field, role):
    """Searching or grouping on a money field does not reveal it either."""
    client = world["clients"][role]
    if method == "search":
        args, label = ([(field, ">", 0)],), f"{model}.search([('{field}', '>', 0)])"
    else:
        args, label = (
            ([], [f"{field}:sum"], []),
            f"{model}.read_group([], ['{field}:sum'], [])",
        )
    attempt(
        world,
        tally,
        "need-to-know fields",
        role,
        DENY,
        lambda: client.call(model, method, *args),
        label,
    )


# ----------------------------------------------------------------------
# HTTP: portal pages, tokens, CSRF, the public visitor
# ----------------------------------------------------------------------


def http_session(server, login=None):
    """A browser session bound to the test database, logged in when a login
    is given (the password is the login)."""
    url, db = server
    session = requests.Session()
    page = session.get(f"{url}/web/login", params={"db": db}, timeout=30)
    if login:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{url}/web/login",
            data={"login": login, "password": login, "csrf_token": csrf, "db": db},
            timeout=30,
        )
        assert response.ok and "/web/login" not in response.url, (
            f"portal login {login} failed"
        )
    return session


def build_http(server, world):
    """Browser sessions of the portal contacts and the public (conftest's
    ``http`` fixture)."""
    tag = world["tag"]
    return {
        PORTAL: http_session(server, f"{tag}_{PORTAL}"),
        PORTAL2: http_session(server, f"{tag}_{PORTAL2}"),
        PUBLIC: http_session(server),
    }


def http_attempt(world, tally, role, expected, request, label, marker, rpc=False):
    """An HTTP request that must not show ``marker`` (a name only the target
    month's page shows) when refused, nor change the database."""
    before = world["state"]["snapshot"] or world["snapshot"]()
    response = request()
    after = world["snapshot"]()
    world["state"]["snapshot"] = after
    allowed = response.status_code == 200 and marker in response.text
    tally("http", f"{role}: {'allowed' if allowed else 'refused'}")
    if rpc:
        # JSON-RPC errors always carry Odoo's debug traceback: the error's
        # class must be one of Odoo's refusals instead.
        error = response.json().get("error", {})
        if error:
            assert (
                error.get("data", {})
                .get("name", "")
                .startswith(("odoo.exceptions.", "odoo.http.SessionExpiredException"))
            ), f"{label} as {role}: raw error {error.get('data', {}).get('name')}"
    else:
        assert "Traceback" not in response.text, f"{label} as {role}: a traceback"
    if expected == OK:
        assert allowed, (
            f"{label} as {role} should show the page ({response.status_code})"
        )
    else:
        assert not allowed, f"{label} as {role} showed what it should not"
        assert response.status_code in (200, 303, 400, 403, 404, 429), (
            f"{label} as {role}: status {response.status_code}"
        )
        assert after == before, (
            f"{label} as {role} changed the database: {changes(before, after)}"
        )
    return response


def month_token(admin, period):
    return admin.call("regie.timesheet.period", "read", [period], ["access_token"])[0][
        "access_token"
    ]


HTTP_PAGES = [
    # (role, page, month key, token kind, expected)
    (PORTAL, "", "submitted", None, OK),
    (PORTAL, "/pdf", "submitted", None, OK),
    (PORTAL, "", "draft", None, DENY),
    (PORTAL, "", "other_validated", None, DENY),
    (PORTAL, "/pdf", "other_validated", None, DENY),
    (PORTAL2, "", "submitted", None, DENY),
    (PORTAL2, "", "validated", None, DENY),
    (PORTAL2, "/pdf", "validated", None, DENY),
    (PORTAL2, "", "submitted", "forged", DENY),
    (PORTAL2, "", "submitted", "other", DENY),
    (PUBLIC, "", "submitted", None, DENY),
    (PUBLIC, "/pdf", "submitted", None, DENY),
    (PUBLIC, "", "submitted", "forged", DENY),
    (PUBLIC, "/pdf", "submitted", "forged", DENY),
    (PUBLIC, "", "submitted", "other", DENY),
    (PUBLIC, "", "submitted", "empty", DENY),
    (PUBLIC, "", "draft", "own", DENY),
    (PUBLIC, "", "submitted", "own", OK),
]


@pytest.mark.parametrize(
    ("role", "page", "month", "token", "expected"),
    HTTP_PAGES,
    ids=[f"{r}-{m}{p or '/'}-{t or 'session'}" for r, p, m, t, _e in HTTP_PAGES],
)
def test_portal_month_pages(
    admin, server, world, http, tally, role, page, month, token, expected
):
    url, _db = server
    period = world["targets"][month]
    params = {}
    if token == "forged":
        params["access_token"] = uuid.uuid4().hex
    elif token == "other":
        params["access_token"] = month_token(admin, world["targets"]["other_validated"])
    elif token == "empty":
        params["access_token"] = ""
    elif token == "own":
        params["access_token"] = month_token(admin, period)
    # What only the month's own page shows: its consultant's name (the PDF
    # is checked by its content type instead).
    marker = "Consultant one" if month != "other_validated" else "Consultant B"
    session = http[role]

    def request():
        response = session.get(
            f"{url}/my/regie/months/{period}{page}", params=params, timeout=60
        )
        if page == "/pdf" and response.headers.get("Content-Type", "").startswith(
            "application/pdf"
        ):
            response._content = marker.encode() + response.content
        return response

    http_attempt(
        world,
        tally,
        role,
        expected,
        request,
        f"GET /my/regie/months/{period}{page}",
        marker,
    )


@pytest.mark.parametrize("role", [PORTAL, PORTAL2, PUBLIC])
def test_portal_contract_of_another_client(admin, server, world, http, tally, role):
    url, _db = server
    contract = world["targets"]["contract_b"]
    http_attempt(
        world,
        tally,
        role,
        OK if role == PORTAL2 else DENY,
        lambda: http[role].get(f"{url}/my/regie/contracts/{contract}", timeout=60),
        f"GET /my/regie/contracts/{contract}",
        "Consultant B",
    )


@pytest.mark.parametrize("role", [PORTAL2, PUBLIC])
def test_portal_lists_hide_other_clients(admin, server, world, http, tally, role):
    url, _db = server
    for path in ("/my/regie/months", "/my/regie/contracts"):
        http_attempt(
            world,
            tally,
            role,
            DENY,
            lambda path=path: http[role].get(f"{url}{path}", timeout=60),
            f"GET {path}",
            "Consultant one",
        )


CSRF_POSTS = [
    (PORTAL, "contest", {"reason": "no csrf"}),
    (PORTAL, "send_code", {}),
    (PORTAL, "verify_code", {"code": "123456"}),
    (PUBLIC, "contest", {"reason": "no csrf"}),
    (PUBLIC, "send_code", {}),
    (PUBLIC, "verify_code", {"code": "123456"}),
]


@pytest.mark.parametrize(
    ("role", "action", "data"),
    CSRF_POSTS,
    ids=[f"{r}-{a}" for r, a, _d in CSRF_POSTS],
)
def test_portal_posts_without_csrf_token(
    admin, server, world, http, tally, role, action, data
):
    """Form posts without the CSRF token are refused and change nothing (the
    month stays submitted, no dispute, no code mailed)."""
    url, _db = server
    period = world["targets"]["submitted"]
    params = {"access_token": month_token(admin, period)} if role == PUBLIC else {}
    mails = admin.call("mail.mail", "search_count", [])
    http_attempt(
        world,
        tally,
        role,
        DENY,
        lambda: http[role].post(
            f"{url}/my/regie/months/{period}/{action}",
            params=params,
            data=data,
            allow_redirects=False,
            timeout=60,
        ),
        f"POST /my/regie/months/{period}/{action} without csrf_token",
        "Month contested",
    )
    state = admin.call("regie.timesheet.period", "read", [period], ["state"])[0]
    assert state["state"] == "submitted"
    assert admin.call("mail.mail", "search_count", []) == mails


SIGNATURES = [
    (PORTAL2, "own", "iVBORw0KGgo=", "not the validator's month"),
    (PUBLIC, "forged", "iVBORw0KGgo=", "forged token"),
    (PUBLIC, "own", "iVBORw0KGgo=", "token without the one-time code"),
    (PORTAL, None, "PHN2Zz48L3N2Zz4=", "not an image"),
    (PORTAL, None, "not base64 at all", "not base64"),
    (PORTAL, None, "iVBORw0KGgo" + "A" * 900_000, "too large"),
]


@pytest.mark.parametrize(
    ("role", "token", "signature", "why"),
    SIGNATURES,
    ids=[f"{r}-{w.replace(' ', '_')}" for r, _t, _s, w in SIGNATURES],
)
def test_portal_signature_refused(
    admin, server, world, http, tally, role, token, signature, why
):
    """The signing route (JSON) refuses whoever is not the proven validator
    and anything that is not a reasonable PNG or JPEG image."""
    url, _db = server
    period = world["targets"]["submitted"]
    params = {}
    if token == "own":
        params["access_token"] = month_token(admin, period)
    elif token == "forged":
        params["access_token"] = uuid.uuid4().hex

    def request():
        return http[role].post(
            f"{url}/my/regie/months/{period}/accept",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {**params, "name": "Mallory", "signature": signature},
            },
            timeout=60,
        )

    response = http_attempt(
        world,
        tally,
        role,
        DENY,
        request,
        f"POST /my/regie/months/{period}/accept ({why})",
        '"redirect_url"',
        rpc=True,
    )
    body = response.json()
    assert "error" in body or "error" in body.get("result", {}), body
    state = admin.call("regie.timesheet.period", "read", [period], ["state"])[0]
    assert state["state"] == "submitted"


@pytest.mark.parametrize("role", [PORTAL, PORTAL2, PUBLIC])
@pytest.mark.parametrize(
    ("model", "method", "args"),
    [
        ("regie.timesheet.period", "search_read", [[]]),
        ("regie.contract", "search_read", [[]]),
        ("regie.mission", "get_rate", "mission"),
    ],
)
def test_json_rpc_from_the_browser(
    admin, server, world, http, tally, role, model, method, args
):
    """/web/dataset/call_kw with a portal or public session is refused."""
    url, _db = server
    if args == "mission":
        args = [[world["targets"]["mission"]], "2026-02-10"]

    def request():
        return http[role].post(
            f"{url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": {},
                },
            },
            timeout=60,
        )

    response = http_attempt(
        world,
        tally,
        role,
        DENY,
        request,
        f"call_kw {model}.{method}",
        '"result"',
        rpc=True,
    )
    error = response.json().get("error", {})
    assert (
        error.get("data", {})
        .get("name", "")
        .startswith(
            ("odoo.exceptions.AccessError", "odoo.http.SessionExpiredException")
        )
    ), error
