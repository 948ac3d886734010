"""Adversarial paths of issue 11 over XML-RPC and HTTP, each tried as the
hostile or clumsy user would: project hijack (1), validated months changing
hands (2), foreign validator (3), one-time code guessing (4), who logs time for
whom (5), external references reused (6), disputes rewritten (7), health data
(9), signatures (10), bad input (11), two companies (12), and the role tables
of the models added since the access matrix (close batches, vigilance
documents and their override wizard).

Every attempt compares the database before and after (counts, latest writes,
the validated months' totals) and requires a readable refusal: an Odoo
UserError / ValidationError / AccessError message, never a traceback or a
PostgreSQL error. The attempt counts per path go to
.run/adversarial-summary.txt (see conftest.py).
"""

import base64
import io
import re
import xmlrpc.client

import psycopg2
import pytest
from adversarial import UserClient, changes, classify, describe, regie_models
from PyPDF2 import PdfReader
from test_adversarial_access import (
    ACC,
    CONS,
    CONS2,
    LEAD,
    LEAD2,
    MGR,
    PORTAL,
    PORTAL2,
    PUBLIC,
    ROLES,
    USER,
    http_session,
    month_token,
)

P1 = "path 01 project hijack"
P2 = "path 02 validated months change hands"
P3 = "path 03 foreign validator"
P4 = "path 04 one-time code"
P5 = "path 05 who logs time for whom"
P6 = "path 06 external references"
P7 = "path 07 disputes"
P9 = "path 09 health data"
P10 = "path 10 signatures"
P11 = "path 11 bad input"
P12 = "path 12 multi-company"
NEW_MODELS = "access matrix: newer models"


# ----------------------------------------------------------------------
# The attempt
# ----------------------------------------------------------------------


def _state(world):  # pylint: disable=redefined-outer-name
    return world["state"]


def core(snapshot):
    """Counts and the months' totals only (no latest write dates): for
    attempts whose refusal is itself recorded (wrong codes counted)."""
    return {
        key: value if key.startswith(("month ", "billed")) else value[0]
        for key, value in snapshot.items()
    }


def refuse(
    world,  # pylint: disable=redefined-outer-name
    tally,
    category,
    role,
    call,
    label,
    match=None,
    hide=(),
    compare=None,
):
    """``call()`` as ``role`` must be refused with a readable message
    (matching ``match``, showing none of ``hide``) and leave the database
    as it was. Returns the message."""
    before = _state(world)["snapshot"] or world["snapshot"]()
    try:
        result, error = call(), None
    except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError) as exc:
        result, error = None, exc
    after = world["snapshot"]()
    _state(world)["snapshot"] = after
    outcome = "allowed" if error is None else classify(error)
    tally(category, f"{role}: {outcome}")
    assert error is not None, f"{label} as {role} should be refused, got {result!r}"[
        :600
    ]
    assert outcome == "readable", (
        f"{label} as {role}: raw error instead of a refusal: {describe(error)}"
    )
    compare = compare or (lambda snapshot: snapshot)
    assert compare(after) == compare(before), (
        f"{label} as {role} was refused but changed the database: "
        f"{changes(before, after)}"
    )
    message = error.faultString
    if match:
        assert re.search(match, message), f"{label} as {role}: {message[:600]}"
    for secret in hide:
        assert secret not in message, f"{label} as {role} shows {secret!r}: {message}"
    return message


def allow(world, tally, category, role, call, label):  # pylint: disable=redefined-outer-name
    """A step the path needs, allowed to ``role`` (counted, then the
    snapshot taken again)."""
    try:
        result = call()
    except xmlrpc.client.Fault as error:
        tally(category, f"{role}: {classify(error)}")
        pytest.fail(f"{label} as {role} should be allowed: {describe(error)}")
    tally(category, f"{role}: allowed")
    _state(world)["snapshot"] = None
    return result


def changed(world):  # pylint: disable=redefined-outer-name
    """The database changed on purpose (admin set-up): snapshot again."""
    _state(world)["snapshot"] = None


def as_(world, role):  # pylint: disable=redefined-outer-name
    return world["clients"][role]


def contract_name(admin, contract):
    return admin.call("regie.contract", "read", [contract], ["name"])[0]["name"]


# ----------------------------------------------------------------------
# 1. Project hijack
# ----------------------------------------------------------------------


def test_project_hijack(admin, world, tally):  # pylint: disable=redefined-outer-name
    """A project belongs to one contract: neither a lead of another contract
    nor a manager moves it to another contract, at creation or by a write;
    the refusal names the contract owning the project."""
    t, projects = world["targets"], world["projects"]
    name_a = contract_name(admin, t["contract"])
    name_b = contract_name(admin, t["contract_b"])
    users = world["users"]
    for role in (LEAD2, MGR):
        vals = {
            "partner_id": world["client_b"],
            "date_start": "2026-01-01",
            "project_id": projects["a"],
            "project_lead_ids": [(6, 0, [users[role]])],
        }
        refuse(
            world,
            tally,
            P1,
            role,
            lambda vals=vals, role=role: as_(world, role).call(
                "regie.contract", "create", vals
            ),
            "regie.contract.create(project_id=contract A's project)",
            match=re.escape(name_a),
        )
        refuse(
            world,
            tally,
            P1,
            role,
            lambda role=role: as_(world, role).call(
                "regie.contract",
                "write",
                [t["contract_b"]],
                {"project_id": projects["a"]},
            ),
            "contract B.write(project_id=contract A's project)",
            match=re.escape(name_a),
        )
    # The lead of contract A takes contract B's project for his draft contract.
    for role in (LEAD, MGR):
        refuse(
            world,
            tally,
            P1,
            role,
            lambda role=role: as_(world, role).call(
                "regie.contract",
                "write",
                [t["contract_draft"]],
                {"project_id": projects["b"]},
            ),
            "draft contract.write(project_id=contract B's project)",
            match=re.escape(name_b),
        )
    # Through the project: its contract link is not the lead's to set.
    for role in (LEAD2, LEAD):
        refuse(
            world,
            tally,
            P1,
            role,
            lambda role=role: as_(world, role).call(
                "project.project",
                "write",
                [projects["a"] if role == LEAD2 else projects["b"]],
                {
                    "regie_contract_id": t["contract_b"]
                    if role == LEAD2
                    else t["contract"]
                },
            ),
            "project.write(regie_contract_id=another contract)",
        )
    for project, contract in (
        (projects["a"], t["contract"]),
        (projects["b"], t["contract_b"]),
    ):
        linked = admin.call("project.project", "read", [project], ["regie_contract_id"])
        assert linked[0]["regie_contract_id"][0] == contract


