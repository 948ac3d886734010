import base64
import binascii
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request
from odoo.osv import expression
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PERIOD_MODEL = "regie.timesheet.period"
CONTRACT_MODEL = "regie.contract"

# States a client contact may see on a sale-side contract (a draft month is
# still being written by the consultant), and the only ones the provider's
# contact may see on a purchase-side contract. "invoiced" comes with the
# invoicing addon; listing it here is harmless without it.
SALE_VISIBLE_STATES = ("submitted", "contested", "validated", "invoiced")
PURCHASE_VISIBLE_STATES = ("validated", "invoiced")
CONTRACT_VISIBLE_STATES = ("active", "terminated", "expired")

# The model stores the one-time code for 15 minutes (spec); a new code may be
# asked for one minute after the previous one.
CODE_VALIDITY = timedelta(minutes=15)
CODE_SCOPE = "regie_staffing.validation_code"
CODE_RESEND_DELAY = timedelta(minutes=1)
SESSION_KEY = "regie_validation_codes"
# After CODE_MAX_FAILURES wrong codes in a row, code entry is locked for
# CODE_LOCK_DELAY, doubled at each further failure (at most CODE_LOCK_MAX).
CODE_MAX_FAILURES = 5
CODE_LOCK_DELAY = timedelta(minutes=5)
CODE_LOCK_MAX = timedelta(days=1)
# Wrong codes are also counted per validator address, across the months
# waiting for it: CODE_ADDRESS_MAX_FAILURES of them lock code entry for all
# these months (guessing month after month gets no further).
CODE_ADDRESS_MAX_FAILURES = 8

# A drawn or uploaded signature: a PNG or JPEG image of reasonable size (it is
# stored and rendered into the signed PDF).
SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


