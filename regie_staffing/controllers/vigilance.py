import base64
from urllib.parse import urlencode

from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.http import content_disposition, request
from odoo.tools import format_date

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.regie_vigilance_document import DOCUMENT_TYPES

DOCUMENT_MODEL = "regie.vigilance.document"
# An uploaded vigilance document: a PDF or an image, at most 10 MB.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
VERIFICATION_CODE_MAX_LENGTH = 64


class RegieVigilancePortal(CustomerPortal):
    """The provider's portal contact sees the vigilance documents his
    company's purchase contracts require and uploads them.

    Portal users have no access right on the documents: every read and the
    creation go through ``sudo()`` restricted to the caller's commercial
    partner (:meth:`_regie_vigilance_provider`), the security boundary.
    """

    def _regie_vigilance_provider(self):
        """The caller's company (commercial partner), or an empty recordset
        for the public user."""
        user = request.env.user
        if user._is_public():
            return request.env["res.partner"]
        return user.partner_id.commercial_partner_id

    def _regie_vigilance_contracts(self, provider):
        # sudo: portal users cannot read contracts; strictly the provider's.
        if not provider:
            return request.env["regie.contract"]
        return (
            request.env[DOCUMENT_MODEL]
            .sudo()
            ._regie_required_contracts(providers=provider)
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        wanted = {"regie_vigilance_count", "regie_vigilance_todo_count"} & set(counters)
        if wanted:
            provider = self._regie_vigilance_provider()
            contracts = self._regie_vigilance_contracts(provider)
            todo = 0
            if contracts:
                status = request.env[DOCUMENT_MODEL]._regie_vigilance_status(provider)
                todo = sum(1 for line in status[provider] if line["state"] != "valid")
            if "regie_vigilance_count" in counters:
                values["regie_vigilance_count"] = (
                    len(DOCUMENT_TYPES) if contracts else 0
                )
            if "regie_vigilance_todo_count" in counters:
                values["regie_vigilance_todo_count"] = todo
        return values

    def _regie_vigilance_page(self, error=None, error_type=None, status=200, **kw):
        provider = self._regie_vigilance_provider()
        contracts = self._regie_vigilance_contracts(provider)
        Document = request.env[DOCUMENT_MODEL]
        lines = (
            Document._regie_vigilance_status(provider)[provider] if contracts else []
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "regie_vigilance",
                "provider": provider,
                "contracts": contracts,
                "lines": lines,
                "state_labels": Document._regie_state_labels(),
                "error": error,
                "error_type": error_type,
                "uploaded": kw.get("uploaded"),
                "today": fields.Date.context_today(Document),
                "format_date": lambda day: format_date(request.env, day),
            }
        )
        return request.render(
            "regie_staffing.portal_my_regie_vigilance", values, status=status
        )

    @http.route(["/my/vigilance"], type="http", auth="user", website=True)
    def portal_my_regie_vigilance(self, uploaded=None, **kw):
        return self._regie_vigilance_page(uploaded=uploaded)

    def _regie_vigilance_check_upload(
        self, provider, document_type, upload, issue_date, code
    ):
        """The values of the document to create, or raise ValidationError
        with a message naming the field at fault."""
        env = request.env
        types = dict(DOCUMENT_TYPES)
        if document_type not in types:
            raise ValidationError(
                env._("Document: choose one of the listed documents.")
            )
        if not upload or not getattr(upload, "filename", None):
            raise ValidationError(env._("File: choose the file of the document."))
        content = upload.read(UPLOAD_MAX_BYTES + 1)
        if not content:
            raise ValidationError(env._("File: the file is empty."))
        if len(content) > UPLOAD_MAX_BYTES:
            raise ValidationError(
                env._(
                    "File: the file is larger than %(size)s MB.",
                    size=UPLOAD_MAX_BYTES // (1024 * 1024),
                )
            )
        if not any(content.startswith(magic) for magic in UPLOAD_MAGIC):
            raise ValidationError(
                env._("File: only PDF, PNG and JPEG files are accepted.")
            )
        try:
            day = fields.Date.to_date(issue_date or None)
        except ValueError:
            day = None
        if not day:
            raise ValidationError(
                env._("Issue date: enter the date the document was issued.")
            )
        if day > fields.Date.context_today(request.env[DOCUMENT_MODEL]):
            raise ValidationError(
                env._("Issue date: the date cannot be in the future.")
            )
        code = (code or "").strip()
        if document_type == "urssaf":
            if not code:
                raise ValidationError(
                    env._(
                        "Security code: enter the security code printed on the "
                        "URSSAF certificate."
                    )
                )
            if (
                len(code) > VERIFICATION_CODE_MAX_LENGTH
                or not code.replace(" ", "").isalnum()
            ):
                raise ValidationError(
                    env._(
                        "Security code: letters and digits only, as printed on "
                        "the certificate."
                    )
                )
        return {
            "partner_id": provider.id,
            "document_type": document_type,
            "issue_date": day,
            "verification_code": code if document_type == "urssaf" else False,
            "document": base64.b64encode(content),
            "document_name": upload.filename[:255],
            "uploaded_from_portal": True,
        }

    @http.route(
        ["/my/vigilance/upload"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_regie_vigilance_upload(
        self,
        document_type=None,
        file=None,
        issue_date=None,
        verification_code=None,
        **kw,
    ):
        provider = self._regie_vigilance_provider()
        contracts = self._regie_vigilance_contracts(provider)
        if not contracts:
            return request.not_found()
        try:
            vals = self._regie_vigilance_check_upload(
                provider, document_type, file, issue_date, verification_code
            )
        except ValidationError as error:
            return self._regie_vigilance_page(
                error=error.args[0], error_type=document_type, status=400
            )
        # sudo: portal users may not create documents; the values are
        # checked above and the provider is the caller's own company. One
        # document per company the provider works for under these contracts.
        documents = (
            request.env[DOCUMENT_MODEL]
            .sudo()
            .create(
                [dict(vals, company_id=company.id) for company in contracts.company_id]
            )
        )
        for document in documents:
            document.message_post(
                body=request.env._(
                    "Uploaded in the portal by %s; to be checked.",
                    request.env.user.partner_id.display_name,
                ),
                author_id=request.env.user.partner_id.id,
            )
        # The buyers are asked to check it (sudo: the contracts are the
        # provider's own, found above).
        label = documents[:1]._get_type_label()
        for contract in contracts:
            user = contract.user_id or contract.project_lead_ids[:1]
            if user:
                contract.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=request.env._(
                        "Check the %(document)s uploaded by %(provider)s",
                        document=label,
                        provider=provider.display_name,
                    ),
                    user_id=user.id,
                )
        return request.redirect(
            "/my/vigilance?" + urlencode({"uploaded": document_type})
        )

    @http.route(
        ["/my/vigilance/document/<int:document_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_vigilance_document(self, document_id, **kw):
        provider = self._regie_vigilance_provider()
        # sudo: strictly one of the caller's company's documents (else 404,
        # never telling another provider's document exists).
        document = (
            request.env[DOCUMENT_MODEL]
            .sudo()
            .search(
                [("id", "=", document_id), ("partner_id", "=", provider.id)], limit=1
            )
            if provider
            else None
        )
        if not document or not document.document:
            return request.not_found()
        content = base64.b64decode(document.document)
        mimetype = next(
            (kind for magic, kind in UPLOAD_MAGIC.items() if content.startswith(magic)),
            "application/octet-stream",
        )
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    content_disposition(document.document_name or "document"),
                ),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