# ----------------------------------------------------------------------
# 2. Validated months change hands
# ----------------------------------------------------------------------


def test_validated_months_change_hands(admin, world, tally):  # pylint: disable=redefined-outer-name
    """The client of a contract, the consultant and the contract of a
    mission are frozen once months are submitted: nobody moves validated or
    invoiced months to another client or consultant."""
    t, e = world["targets"], world["employees"]
    missions = world["missions"]
    cases = [
        ("regie.contract", t["contract"], {"partner_id": world["client_b"]}),
        ("regie.mission", missions[e["e1"]], {"employee_id": e["spares"][-1]}),
        ("regie.mission", missions[e["e1"]], {"contract_id": t["contract_draft"]}),
        # The mission of the invoiced month.
        ("regie.mission", missions[e["e2"]], {"employee_id": e["spares"][-2]}),
        ("regie.mission", missions[e["e2"]], {"contract_id": t["contract_b"]}),
    ]
    for role in (LEAD, MGR):
        for model, record, vals in cases:
            refuse(
                world,
                tally,
                P2,
                role,
                lambda model=model, record=record, vals=vals, role=role: as_(
                    world, role
                ).call(model, "write", [record], vals),
                f"{model}.write([{record}], {vals})",
                match="You cannot change .* months already submitted depend on it",
            )
    # The other client's portal contact still reads none of them.
    months = admin.call(
        "regie.timesheet.period",
        "read",
        [t["validated"], t["invoiced"]],
        ["partner_id", "employee_id"],
    )
    assert {m["partner_id"][0] for m in months} == {world["client_a"]}


# ----------------------------------------------------------------------
# 3. Foreign validator
# ----------------------------------------------------------------------


def test_foreign_validator(admin, server, world, http, tally):  # pylint: disable=redefined-outer-name
    """The validator of a sale contract is a contact of its client; on a
    purchase contract the company's own leads validate, whatever contact is
    set."""
    t, tag = world["targets"], world["tag"]
    contact_b = admin.call(
        "res.users", "read", [world["users"][PORTAL2]], ["partner_id"]
    )[0]["partner_id"][0]
    loner = admin.call("res.partner", "create", {"name": f"Lone wolf {tag}"})
    changed(world)
    for role in (LEAD, MGR):
        for contact, who in ((contact_b, "other_portal"), (loner, "Lone wolf")):
            refuse(
                world,
                tally,
                P3,
                role,
                lambda contact=contact, role=role: as_(world, role).call(
                    "regie.contract",
                    "write",
                    [t["contract"]],
                    {"client_manager_id": contact},
                ),
                "contract A.write(client_manager_id=a contact of another company)",
                match=f"{who}.* is not a contact of the client",
            )
        refuse(
            world,
            tally,
            P3,
            role,
            lambda role=role: as_(world, role).call(
                "regie.contract",
                "create",
                {
                    "partner_id": world["client_a"],
                    "client_manager_id": contact_b,
                    "date_start": "2026-01-01",
                    "project_lead_ids": [(6, 0, [world["users"][role]])],
                },
            ),
            "regie.contract.create(client A, validator of client B)",
            match="is not a contact of the client",
        )
    # A purchase contract whose contact is a stranger: its months go to the
    # company's lead, the stranger's portal shows nothing.
    mission_employee = world["employees"]["spares"][-3]
    contract = allow(
        world,
        tally,
        P3,
        MGR,
        lambda: as_(world, MGR).call(
            "regie.contract",
            "create",
            {
                "direction": "purchase",
                "partner_id": world["client_b"],
                "client_manager_id": contact_b,
                "date_start": "2026-01-01",
                "project_lead_ids": [(6, 0, [world["users"][LEAD]])],
                "mission_ids": [
                    (
                        0,
                        0,
                        {
                            "employee_id": mission_employee,
                            "daily_rate": 400.0,
                            "date_start": "2026-01-01",
                        },
                    )
                ],
            },
        ),
        "regie.contract.create(purchase, contact of another company)",
    )
    admin.call("regie.contract", "action_activate", [contract])
    project = admin.call("regie.contract", "read", [contract], ["project_id"])[0][
        "project_id"
    ][0]
    admin.call(
        "account.analytic.line",
        "create",
        {
            "project_id": project,
            "employee_id": mission_employee,
            "date": "2026-03-02",
            "unit_amount": 8.0,
            "name": f"Bought {tag}",
        },
    )
    month = admin.call(
        "regie.timesheet.period", "search", [("contract_id", "=", contract)]
    )
    admin.call("regie.timesheet.period", "action_submit", month)
    changed(world)
    validator = admin.call(
        "regie.timesheet.period", "read", month, ["validator_partner_id"]
    )[0]["validator_partner_id"][0]
    lead_partner = admin.call(
        "res.users", "read", [world["users"][LEAD]], ["partner_id"]
    )[0]["partner_id"][0]
    assert validator == lead_partner
    url, _db = server
    before = world["snapshot"]()
    response = http[PORTAL2].get(f"{url}/my/regie/months/{month[0]}", timeout=60)
    tally(P3, f"{PORTAL2}: {'allowed' if response.status_code == 200 else 'refused'}")
    assert response.status_code in (403, 404), response.status_code
    assert f"Bought {tag}" not in response.text
    assert world["snapshot"]() == before
    _state(world)["snapshot"] = before


