from datetime import date

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PERIOD_MODEL = "regie.timesheet.period"
REPORT_XMLID = "regie_staffing.action_report_regie_timesheet_period"


class RegieExtranet(CustomerPortal):
    """The consultants' extranet: a consultant's own months in the portal.

    The months are read with sudo restricted to the logged-in user's missions
    (``_extranet_domain``, the security boundary); what he enters is saved by
    the timesheet lines' own methods as himself (``_extranet_save``)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "regie_timesheet_count" in counters:
            values["regie_timesheet_count"] = (
                request.env[PERIOD_MODEL]
                .sudo()
                .search_count(
                    request.env[PERIOD_MODEL]._extranet_domain(request.env.user)
                )
            )
        return values

    def _extranet_month_or_404(self, period_id):
        try:
            return request.env[PERIOD_MODEL]._extranet_get_month(
                period_id, request.env.user
            ), None
        except MissingError as error:
            return None, request.render(
                "regie_staffing.portal_regie_error",
                {
                    **self._prepare_portal_layout_values(),
                    "error_message": error.args[0],
                },
                status=404,
            )

    @http.route(
        ["/my/regie/timesheets", "/my/regie/timesheets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_timesheets(self, page=1, **kw):
        Period = request.env[PERIOD_MODEL]
        domain = Period._extranet_domain(request.env.user)
        count = Period.sudo().search_count(domain)
        pager = portal_pager(
            url="/my/regie/timesheets",
            total=count,
            page=page,
            step=self._items_per_page,
        )
        months = Period.sudo().search(
            domain,
            order="date_from desc, id",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        return request.render(
            "regie_staffing.portal_my_regie_timesheets",
            {
                **self._prepare_portal_layout_values(),
                "months": months,
                "pager": pager,
                "page_name": "regie_timesheets",
            },
        )

    def _extranet_render_month(self, period, error=None, entries=None, warnings=None):
        rows = period._extranet_rows()
        if entries:
            # What the consultant typed is shown again after an error.
            for row in rows:
                if row["date"] in entries:
                    text, activity_id, comment = entries[row["date"]]
                    row.update(
                        amount=text, activity_type_id=activity_id, comment=comment
                    )
        return request.render(
            "regie_staffing.portal_my_regie_timesheet",
            {
                **self._prepare_portal_layout_values(),
                "period": period,
                "rows": rows,
                "unit": period._extranet_unit(),
                "editable": period.state == "draft",
                "activity_types": period._extranet_activity_types(),
                "error": error,
                "warnings": warnings,
                "message": request.params.get("message"),
                "page_name": "regie_timesheet",
            },
            status=400 if error else 200,
        )

    @http.route(
        "/my/regie/timesheets/<int:period_id>", type="http", auth="user", website=True
    )
    def portal_my_regie_timesheet(self, period_id, **kw):
        period, response = self._extranet_month_or_404(period_id)
        return response or self._extranet_render_month(period)

    @staticmethod
    def _extranet_entries(period, form):
        """{date: (typed text, activity type id, comment)} from the form."""
        entries = {}
        for key, text in form.items():
            if not key.startswith("amount_"):
                continue
            try:
                day = date.fromisoformat(key[len("amount_") :])
            except ValueError:
                continue
            iso = day.isoformat()
            activity = form.get(f"activity_{iso}") or ""
            entries[day] = (
                text,
                int(activity) if activity.isdigit() else False,
                form.get(f"comment_{iso}", ""),
            )
        return entries

    @http.route(
        "/my/regie/timesheets/<int:period_id>/save",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_regie_timesheet_save(self, period_id, **form):
        period, response = self._extranet_month_or_404(period_id)
        if response:
            return response
        entries = self._extranet_entries(period, form)
        try:
            with request.env.cr.savepoint():
                period._extranet_save(entries)
                if form.get("submit"):
                    warnings = period._get_submit_warnings()[period.id]
                    if warnings and not form.get("confirm"):
                        period.invalidate_recordset()
                        return self._extranet_render_month(period, warnings=warnings)
                    period._extranet_submit()
        except (UserError, ValidationError, AccessError) as error:
            period.invalidate_recordset()
            return self._extranet_render_month(
                period, error=error.args[0], entries=entries
            )
        message = "submitted" if form.get("submit") else "saved"
        return request.redirect(f"/my/regie/timesheets/{period.id}?message={message}")

    @http.route(
        "/my/regie/timesheets/<int:period_id>/pdf",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_regie_timesheet_pdf(self, period_id, **kw):
        period, response = self._extranet_month_or_404(period_id)
        if response:
            return response
        attachment = period.report_attachment_id
        if attachment and attachment.mimetype == "application/pdf":
            content = attachment.raw
        else:
            content = (
                request.env["ir.actions.report"]
                .sudo()
                ._render_qweb_pdf(REPORT_XMLID, period.ids)[0]
            )
        filename = f"{period._get_report_base_filename()}.pdf"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