class RegiePortal(CustomerPortal):
    """Client portal of the régie months (CRA).

    Portal users have no access right on régie models: every read goes through
    ``sudo()`` restricted by :meth:`_regie_portal_domain`, which is therefore
    the security boundary and is ANDed into every search, count, group-by and
    into the PDF route. Signing needs more than the access token: the caller
    is the designated validator, logged in or proven by a one-time code.
    """

    # ------------------------------------------------------------------
    # Security boundary
    # ------------------------------------------------------------------

    def _regie_portal_domain(self, model_name, partner=None):
        """The records of ``model_name`` the portal ``partner`` (default: the
        logged-in user's) may see: those whose contract partner belongs to the
        same commercial entity; on purchase-side contracts only validated
        months. The public user sees nothing this way (token access only)."""
        user = request.env.user
        if partner is None:
            if user._is_public():
                return expression.FALSE_DOMAIN
            partner = user.partner_id
        commercial = partner.commercial_partner_id
        if model_name == CONTRACT_MODEL:
            return [
                ("partner_id.commercial_partner_id", "=", commercial.id),
                ("state", "in", CONTRACT_VISIBLE_STATES),
            ]
        return expression.AND(
            [
                [("contract_id.partner_id.commercial_partner_id", "=", commercial.id)],
                self._regie_month_state_domain(),
            ]
        )

    def _regie_month_state_domain(self):
        return [
            "|",
            "&",
            ("direction", "=", "sale"),
            ("state", "in", SALE_VISIBLE_STATES),
            "&",
            ("direction", "=", "purchase"),
            ("state", "in", PURCHASE_VISIBLE_STATES),
        ]

    def _regie_sudo(self, model_name):
        # sudo: portal users have no ACL on régie models; callers always AND
        # _regie_portal_domain() (or check the access token) before reading.
        return request.env[model_name].sudo()

    def _regie_month_check_access(self, period_id, access_token=None):
        """Return the month (sudo) if the caller may see it, else raise.

        :raise MissingError: no such month, or not one of the caller's
            company (never tell another company's month exists)
        :raise AccessError: forged or outdated token, or a month reached by
            token that is not (or no longer) submitted
        """
        Period = self._regie_sudo(PERIOD_MODEL)
        period = Period.browse(period_id).exists()
        if not period:
            raise MissingError(
                request.env._("This monthly activity report does not exist.")
            )
        domain = expression.AND(
            [self._regie_portal_domain(PERIOD_MODEL), [("id", "=", period.id)]]
        )
        if Period.search_count(domain, limit=1):
            return period
        if not access_token:
            if request.env.user._is_public():
                raise AccessError(
                    request.env._("Please log in to see this activity report.")
                )
            raise MissingError(
                request.env._("This monthly activity report does not exist.")
            )
        try:
            period = self._document_check_access(PERIOD_MODEL, period.id, access_token)
        except AccessError as error:
            raise AccessError(
                request.env._(
                    "This link is invalid or has expired (a signed month gets a "
                    "new link). Ask your provider for a new one."
                )
            ) from error
        if not period.filtered_domain(self._regie_month_state_domain()):
            raise AccessError(
                request.env._(
                    "This activity report has not been submitted for validation."
                )
            )
        return period

    def _regie_contract_check_access(self, contract_id):
        Contract = self._regie_sudo(CONTRACT_MODEL)
        contract = Contract.search(
            expression.AND(
                [self._regie_portal_domain(CONTRACT_MODEL), [("id", "=", contract_id)]]
            ),
            limit=1,
        )
        if not contract:
            raise MissingError(request.env._("This contract does not exist."))
        return contract

    def _regie_error_response(self, error, status=None):
        if isinstance(error, MissingError):
            status = status or 404
        return request.render(
            "regie_staffing.portal_regie_error",
            {
                **self._prepare_portal_layout_values(),
                "error_message": error.args[0] if error.args else "",
            },
            status=status or 403,
        )

    def _regie_month_or_error(self, period_id, access_token):
        """(period, None) or (None, response) for an HTTP page."""
        try:
            return self._regie_month_check_access(period_id, access_token), None
        except MissingError as error:
            return None, self._regie_error_response(error)
        except AccessError as error:
            if request.env.user._is_public() and not access_token:
                path = request.httprequest.full_path.rstrip("?")
                return None, request.redirect(
                    "/web/login?" + urlencode({"redirect": path})
                )
            return None, self._regie_error_response(error)

    # ------------------------------------------------------------------
    # Validator proof: logged in as the validator, or a one-time code
    # ------------------------------------------------------------------

    def _regie_code_is_verified(self, period):
        """True when this browser session entered the month's one-time code
        and its validity has not run out (the code itself is consumed)."""
        verified_until = (request.session.get(SESSION_KEY) or {}).get(str(period.id))
        return bool(
            verified_until
            and fields.Datetime.to_datetime(verified_until) > fields.Datetime.now()
        )

    def _regie_validator_partner(self, period):
        """The partner who may sign ``period`` in this request, or an empty
        recordset: the logged-in validator, or whoever proved a valid code."""
        validator = period.validator_partner_id
        if not validator:
            return validator
        user = request.env.user
        if not user._is_public() and user.partner_id == validator:
            return validator
        if self._regie_code_is_verified(period):
            return validator
        return validator.browse()

    def _regie_code_digest(self, period, code):
        return odoo_hmac(request.env(su=True), CODE_SCOPE, (period.id, code))

    def _regie_write_code(self, period, digest=False, expiry=False):
        # sudo + workflow key: the code fields are system-only workflow fields
        # (the period refuses plain writes of them); only this controller sets
        # them, after its own access checks.
        period.sudo()._period_workflow().write(
            {"validation_code_hash": digest, "validation_code_expiry": expiry}
        )

    def _regie_address_months(self, period):
        """The months waiting for validation whose codes go to the same
        address as ``period``'s: same validator contact or same e-mail."""
        validator = period.validator_partner_id
        domain = [("validator_partner_id", "=", validator.id)]
        if validator.email_normalized:
            domain = [
                "|",
                *domain,
                (
                    "validator_partner_id.email_normalized",
                    "=",
                    validator.email_normalized,
                ),
            ]
        months = (
            request.env["regie.timesheet.period"]
            .sudo()
            .search([("state", "=", "submitted"), *domain])
        )
        return months | period.sudo()

    def _regie_code_lock_response(self, period):
        """An error page while code entry is locked after too many wrong
        codes (for this month, or for its validator's address), else None."""
        now = fields.Datetime.now()
        locked_until = max(
            (
                until
                for until in self._regie_address_months(period).mapped(
                    "validation_code_locked_until"
                )
                if until
            ),
            default=None,
        )
        if not locked_until or locked_until <= now:
            return None
        minutes = max(1, -(-int((locked_until - now).total_seconds()) // 60))
        return self._regie_error_response(
            UserError(
                request.env._(
                    "Too many wrong codes were entered for this month: code entry "
                    "is locked for %(minutes)s more minute(s). Try again later or "
                    "ask your provider.",
                    minutes=minutes,
                )
            ),
            status=429,
        )

    def _regie_register_code_failure(self, period):
        """Count a wrong code; from CODE_MAX_FAILURES on for the month (or
        CODE_ADDRESS_MAX_FAILURES for the months of its validator's address),
        lock code entry for a delay doubling at each further failure."""
        failures = period.validation_code_failures + 1
        vals = {"validation_code_failures": failures}
        now = fields.Datetime.now()
        if failures >= CODE_MAX_FAILURES:
            delay = CODE_LOCK_DELAY * 2 ** min(failures - CODE_MAX_FAILURES, 10)
            vals["validation_code_locked_until"] = now + min(delay, CODE_LOCK_MAX)
        period.sudo()._period_workflow().write(vals)
        months = self._regie_address_months(period)
        total = sum(months.mapped("validation_code_failures"))
        if total >= CODE_ADDRESS_MAX_FAILURES:
            delay = CODE_LOCK_DELAY * 2 ** min(total - CODE_ADDRESS_MAX_FAILURES, 10)
            until = now + min(delay, CODE_LOCK_MAX)
            months.filtered(
                lambda month: (
                    not month.validation_code_locked_until
                    or month.validation_code_locked_until < until
                )
            )._period_workflow().write({"validation_code_locked_until": until})

    def _regie_lock_month_row(self, period):
        """Serialize code checks of one month (concurrent guesses would count
        as one failure otherwise)."""
        request.env.cr.execute(
            "SELECT id FROM regie_timesheet_period WHERE id = %s FOR UPDATE",
            [period.id],
        )
        period.invalidate_recordset(
            [
                "validation_code_hash",
                "validation_code_expiry",
                "validation_code_failures",
                "validation_code_locked_until",
            ]
        )

    @staticmethod
    def _regie_check_signature(signature):
        """The decoded signature image, or raise UserError: PNG or JPEG only,
        at most SIGNATURE_MAX_BYTES."""
        if not isinstance(signature, str):
            raise UserError(request.env._("Invalid signature data."))
        # Refuse a huge payload before decoding it (base64: 4 chars / 3 bytes).
        if len(signature) > (SIGNATURE_MAX_BYTES + 2) // 3 * 4 + 4:
            raise UserError(
                request.env._(
                    "The signature image is too large (at most %(size)s KB).",
                    size=SIGNATURE_MAX_BYTES // 1024,
                )
            )
        try:
            data = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(request.env._("Invalid signature data.")) from error
        if len(data) > SIGNATURE_MAX_BYTES:
            raise UserError(
                request.env._(
                    "The signature image is too large (at most %(size)s KB).",
                    size=SIGNATURE_MAX_BYTES // 1024,
                )
            )
        if not data.startswith(SIGNATURE_MAGIC):
            raise UserError(request.env._("The signature must be a PNG or JPEG image."))
        return data

    def _regie_consume_code(self, period):
        """A verified code allows one action: forget it once used."""
        session_codes = dict(request.session.get(SESSION_KEY) or {})
        if session_codes.pop(str(period.id), None) is not None:
            request.session[SESSION_KEY] = session_codes

    # ------------------------------------------------------------------
    # /my home
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "regie_contract_count" in counters:
            values["regie_contract_count"] = self._regie_sudo(
                CONTRACT_MODEL
            ).search_count(self._regie_portal_domain(CONTRACT_MODEL))
        if {"regie_month_count", "regie_month_to_validate_count"} & set(counters):
            domain = self._regie_portal_domain(PERIOD_MODEL)
            counts = dict(
                self._regie_sudo(PERIOD_MODEL)._read_group(
                    domain, ["state"], ["__count"]
                )
            )
            # Only the counters asked for: the portal home fills one element
            # per key it receives, and an element it did not ask for may not
            # be on the page (a JavaScript error on the second visit).
            if "regie_month_count" in counters:
                values["regie_month_count"] = sum(counts.values())
            if "regie_month_to_validate_count" in counters:
                values["regie_month_to_validate_count"] = counts.get("submitted", 0)
        return values

    # ------------------------------------------------------------------
    # Contracts
    # ------------------------------------------------------------------

    @http.route(
        ["/my/regie/contracts", "/my/regie/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_contracts(self, page=1, **kw):
        values = self._regie_list_values(
            CONTRACT_MODEL, [], "/my/regie/contracts", page
        )
        values.update(contracts=values.pop("records"), page_name="regie_contracts")
        return request.render("regie_staffing.portal_my_regie_contracts", values)

    @http.route(
        ["/my/regie/contracts/<int:contract_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_contract(self, contract_id, **kw):
        try:
            contract = self._regie_contract_check_access(contract_id)
        except MissingError as error:
            return self._regie_error_response(error)
        months = self._regie_sudo(PERIOD_MODEL).search(
            expression.AND(
                [
                    self._regie_portal_domain(PERIOD_MODEL),
                    [("contract_id", "=", contract.id)],
                ]
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "contract": contract,
                "missions": contract.mission_ids.filtered(
                    lambda mission: mission.state != "cancelled"
                ),
                "months": months,
                "page_name": "regie_contract",
                **self._regie_contract_page_values(contract, months),
            }
        )
        return request.render("regie_staffing.portal_my_regie_contract", values)

    def _regie_contract_page_values(self, contract, months):
        """More values of a contract's portal page (hook; ``contract`` and
        ``months`` are sudo records within the portal domain)."""
        return {}

    # ------------------------------------------------------------------
    # Months
    # ------------------------------------------------------------------

    def _regie_month_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "submitted": {
                "label": request.env._("To validate"),
                "domain": [("state", "=", "submitted")],
            },
            "contested": {
                "label": request.env._("Contested"),
                "domain": [("state", "=", "contested")],
            },
            "validated": {
                "label": request.env._("Validated"),
                "domain": [("state", "in", ("validated", "invoiced"))],
            },
        }

    @http.route(
        ["/my/regie/months", "/my/regie/months/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_months(self, page=1, filterby=None, **kw):
        filters = self._regie_month_filters()
        if filterby not in filters:
            filterby = "all"
        values = self._regie_list_values(
            PERIOD_MODEL,
            filters[filterby]["domain"],
            "/my/regie/months",
            page,
            url_args={"filterby": filterby},
        )
        values.update(
            months=values.pop("records"),
            page_name="regie_months",
            searchbar_filters=filters,
            filterby=filterby,
        )
        return request.render("regie_staffing.portal_my_regie_months", values)

    def _regie_list_values(self, model, domain, url, page, url_args=None):
        """One page of ``model`` records within the portal domain, with its pager."""
        records = self._regie_sudo(model)
        domain = expression.AND([self._regie_portal_domain(model), domain])
        pager = portal_pager(
            url=url,
            url_args=url_args,
            total=records.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            records=records.search(
                domain, limit=self._items_per_page, offset=pager["offset"]
            ),
            pager=pager,
            default_url=url,
        )
        return values

    @staticmethod
    def _regie_form_ids(name):
        """The record ids a form posted under ``name`` (checkboxes), ignoring
        anything that is not an id; what they designate is checked by the
        model."""
        values = request.httprequest.form.getlist(name)
        return [int(value) for value in values if value.isdigit()]

    def _regie_month_url(self, period, access_token=None, suffix="", **query):
        url = f"/my/regie/months/{period.id}{suffix}"
        params = {key: value for key, value in query.items() if value}
        if access_token:
            params["access_token"] = access_token
        if params:
            url += "?" + urlencode(params)
        return url

    @http.route(
        ["/my/regie/months/<int:period_id>"], type="http", auth="public", website=True
    )
    def portal_my_regie_month(self, period_id, access_token=None, message=None, **kw):
        period, error_response = self._regie_month_or_error(period_id, access_token)
        if error_response:
            return error_response
        validator = self._regie_validator_partner(period)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "period": period,
                "page_name": "regie_month",
                "access_token": access_token,
                "message": message,
                "can_sign": bool(validator) and period.state == "submitted",
                "code_sent": bool(
                    period.validation_code_hash
                    and period.validation_code_expiry
                    and period.validation_code_expiry > fields.Datetime.now()
                ),
                "validator_email": self._regie_mask_email(
                    period.validator_partner_id.email
                ),
                "accept_url": self._regie_month_url(period, access_token, "/accept"),
                "month_url": self._regie_month_url(period, access_token),
                "pdf_url": self._regie_month_url(period, access_token, "/pdf"),
            }
        )
        return request.render("regie_staffing.portal_my_regie_month", values)

    @staticmethod
    def _regie_mask_email(email):
        """c***@client.com: enough for the visitor to recognise the address."""
        if not email or "@" not in email:
            return ""
        local, _sep, domain = email.partition("@")
        return f"{local[:1]}***@{domain}"

    @http.route(
        ["/my/regie/months/<int:period_id>/pdf"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_regie_month_pdf(self, period_id, access_token=None, download=None):
        period, error_response = self._regie_month_or_error(period_id, access_token)
        if error_response:
            return error_response
        # Just validated, its report may still be pending: rendered now.
        attachment = (
            period._get_signed_report() if "report_attachment_id" in period else False
        )
        if attachment and attachment.mimetype == "application/pdf" and attachment.raw:
            # The signed CRA frozen at validation, not a re-rendering.
            filename = attachment.name or f"{period.display_name}.pdf"
            headers = [
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(attachment.raw)),
                (
                    "Content-Disposition",
                    content_disposition(
                        filename,
                        disposition_type="attachment" if download else "inline",
                    ),
                ),
            ]
            return request.make_response(attachment.raw, headers=headers)
        return self._show_report(
            model=period,
            report_type="pdf",
            report_ref="regie_staffing.action_report_regie_timesheet_period",
            download=download,
        )

    # ------------------------------------------------------------------
    # One-time code
    # ------------------------------------------------------------------

    @http.route(
        ["/my/regie/months/<int:period_id>/send_code"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_my_regie_month_send_code(self, period_id, access_token=None, **kw):
        period, error_response = self._regie_month_or_error(period_id, access_token)
        if error_response:
            return error_response
        if period.state != "submitted":
            return self._regie_error_response(
                UserError(
                    request.env._("This activity report is not waiting for validation.")
                ),
                status=409,
            )
        validator = period.validator_partner_id
        if not validator.email:
            return self._regie_error_response(
                UserError(
                    request.env._(
                        "No e-mail address is known for the validator of this "
                        "month: ask your provider to set one."
                    )
                ),
                status=409,
            )
        self._regie_lock_month_row(period)
        lock_response = self._regie_code_lock_response(period)
        if lock_response:
            return lock_response
        expiry = period.validation_code_expiry
        now = fields.Datetime.now()
        if expiry and expiry - CODE_VALIDITY + CODE_RESEND_DELAY > now:
            # Sent less than a minute ago: do not flood the validator. A code
            # burnt by a wrong guess keeps its send time, hence the delay.
            if period.validation_code_hash:
                return request.redirect(
                    self._regie_month_url(period, access_token, message="code_sent")
                )
            seconds = int((expiry - CODE_VALIDITY + CODE_RESEND_DELAY - now).seconds)
            return self._regie_error_response(
                UserError(
                    request.env._(
                        "A new code can be sent one minute after the previous "
                        "one: please wait %(seconds)s seconds.",
                        seconds=max(seconds, 1),
                    )
                ),
                status=429,
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        self._regie_write_code(
            period,
            self._regie_code_digest(period, code),
            fields.Datetime.now() + CODE_VALIDITY,
        )
        template = request.env.ref(
            "regie_staffing.mail_template_regie_period_validation_code"
        )
        # sudo: the visitor may be public; the code goes only to the validator.
        template.sudo().with_context(regie_validation_code=code).send_mail(
            period.id, force_send=True
        )
        return request.redirect(
            self._regie_month_url(period, access_token, message="code_sent")
        )

    @http.route(
        ["/my/regie/months/<int:period_id>/verify_code"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_my_regie_month_verify_code(
        self, period_id, access_token=None, code=None, **kw
    ):
        period, error_response = self._regie_month_or_error(period_id, access_token)
        if error_response:
            return error_response
        self._regie_lock_month_row(period)
        lock_response = self._regie_code_lock_response(period)
        if lock_response:
            return lock_response
        expiry = period.validation_code_expiry
        if (
            period.state != "submitted"
            or not period.validation_code_hash
            or not expiry
            or expiry <= fields.Datetime.now()
        ):
            return request.redirect(
                self._regie_month_url(period, access_token, message="code_expired")
            )
        code = (code or "").strip()
        valid = code.isdigit() and consteq(
            self._regie_code_digest(period, code), period.validation_code_hash
        )
        # Single use, and one guess per code: a wrong one burns it too, so that
        # six digits cannot be brute-forced (the validator asks for a new one
        # after the resend delay: the expiry is kept to tell when it was sent).
        # Wrong codes are counted and lock code entry after a few.
        if not valid:
            self._regie_write_code(period, expiry=expiry)
            self._regie_register_code_failure(period)
            return request.redirect(
                self._regie_month_url(period, access_token, message="code_wrong")
            )
        self._regie_write_code(period)
        # The right code proves the address: its months start afresh.
        self._regie_address_months(period).filtered(
            lambda month: (
                month.validation_code_failures or month.validation_code_locked_until
            )
        )._period_workflow().write(
            {"validation_code_failures": 0, "validation_code_locked_until": False}
        )
        # The code is consumed; this session may act once until it expires.
        session_codes = dict(request.session.get(SESSION_KEY) or {})
        session_codes[str(period.id)] = fields.Datetime.to_string(expiry)
        request.session[SESSION_KEY] = session_codes
        return request.redirect(
            self._regie_month_url(period, access_token, message="code_ok")
        )

    # ------------------------------------------------------------------
    # Validate (signature) and contest
    # ------------------------------------------------------------------

    @http.route(
        ["/my/regie/months/<int:period_id>/accept"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_my_regie_month_accept(
        self, period_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            period = self._regie_month_check_access(period_id, access_token)
        except (AccessError, MissingError) as error:
            return {"error": error.args[0]}
        if period.state != "submitted":
            return {
                "error": request.env._(
                    "This activity report is not waiting for validation."
                )
            }
        validator = self._regie_validator_partner(period)
        if not validator:
            return {
                "error": request.env._(
                    "Only the designated validator may sign this month: log in "
                    "as that contact or enter the code e-mailed to them."
                )
            }
        if not name:
            return {"error": request.env._("Your name is missing.")}
        if not signature:
            return {"error": request.env._("Signature is missing.")}
        try:
            self._regie_check_signature(signature)
        except UserError as error:
            return {"error": error.args[0]}
        try:
            # A refusal returns an error to the widget: roll back what the
            # validation may have written before it, the request still commits.
            with request.env.cr.savepoint():
                period._portal_validate(validator, signature, name)
        except (TypeError, binascii.Error):
            return {"error": request.env._("Invalid signature data.")}
        except (UserError, ValidationError, AccessError) as error:
            return {"error": error.args[0]}
        self._regie_consume_code(period)
        # The token was rotated by the validation: hand the signer the new one
        # so that they can still read what they signed; the old link is dead.
        new_token = period.access_token if access_token else None
        return {
            "force_refresh": True,
            "redirect_url": self._regie_month_url(
                period, new_token, message="validated"
            ),
        }

    @http.route(
        ["/my/regie/months/<int:period_id>/contest"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_my_regie_month_contest(
        self, period_id, access_token=None, reason=None, **kw
    ):
        period, error_response = self._regie_month_or_error(period_id, access_token)
        if error_response:
            return error_response
        if period.state != "submitted":
            return self._regie_error_response(
                UserError(
                    request.env._("This activity report is not waiting for validation.")
                ),
                status=409,
            )
        validator = self._regie_validator_partner(period)
        if not validator:
            return self._regie_error_response(
                AccessError(
                    request.env._(
                        "Only the designated validator may contest this month: "
                        "log in as that contact or enter the code e-mailed to them."
                    )
                )
            )
        reason = (reason or "").strip()
        if not reason:
            return request.redirect(
                self._regie_month_url(period, access_token, message="reason_missing")
            )
        try:
            with request.env.cr.savepoint():
                period._portal_contest(
                    validator,
                    reason,
                    line_ids=self._regie_form_ids("line_ids"),
                    requested_correction=(kw.get("requested_correction") or "").strip(),
                )
        except (UserError, ValidationError, AccessError) as error:
            return self._regie_error_response(error, status=409)
        self._regie_consume_code(period)
        return request.redirect(
            self._regie_month_url(period, access_token, message="contested")
        )