# ----------------------------------------------------------------------
# 4. One-time code over HTTP
# ----------------------------------------------------------------------


def _csrf(session, url):
    page = session.get(url, timeout=60)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def _code_state(server, period):
    with psycopg2.connect(dbname=server[1]) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT validation_code_failures, validation_code_locked_until "
                "IS NOT NULL AND validation_code_locked_until > now() at time zone "
                "'utc', (SELECT count(*) FROM mail_message WHERE model = "
                "'regie.timesheet.period' AND res_id = %s) FROM "
                "regie_timesheet_period WHERE id = %s",
                [period, period],
            )
            return cursor.fetchone()


def _rewind_code(server, period):
    """As if the last code had been sent two minutes ago (the clock, not a
    user, moves)."""
    connection = psycopg2.connect(dbname=server[1])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE regie_timesheet_period SET validation_code_expiry = "
            "(now() at time zone 'utc') + interval '13 minutes' WHERE id = %s",
            [period],
        )
    connection.close()


def test_one_time_code_lockout(admin, server, world, tally):  # pylint: disable=redefined-outer-name
    """A visitor holding the month's link guesses codes: a wrong guess burns
    the code but keeps the one-minute resend delay (no mail per guess);
    five wrong codes lock code entry, with a clear message."""
    url, _db = server
    period = world["targets"]["submitted"]
    token = month_token(admin, period)
    page = f"{url}/my/regie/months/{period}"
    session = http_session(server)
    csrf = _csrf(session, f"{page}?access_token={token}")

    def post(action, **data):
        return session.post(
            f"{page}/{action}",
            params={"access_token": token},
            data={"csrf_token": csrf, **data},
            allow_redirects=False,
            timeout=60,
        )

    def step(action, expect_status, expect_text, **data):
        before = core(world["snapshot"]())
        response = post(action, **data)
        after = core(world["snapshot"]())
        changed(world)
        refused = response.status_code != 303 or "code_wrong" in response.headers.get(
            "Location", ""
        )
        tally(P4, f"{PUBLIC}: {'refused' if refused else 'allowed'}")
        assert "Traceback" not in response.text
        assert response.status_code == expect_status, (
            f"{action}: {response.status_code} {response.text[:300]}"
        )
        where = response.headers.get("Location", "") + response.text
        assert expect_text in where, f"{action}: {where[:400]}"
        assert after == before, (
            f"{action} changed the database: {changes(before, after)}"
        )
        return response

    _failures, _locked, mails = _code_state(server, period)
    step("send_code", 303, "code_sent")
    assert _code_state(server, period)[2] == mails + 1
    step("verify_code", 303, "code_wrong", code="000000")
    # The burnt code keeps its send time: no new code, no mail for a minute.
    step("send_code", 429, "one minute")
    step("verify_code", 303, "code_expired", code="000001")
    assert _code_state(server, period)[:2] == (1, False)
    sent = 1
    for guess in range(4):
        _rewind_code(server, period)
        step("send_code", 303, "code_sent")
        sent += 1
        step("verify_code", 303, "code_wrong", code=f"00000{guess + 2}")
    failures, locked, mails_after = _code_state(server, period)
    assert (failures, locked) == (5, True)
    assert mails_after == mails + sent, "a mail per code sent, none per guess"
    _rewind_code(server, period)
    step("send_code", 429, "Too many wrong codes")
    step("verify_code", 429, "Too many wrong codes", code="123456")
    assert _code_state(server, period)[2] == mails_after
    state = admin.call("regie.timesheet.period", "read", [period], ["state"])[0]
    assert state["state"] == "submitted"


# ----------------------------------------------------------------------
# 5. Who logs time for whom
# ----------------------------------------------------------------------


def test_who_logs_time_for_whom(admin, world, tally):  # pylint: disable=redefined-outer-name
    """On a régie project only the consultant, the contract's leads and
    managers log a consultant's time; a lead who typed a month's lines does
    not validate it himself on a sale contract."""
    e, projects, tag = world["employees"], world["projects"], world["tag"]

    def line(employee, day, project=None):
        return {
            "project_id": project or projects["a"],
            "employee_id": employee,
            "date": f"2026-06-{day:02d}",
            "unit_amount": 8.0,
            "name": f"Typed {tag}",
        }

    for role in (ACC, USER, CONS2, LEAD2):
        refuse(
            world,
            tally,
            P5,
            role,
            lambda role=role: as_(world, role).call(
                "account.analytic.line", "create", line(e["e1"], 1)
            ),
            "account.analytic.line.create(consultant one's time)",
        )
    refuse(
        world,
        tally,
        P5,
        CONS,
        lambda: as_(world, CONS).call(
            "account.analytic.line", "create", line(e["e2"], 1)
        ),
        "account.analytic.line.create(consultant two's time)",
    )
    # A consultant's own line, changed by another consultant or the other lead.
    own = world["targets"]["line"]
    for role in (CONS2, LEAD2, ACC, USER):
        refuse(
            world,
            tally,
            P5,
            role,
            lambda role=role: as_(world, role).call(
                "account.analytic.line", "write", [own], {"unit_amount": 4.0}
            ),
            "account.analytic.line.write(consultant one's line)",
        )
    # A lead allowed to type others' timesheets (Odoo's approver group) types
    # the consultant's June, submits it and validates it himself.
    approver = admin.ref("hr_timesheet.group_hr_timesheet_approver")
    admin.call(
        "res.users", "write", [world["users"][LEAD]], {"groups_id": [(4, approver)]}
    )
    changed(world)
    allow(
        world,
        tally,
        P5,
        LEAD,
        lambda: as_(world, LEAD).call(
            "account.analytic.line", "create", [line(e["e1"], 3), line(e["e1"], 4)]
        ),
        "account.analytic.line.create(the consultant's time, by his lead)",
    )
    june = admin.call(
        "regie.timesheet.period",
        "search",
        [
            ("mission_id", "=", world["missions"][e["e1"]]),
            ("date_from", "=", "2026-06-01"),
        ],
    )
    allow(
        world,
        tally,
        P5,
        LEAD,
        lambda: as_(world, LEAD).call("regie.timesheet.period", "action_submit", june),
        "June.action_submit",
    )
    refuse(
        world,
        tally,
        P5,
        LEAD,
        lambda: as_(world, LEAD).call(
            "regie.timesheet.period", "action_validate", june
        ),
        "June.action_validate by the lead who typed it",
        match="You typed lines of .* yourself",
    )
    # (The lead keeps the approver group: the tests after this one do not
    # depend on it, and a group change costs the server its caches.)


# ----------------------------------------------------------------------
# 6. External references
# ----------------------------------------------------------------------


def test_external_references(admin, world, tally):  # pylint: disable=redefined-outer-name
    """A reference pushed again with another employee, date or hours is an
    error: naming the existing line for whoever may read it, a plain
    "already used" otherwise; pushed again identically, it returns the line
    to whoever may read it."""
    e, projects, tag = world["employees"], world["projects"], world["tag"]
    ref = f"EXT-{tag}"

    def push(employee, day, hours=8.0, reference=ref):
        return {
            "project_id": projects["a"],
            "employee_id": employee,
            "date": f"2026-07-{day:02d}",
            "unit_amount": hours,
            "name": f"Pushed {tag}",
            "regie_external_ref": reference,
        }

    first = allow(
        world,
        tally,
        P6,
        CONS,
        lambda: as_(world, CONS).call(
            "account.analytic.line", "create", [push(e["e1"], 1)]
        ),
        "push of a new reference",
    )[0]
    before = world["snapshot"]()
    again = as_(world, CONS).call("account.analytic.line", "create", [push(e["e1"], 1)])
    tally(P6, f"{CONS}: allowed")
    assert again == [first] and world["snapshot"]() == before, "not idempotent"
    secret = f"Consultant one {tag}"
    # The second consultant reuses it for his own line: refused, nothing of
    # the first line said.
    message = refuse(
        world,
        tally,
        P6,
        CONS2,
        lambda: as_(world, CONS2).call(
            "account.analytic.line", "create", [push(e["e2"], 2)]
        ),
        "push of consultant one's reference by consultant two",
        match="is already used",
        hide=(secret, "2026", str(first)),
    )
    assert "another employee" not in message
    # Whoever may read the first line is told which line it is.
    for role, vals in (
        (CONS, push(e["e1"], 1, hours=4.0)),
        (CONS, push(e["e1"], 2)),
        (LEAD, push(e["e2"], 1)),
    ):
        refuse(
            world,
            tally,
            P6,
            role,
            lambda role=role, vals=vals: as_(world, role).call(
                "account.analytic.line", "create", [vals]
            ),
            f"push of {ref} with another employee, date or hours",
            match=f"already used by line .*{re.escape(secret)}",
        )
    refuse(
        world,
        tally,
        P6,
        MGR,
        lambda: as_(world, MGR).call(
            "account.analytic.line", "create", [push(e["e1"], 1, hours=7.5)]
        ),
        f"push of {ref} with other hours",
        match="is already used",
    )
    # Repeated within one batch with other hours.
    refuse(
        world,
        tally,
        P6,
        CONS,
        lambda: as_(world, CONS).call(
            "account.analytic.line",
            "create",
            [push(e["e1"], 3, reference=f"{ref}-b"), push(e["e1"], 3, 2.0, f"{ref}-b")],
        ),
        "one batch, one reference, two different lines",
        match="Lines 1 and 2 are pushed with the same external reference",
    )


# ----------------------------------------------------------------------
# 7. Disputes
# ----------------------------------------------------------------------


def test_disputes(admin, world, tally):  # pylint: disable=redefined-outer-name
    """The client's statement (reason, requested correction, contested
    lines) is read-only once raised; the provider answers in its own field."""
    t = world["targets"]
    dispute = t["dispute"]
    statement = admin.call(
        "regie.timesheet.dispute",
        "read",
        [dispute],
        ["reason", "requested_correction", "line_ids"],
    )[0]
    other_line = admin.call(
        "account.analytic.line",
        "search",
        [("project_id", "=", world["projects"]["b"])],
        limit=1,
    )
    own_line = admin.call(
        "account.analytic.line",
        "search",
        [("regie_period_id", "=", t["validated"])],
        limit=1,
    )
    for role in (LEAD, MGR, LEAD2, CONS, ACC):
        for vals in (
            {"reason": "Rewritten by the provider"},
            {"requested_correction": "Nothing to correct"},
            {"line_ids": [(6, 0, other_line)]},
            {"line_ids": [(4, own_line[0])]},
        ):
            refuse(
                world,
                tally,
                P7,
                role,
                lambda role=role, vals=vals: as_(world, role).call(
                    "regie.timesheet.dispute", "write", [dispute], vals
                ),
                f"dispute.write({vals})",
            )
        refuse(
            world,
            tally,
            P7,
            role,
            lambda role=role: as_(world, role).call(
                "regie.timesheet.dispute", "unlink", [dispute]
            ),
            "dispute.unlink",
        )
    for role in (CONS, LEAD2):
        refuse(
            world,
            tally,
            P7,
            role,
            lambda role=role: as_(world, role).call(
                "regie.timesheet.dispute", "write", [dispute], {"answer": "Mine"}
            ),
            "dispute.write(answer) by who does not answer",
        )
    allow(
        world,
        tally,
        P7,
        LEAD,
        lambda: as_(world, LEAD).call(
            "regie.timesheet.dispute",
            "write",
            [dispute],
            {"answer": "Day 4 was worked"},
        ),
        "dispute.write(answer) by the lead",
    )
    after = admin.call(
        "regie.timesheet.dispute",
        "read",
        [dispute],
        ["reason", "requested_correction", "line_ids", "answer"],
    )[0]
    assert {k: after[k] for k in statement} == statement
    assert after["answer"] == "Day 4 was worked"


# ----------------------------------------------------------------------
# 9. Health data
# ----------------------------------------------------------------------


def _pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_health_data_hidden_from_the_client(admin, server, world, http, tally):  # pylint: disable=redefined-outer-name
    """The client's portal page and PDF of a month with time off say
    "Absence", never the kind of leave."""
    url, _db = server
    t, e, tag = world["targets"], world["employees"], world["tag"]
    kind = f"Sick leave {tag}"
    if "hr.leave" in models_named(admin, "hr.leave"):
        leave_type = admin.call(
            "hr.leave.type",
            "create",
            {"name": kind, "requires_allocation": "no"},
        )
        leave = admin.call(
            "hr.leave",
            "create",
            {
                "holiday_status_id": leave_type,
                "employee_id": e["e1"],
                "request_date_from": "2026-03-11",
                "request_date_to": "2026-03-11",
            },
        )
        admin.call("hr.leave", "action_validate", [leave])
    changed(world)
    period = t["submitted"]
    for page in ("", "/pdf"):
        before = world["snapshot"]()
        response = http[PORTAL].get(
            f"{url}/my/regie/months/{period}{page}", timeout=120
        )
        tally(P9, f"{PORTAL}: shown")
        assert response.status_code == 200, (page, response.status_code)
        text = (
            _pdf_text(response.content)
            if response.headers.get("Content-Type", "").startswith("application/pdf")
            else response.text
        )
        assert "Consultant one" in text or "Work" in text, f"{page}: not the month"
        for word in (kind, "Sick", "maladie"):
            assert word not in text, f"the client's {page or 'page'} shows {word!r}"
        after = world["snapshot"]()
        _state(world)["snapshot"] = after
        assert core(after) == core(before)


def models_named(admin, name):
    return [
        m["model"]
        for m in admin.call(
            "ir.model", "search_read", [("model", "=", name)], fields=["model"]
        )
    ]


# ----------------------------------------------------------------------
# 10. Signatures
# ----------------------------------------------------------------------


SVG = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
).decode()
SIGNATURE_PAYLOADS = [
    ("svg with a script", SVG, "PNG or JPEG"),
    ("text", base64.b64encode(b"just some text, no image").decode(), "PNG or JPEG"),
    (
        "html",
        base64.b64encode(b"<html><img src=x onerror=alert(1)></html>").decode(),
        "PNG or JPEG",
    ),
    ("not base64", "%%% not base64 %%%", "Invalid signature data"),
    ("a number", 12345, "Invalid signature data"),
    ("30 MB", "A" * (30 * 1024 * 1024), "too large"),
    (
        "PNG header, 2 MB",
        base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)).decode(),
        "too large",
    ),
]


def test_signatures(admin, server, world, http, tally):  # pylint: disable=redefined-outer-name
    """The logged-in validator signs with anything but a small image:
    refused with a clear error, the month stays submitted, nothing stored."""
    url, _db = server
    period = world["targets"]["submitted"]
    for why, signature, expected in SIGNATURE_PAYLOADS:
        before = world["snapshot"]()
        response = http[PORTAL].post(
            f"{url}/my/regie/months/{period}/accept",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"name": "Mallory", "signature": signature},
            },
            timeout=300,
        )
        after = world["snapshot"]()
        _state(world)["snapshot"] = after
        body = response.json()
        result = body.get("result") or {}
        tally(P10, f"{PORTAL}: {'refused' if result.get('error') else 'other'}")
        assert expected in (result.get("error") or ""), f"{why}: {body}"[:400]
        assert after == before, f"{why} changed the database: {changes(before, after)}"
    read = admin.call(
        "regie.timesheet.period", "read", [period], ["state", "signature"]
    )[0]
    assert read["state"] == "submitted" and not read["signature"]


# ----------------------------------------------------------------------
# 11. Bad input
# ----------------------------------------------------------------------


def _bad_inputs(world):  # pylint: disable=redefined-outer-name
    t, e, projects = world["targets"], world["employees"], world["projects"]

    def line(**vals):
        return {
            "project_id": projects["a"],
            "employee_id": e["e1"],
            "date": "2026-08-03",
            "unit_amount": 8.0,
            "name": "Bad input",
            **vals,
        }

    contract = {"partner_id": world["client_a"], "date_start": "2026-01-01"}
    mission = {
        "contract_id": t["contract"],
        "employee_id": e["spares"][-4],
        "daily_rate": 500.0,
        "date_start": "2026-01-01",
    }
    rate = {"mission_id": t["mission"], "date_from": "2026-09-01", "daily_rate": 610.0}
    aal, per = "account.analytic.line", "regie.timesheet.period"
    hours = "must be a number of hours"
    return [
        # (role, model, method, args, kwargs, expected message)
        (CONS, aal, "create", [line(unit_amount=float("nan"))], {}, hours),
        (CONS, aal, "create", [line(unit_amount=float("inf"))], {}, hours),
        (CONS, aal, "create", [line(unit_amount="abc")], {}, hours),
        (CONS, aal, "create", [line(unit_amount=[])], {}, hours),
        (CONS, aal, "create", [line(date="2026-02-30")], {}, "is not a valid date"),
        (CONS, aal, "create", [line(date="16/11/2026")], {}, "is not a valid date"),
        (CONS, aal, "create", [line(date="")], {}, "is required"),
        (CONS, aal, "create", [line(employee_id=999999)], {}, "does not exist"),
        (CONS, aal, "create", [line(project_id=999999)], {}, "does not exist"),
        (
            LEAD,
            "regie.contract",
            "create",
            [dict(contract, notice_period_days=2147483647)],
            {},
            r"Notice Period \(days\) of .*out of range",
        ),
        (
            LEAD,
            "regie.contract",
            "create",
            [dict(contract, partner_id=999999)],
            {},
            "Partner of .*999999 does not exist",
        ),
        (
            LEAD,
            "regie.contract",
            "write",
            [[t["contract"]], {"project_lead_ids": [(6, 0, [999999])]}],
            {},
            "Project leads of .*999999 does not exist",
        ),
        (
            LEAD,
            "regie.contract",
            "write",
            [[t["contract"]], {"hours_per_day": float("nan")}],
            {},
            "Hours Per Day of",
        ),
        (
            LEAD,
            "regie.contract",
            "write",
            [[t["contract"]], {"confidentiality_years": -1}],
            {},
            "Confidentiality Years of",
        ),
        (
            LEAD,
            "regie.contract",
            "write",
            [[t["contract"]], {"budget_amount": -1.0}],
            {},
            "Budget Amount of",
        ),
        (
            LEAD,
            "regie.contract",
            "write",
            [[t["contract"]], {"budget_alert_thresholds": "1e400"}],
            {},
            "Budget Alert Thresholds of .*'1e400'",
        ),
        (
            LEAD,
            "regie.mission",
            "create",
            [dict(mission, daily_rate=1e308)],
            {},
            r"Daily Rate \(TJM\) of",
        ),
        (
            LEAD,
            "regie.mission",
            "create",
            [dict(mission, employee_id=999999)],
            {},
            "Consultant of .*999999 does not exist",
        ),
        (
            LEAD,
            "regie.mission",
            "write",
            [[t["mission"]], {"estimated_days": -3.0}],
            {},
            "Estimated Days of",
        ),
        (
            LEAD,
            "regie.mission.rate",
            "create",
            [dict(rate, daily_rate=float("inf"))],
            {},
            r"Daily Rate \(TJM\) of",
        ),
        (
            LEAD,
            "regie.mission.rate",
            "create",
            [dict(rate, date_from="1900-01-01")],
            {},
            "is outside the mission",
        ),
        (MGR, per, "unlink", [[t["draft"]]], {}, "cannot be deleted"),
        (MGR, per, "unlink", [[t["validated"]]], {}, "cannot be deleted"),
        (MGR, "regie.mission", "unlink", [[t["mission"]]], {}, "cannot be deleted"),
        (MGR, "regie.contract", "unlink", [[t["contract_draft"]]], {}, "has missions"),
        (
            LEAD,
            per,
            "action_contest",
            [[t["submitted"]], "Wrong"],
            {"line_ids": "abc"},
            "Contested Lines of the dispute on .*: a list",
        ),
        (
            ACC,
            per,
            "action_create_invoice",
            [[t["validated"]]],
            {"invoice_date": "not-a-date"},
            "Invoice/Bill Date: 'not-a-date' is not a valid date",
        ),
        (
            ACC,
            per,
            "action_create_invoice",
            [[t["validated"]]],
            {"invoice_date": "1900-01-01"},
            "Invoice/Bill Date: .* is before the months invoiced",
        ),
        (
            LEAD,
            "regie.price.index",
            "get_value",
            [[t["price_index"]], "abc"],
            {},
            "Date: 'abc' is not a valid date",
        ),
        (
            MGR,
            "regie.price.index.value",
            "create",
            [
                {
                    "index_id": t["price_index"],
                    "date": "2026-01-01",
                    "value": float("nan"),
                }
            ],
            {},
            "Value of",
        ),
    ]


def test_bad_input(admin, world, tally):  # pylint: disable=redefined-outer-name
    """What a clumsy integration sends gets a message naming the field or
    the line, never a raw Python or SQL error, and nothing is saved."""
    cases = _bad_inputs(world)
    for role, model, method, args, kwargs, expected in cases:
        label = f"{model}.{method}({args!r:.120}, {kwargs})"
        refuse(
            world,
            tally,
            P11,
            role,
            lambda role=role, model=model, method=method, args=args, kwargs=kwargs: as_(
                world, role
            ).call(model, method, *args, **kwargs),
            label,
            match=expected,
            hide=("psycopg2", "_fkey", "OverflowError"),
        )


def test_empty_month_never_invoiced_at_zero(admin, world, tally):  # pylint: disable=redefined-outer-name
    """A month without any line may be validated (nothing is due); it is
    never invoiced at 0."""
    mission = world["targets"]["mission"]
    allow(
        world,
        tally,
        P11,
        MGR,
        lambda: as_(world, MGR).call(
            "regie.timesheet.period", "generate_periods", "2026-10-01"
        ),
        "generate_periods(October)",
    )
    october = admin.call(
        "regie.timesheet.period",
        "search",
        [("mission_id", "=", mission), ("date_from", "=", "2026-10-01")],
    )
    assert october, "no empty October month generated"
    admin.call("regie.timesheet.period", "action_submit", october)
    allow(
        world,
        tally,
        P11,
        MGR,
        lambda: as_(world, MGR).call(
            "regie.timesheet.period", "action_validate", october
        ),
        "empty month.action_validate",
    )
    refuse(
        world,
        tally,
        P11,
        ACC,
        lambda: as_(world, ACC).call(
            "regie.timesheet.period", "action_create_invoice", october
        ),
        "empty month.action_create_invoice",
        match="has no validated day to invoice",
    )


# ----------------------------------------------------------------------
# 12. Two companies
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def company_b(admin, server, world):  # pylint: disable=redefined-outer-name
    """A second company with its own régie users and a client's portal
    contact, created over XML-RPC as the administrator."""
    tag = world["tag"]
    company = admin.call("res.company", "create", {"name": f"Company B {tag}"})
    groups = {
        "lead_b": ["base.group_user", "regie_staffing.group_lead"],
        "manager_b": ["base.group_user", "regie_staffing.group_manager"],
        "consultant_b": ["base.group_user", "regie_staffing.group_consultant"],
        "accountant_b": [
            "base.group_user",
            "account.group_account_invoice",
            "regie_staffing_invoicing.group_regie_accountant",
        ],
        "portal_b": ["base.group_portal"],
    }
    client = admin.call(
        "res.partner",
        "create",
        {"name": f"Client of B {tag}", "is_company": True, "company_id": company},
    )
    users = {}
    for role, xmlids in groups.items():
        login = f"{tag}_{role}"
        vals = {
            "name": f"{role} {tag}",
            "login": login,
            "password": login,
            "email": f"{login}@example.com",
            "company_id": company,
            "company_ids": [(6, 0, [company])],
            "groups_id": [(6, 0, [admin.ref(x) for x in xmlids])],
        }
        if role == "portal_b":
            vals["partner_id"] = admin.call(
                "res.partner",
                "create",
                {
                    "name": f"Contact of B {tag}",
                    "parent_id": client,
                    "company_id": company,
                },
            )
        users[role] = UserClient(
            server[0], server[1], admin.call("res.users", "create", vals), login, login
        )
    changed(world)
    return {"company": company, "users": users}


def test_multi_company(admin, server, world, company_b, tally):  # pylint: disable=redefined-outer-name
    """Users of company B read nothing of company A's contracts, missions,
    months, disputes and invoices, over XML-RPC or the portal; a contract of
    company B takes no project, partner, product or journal of company A."""
    t = world["targets"]
    invoice = admin.call(
        "regie.timesheet.period", "read", [t["invoiced"]], ["invoice_id"]
    )[0]["invoice_id"]
    records = [
        ("regie.contract", t["contract"]),
        ("regie.mission", t["mission"]),
        ("regie.timesheet.period", t["validated"]),
        ("regie.timesheet.period", t["invoiced"]),
        ("regie.timesheet.dispute", t["dispute"]),
        ("regie.mission.rate", t["rate"]),
        ("account.analytic.line", world["targets"]["line"]),
    ]
    if invoice:
        records.append(("account.move", invoice[0]))
    for role, client in company_b["users"].items():
        if role == "portal_b":
            continue
        for model, record in records:
            refuse(
                world,
                tally,
                P12,
                role,
                lambda client=client, model=model, record=record: client.call(
                    model, "read", [record], ["display_name"]
                ),
                f"{model}.read([{record}]) by a user of company B",
            )
            if model not in ("regie.contract", "regie.timesheet.period"):
                continue
            before = _state(world)["snapshot"] or world["snapshot"]()
            try:
                found = client.call(model, "search_count", [("id", "=", record)])
            except xmlrpc.client.Fault as error:
                assert classify(error) == "readable", describe(error)
                found = 0
            tally(P12, f"{role}: {'found' if found else 'hidden'}")
            assert found == 0, f"{model} {record} found by {role} of company B"
            assert world["snapshot"]() == before
        refuse(
            world,
            tally,
            P12,
            role,
            lambda client=client: client.call(
                "regie.timesheet.period",
                "write",
                [t["submitted"]],
                {"access_token": "forged"},
            ),
            "month of company A.write by a user of company B",
        )
    # Company B's portal contact and company A's pages.
    url, _db = server
    session = http_session(server, f"{world['tag']}_portal_b")
    for path in (
        f"/my/regie/months/{t['submitted']}",
        f"/my/regie/months/{t['validated']}/pdf",
        f"/my/regie/contracts/{t['contract']}",
        "/my/regie/months",
    ):
        before = world["snapshot"]()
        response = session.get(f"{url}{path}", timeout=60)
        shown = response.status_code == 200 and "Consultant one" in response.text
        tally(P12, f"portal_b: {'allowed' if shown else 'refused'}")
        assert not shown, f"{path} shows company A's month to company B's contact"
        assert "Traceback" not in response.text
        assert core(world["snapshot"]()) == core(before)
    changed(world)
    # Company B's contracts take nothing of company A.
    company = company_b["company"]
    partner_a = admin.call(
        "res.partner",
        "create",
        {
            "name": f"Partner of A only {world['tag']}",
            "company_id": admin.ref("base.main_company"),
        },
    )
    changed(world)
    manager_b = company_b["users"]["manager_b"]
    client_b = admin.call(
        "res.partner", "search", [("name", "=", f"Client of B {world['tag']}")]
    )[0]
    main = admin.ref("base.main_company")
    journal_a = admin.call(
        "account.journal",
        "search",
        [("type", "=", "sale"), ("company_id", "=", main)],
        limit=1,
    )
    product_a = admin.call(
        "product.product",
        "create",
        {"name": f"Service of A only {world['tag']}", "company_id": main},
    )
    changed(world)
    for field, value in (
        ("project_id", world["projects"]["a"]),
        ("partner_id", partner_a),
        ("product_id", product_a),
        ("journal_id", journal_a[0]),
    ):
        vals = {
            "partner_id": client_b,
            "date_start": "2026-01-01",
            "company_id": company,
            field: value,
        }
        refuse(
            world,
            tally,
            P12,
            "manager_b",
            lambda vals=vals: manager_b.call("regie.contract", "create", vals),
            f"regie.contract.create(company B, {field} of company A)",
        )
        refuse(
            world,
            tally,
            P12,
            "admin",
            lambda vals=vals: admin.call(
                "regie.contract",
                "create",
                vals,
                context={
                    "allowed_company_ids": [company, admin.ref("base.main_company")]
                },
            ),
            f"regie.contract.create(company B, {field} of company A) as admin",
            match=field,
        )


# ----------------------------------------------------------------------
# Role tables of the newer models
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def newer(admin, server, world):  # pylint: disable=redefined-outer-name
    """A close batch queued (then cancelled) by the lead from the months
    list, and a vigilance document of a provider."""
    param = "regie_staffing.close_batch_threshold"
    old = admin.call(
        "ir.config_parameter", "search_read", [("key", "=", param)], fields=["value"]
    )
    admin.call("ir.config_parameter", "set_param", param, "0")
    try:
        as_(world, LEAD).call(
            "regie.timesheet.period",
            "action_validate",
            [world["targets"]["validated"]],
            context={"regie_close_batch": True},
        )
    finally:
        admin.call(
            "ir.config_parameter", "set_param", param, old[0]["value"] if old else False
        )
    batch = admin.call(
        "regie.close.batch",
        "search",
        [("user_id", "=", world["users"][LEAD])],
        order="id desc",
        limit=1,
    )[0]
    try:
        as_(world, LEAD).call("regie.close.batch", "action_cancel", [batch])
    except xmlrpc.client.Fault:
        pass  # processed meanwhile by the scheduled action: as good a target
    document = admin.call(
        "regie.vigilance.document",
        "create",
        {
            "partner_id": world["client_b"],
            "document_type": "urssaf",
            "issue_date": "2026-01-15",
            "verification_code": "ADV-CODE",
        },
    )
    changed(world)
    return {"batch": batch, "document": document}


INTERNAL_DENY = (CONS, CONS2, LEAD2, USER, PORTAL, PORTAL2, PUBLIC)
NEWER = {
    # (model, target): {op: (allowed roles, roles either way)}
    "regie.close.batch": {
        "read": ({LEAD, MGR}, {ACC}),
        "write": (set(), set()),
        "create": (set(), set()),
        "unlink": (set(), {MGR}),
        # The requester (the lead here) and the managers only.
        "action_cancel": ({LEAD, MGR}, set()),
        "action_retry_failed": ({LEAD, MGR}, set()),
    },
    "regie.vigilance.document": {
        "read": ({LEAD, LEAD2, MGR, ACC}, {USER}),
        "write": ({LEAD, LEAD2, MGR}, set()),
        "create": ({LEAD, LEAD2, MGR}, set()),
        "unlink": ({MGR}, set()),
        "action_mark_checked": ({LEAD, LEAD2, MGR}, set()),
    },
}


def _newer_params():
    params = []
    for model, ops in NEWER.items():
        for op, (allowed, either) in ops.items():
            for role in ROLES:
                if role in allowed or role in either:
                    continue  # only the refusals: the allowed ones change records
                params.append(pytest.param(model, op, role, id=f"{model}.{op}-{role}"))
    for role in ROLES:
        if role != MGR:
            params.append(
                pytest.param(
                    "regie.vigilance.override",
                    "action_confirm",
                    role,
                    id=f"regie.vigilance.override-{role}",
                )
            )
    return params


@pytest.mark.parametrize(("model", "op", "role"), _newer_params())
def test_newer_models(admin, world, newer, tally, model, op, role):  # pylint: disable=redefined-outer-name
    """Close batches (their requester and the managers), vigilance documents
    (leads, managers, accountants reading) and the override wizard
    (managers): everyone else is refused."""
    if model not in regie_models(admin):
        return  # not installed in this database: nothing to try
    client = world["clients"][role]
    target = newer["batch"] if model == "regie.close.batch" else newer.get("document")
    calls = {
        "read": lambda: client.call(model, "read", [target], ["display_name"]),
        "write": lambda: client.call(
            model,
            "write",
            [target],
            {"state": "done"}
            if model == "regie.close.batch"
            else {"verification_code": "FORGED"},
        ),
        "create": lambda: client.call(
            model,
            "create",
            {"operation": "validate"}
            if model == "regie.close.batch"
            else {
                "partner_id": world["client_a"],
                "document_type": "registration",
                "issue_date": "2026-02-01",
            },
        ),
        "unlink": lambda: client.call(model, "unlink", [target]),
    }

    def wizard():
        created = client.call(
            model, "create", {"reason": "adversarial", "move_ids": []}
        )
        return client.call(model, "action_confirm", [created])

    call = (
        wizard
        if model == "regie.vigilance.override"
        else calls.get(op) or (lambda: client.call(model, op, [target]))
    )
    refuse(world, tally, NEW_MODELS, role, call, f"{model}.{op}")
