import logging

from psycopg2 import OperationalError

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import formatLang

_logger = logging.getLogger(__name__)

THRESHOLD_PARAM = "regie_staffing.close_batch_threshold"
# Months above which a list action runs in the background.
DEFAULT_THRESHOLD = 50
# Months processed per scheduler call: each call is one transaction.
CHUNK_SIZE = 50
CRON_XMLID = "regie_staffing.regie_close_batch_cron_process"
ACTIVE_STATES = ("queued", "running")


class RegieCloseBatch(models.Model):
    """A monthly close run in the background: the months of a large list
    selection (or of a monthly scheduled action) processed by a scheduled
    action, a chunk per transaction, with the rights of the user who asked;
    one month that fails is recorded with its reason and the others go on."""

    _name = "regie.close.batch"
    _description = "Monthly Close Batch"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    operation = fields.Selection(
        [
            ("generate", "Generate months"),
            ("submit", "Submit"),
            ("validate", "Validate"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        string="Status",
        default="queued",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        help="Done: every month was processed (those that failed are listed with "
        "their reason). Failed: no month could be processed.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested by",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
        help="The months are processed with this user's rights, and this user "
        "is told when the batch is over.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    period_ids = fields.Many2many(
        "regie.timesheet.period",
        string="Months",
        readonly=True,
        help="The months to process (for a generation, the months created).",
    )
    mission_ids = fields.Many2many(
        "regie.mission",
        string="Missions",
        readonly=True,
        help="The missions whose month is generated.",
    )
    date = fields.Date(string="Month to generate", readonly=True)
    tacit_acceptance = fields.Boolean(
        readonly=True,
        help="The months are validated by tacit acceptance (no answer of the "
        "client within the contract's delay).",
    )
    todo_ids = fields.Json(
        string="Records to process",
        readonly=True,
        copy=False,
        help="Ids of the records still to process, in processing order.",
    )
    total_count = fields.Integer(string="Total", readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    remaining_count = fields.Integer(string="Remaining", readonly=True)
    progress = fields.Float(
        compute="_compute_progress", help="Share of the months processed (%)."
    )
    line_ids = fields.One2many(
        "regie.close.batch.line", "batch_id", string="Failures", readonly=True
    )
    date_start = fields.Datetime(string="Started on", readonly=True, copy=False)
    date_done = fields.Datetime(string="Finished on", readonly=True, copy=False)

    @api.depends("total_count", "remaining_count")
    def _compute_progress(self):
        for batch in self:
            batch.progress = (
                100.0 * (batch.total_count - batch.remaining_count) / batch.total_count
                if batch.total_count
                else 0.0
            )

    @api.depends("operation", "total_count")
    def _compute_display_name(self):
        operations = dict(self._fields["operation"]._description_selection(self.env))
        for batch in self:
            batch.display_name = self.env._(
                "%(operation)s: %(count)s months (#%(id)s)",
                operation=operations.get(batch.operation, batch.operation or ""),
                count=formatLang(self.env, batch.total_count, digits=0),
                id=batch.id or "",
            )

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------

    @api.model
    def _get_threshold(self):
        """Above how many months a list action runs in the background
        (system parameter ``regie_staffing.close_batch_threshold``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM)
        try:
            return max(int(value), 0) if value else DEFAULT_THRESHOLD
        except ValueError:
            _logger.warning(
                "%s is not a number (%r): %s months are used.",
                THRESHOLD_PARAM,
                value,
                DEFAULT_THRESHOLD,
            )
            return DEFAULT_THRESHOLD

    @api.model
    def _is_large(self, count):
        return count > self._get_threshold()

    @api.model
    def _enqueue(self, operation, records, **vals):
        """Queue ``records`` (months, or missions for a generation) for
        ``operation`` as the current user and wake the scheduled action up.
        Whoever may act on the months may queue them: the batch record itself
        is technical, its processing runs with the user's rights."""
        ids = self._get_todo_ids(operation, records)
        field = "mission_ids" if operation == "generate" else "period_ids"
        batch = self.sudo().create(
            {
                "operation": operation,
                "user_id": self.env.uid,
                "company_id": self.env.company.id,
                field: [Command.set(ids)],
                "todo_ids": ids,
                "total_count": len(ids),
                "remaining_count": len(ids),
                **vals,
            }
        )
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        return batch.with_env(self.env)

    @api.model
    def _get_todo_ids(self, operation, records):
        """Hook: the ids to process, in processing order."""
        return list(dict.fromkeys(records.ids))

    @api.model
    def _get_queued_ids(self, operation, **domain_values):
        """Ids still waiting in the queued or running batches of
        ``operation``: a scheduled action does not queue them twice."""
        domain = [("state", "in", ACTIVE_STATES), ("operation", "=", operation)]
        domain += [(name, "=", value) for name, value in domain_values.items()]
        return {
            res_id for batch in self.sudo().search(domain) for res_id in batch.todo_ids
        }

    def _get_queued_action(self):
        """The notification answering a list action that was queued."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Monthly close in the background"),
                "message": self.env._(
                    "%(count)s months queued: see the progress in %(link)s.",
                    count=formatLang(self.env, self.total_count, digits=0),
                    link="%s",
                ),
                "links": [
                    {
                        "label": self.display_name,
                        "url": f"/odoo/regie-close-batches/{self.id}",
                    }
                ],
                "sticky": False,
            },
        }

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_batches(self, chunk_size=CHUNK_SIZE):
        """Process the next chunk of the oldest batch. The scheduler commits
        after each call and calls again while months remain, so the work is
        done (and its progress saved) a chunk per transaction."""
        batches = self.sudo().search([("state", "in", ACTIVE_STATES)], order="id")
        if not batches:
            return True
        processed = batches[0]._process_next_chunk(chunk_size)
        self.env["ir.cron"]._notify_progress(
            done=processed, remaining=sum(batches.mapped("remaining_count"))
        )
        return True

    def _process_next_chunk(self, chunk_size):
        """Process the next ``chunk_size`` records of the batch (fewer or more
        when the operation keeps some together); return how many."""
        self.ensure_one()
        todo = list(self.todo_ids or [])
        if self.state == "queued":
            self.write({"state": "running", "date_start": fields.Datetime.now()})
        chunk_ids = self._get_chunk_ids(todo, chunk_size)
        failures = self._run_chunk(chunk_ids) if chunk_ids else {}
        left = todo[len(chunk_ids) :]
        self.write(
            {
                "todo_ids": left,
                "remaining_count": len(left),
                "done_count": self.done_count + len(chunk_ids) - len(failures),
                "failed_count": self.failed_count + len(failures),
                "line_ids": [
                    Command.create(self._prepare_line_values(res_id, reason))
                    for res_id, reason in failures.items()
                ],
            }
        )
        if not left:
            self._finish()
        return len(chunk_ids)

    def _get_chunk_ids(self, todo, chunk_size):
        """Hook: the ids of the next chunk, taken from the head of ``todo``."""
        return todo[:chunk_size]

    def _prepare_line_values(self, res_id, reason):
        if self.operation == "generate":
            return {"mission_id": res_id, "reason": reason}
        return {"period_id": res_id, "reason": reason}

    def _get_records(self, ids):
        """The records of ``ids`` in the environment of the user who asked:
        his rights, his language, the batch's company first."""
        user = self.user_id
        model = (
            "regie.mission"
            if self.operation == "generate"
            else "regie.timesheet.period"
        )
        env = self.env(
            user=user,
            su=False,
            context=dict(
                self.env.context,
                lang=user.lang,
                tz=user.tz,
                allowed_company_ids=(self.company_id | user.company_ids).ids,
            ),
        )
        return env[model].browse(ids)

    def _run_chunk(self, ids):
        """Run the operation on ``ids`` in a savepoint; when the whole chunk
        fails, month by month so that one bad month fails alone.

        :return: {id: reason} of the records that failed
        """
        records = self._get_records(ids)
        existing = records.sudo().exists()
        failures = {
            res_id: self.env._("This record no longer exists.")
            for res_id in ids
            if res_id not in existing.ids
        }
        records = records.browse(existing.ids)
        try:
            failures.update(self._run_in_savepoint(records))
            return failures
        except OperationalError:
            # A concurrent update or lock: the scheduler retries the chunk.
            raise
        except Exception as error:  # noqa: BLE001 - isolated month by month
            if len(records) == 1:
                failures[records.id] = self._get_failure_reason(error)
                return failures
        for record in records:
            try:
                failures.update(self._run_in_savepoint(record))
            except OperationalError:
                raise
            except Exception as error:  # noqa: BLE001 - this month fails alone
                failures[record.id] = self._get_failure_reason(error)
        return failures

    def _run_in_savepoint(self, records):
        with self._savepoint():
            return self._run_operation(records) or {}

    def _savepoint(self):
        """A savepoint for a part of the chunk. Rolling one back drops the
        pending tracking of the months processed before it: that is written
        first."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env.cr.savepoint()

    def _get_failure_reason(self, error):
        if isinstance(error, UserError | AccessError | ValidationError):
            return str(error.args[0] if error.args else error)
        _logger.exception("Monthly close batch %s: unexpected error", self.id)
        return self.env._("Unexpected error: %(error)s", error=str(error) or error)

    def _run_operation(self, records):
        """Run the batch's operation on ``records`` (in the environment of the
        user who asked). Raise to fail them all; or return {id: reason} of
        the records that failed while the others succeeded."""
        return getattr(self, f"_run_{self.operation}")(records)

    def _run_generate(self, missions):
        periods = missions.env["regie.timesheet.period"]
        if not (
            periods.env.su or periods.env.user.has_group("regie_staffing.group_lead")
        ):
            raise AccessError(
                self.env._(
                    "Only project leads and régie managers can generate monthly "
                    "activity reports."
                )
            )
        existing = periods.sudo().search_fetch(
            [("mission_id", "in", missions.ids), ("date_from", "=", self.date)],
            ["mission_id"],
        )
        created = periods.create(
            [
                {"mission_id": mission.id, "date_from": self.date}
                for mission in missions - existing.mission_id
            ]
        )
        self.period_ids = [Command.link(period.id) for period in created]
        return {}

    def _run_submit(self, periods):
        periods.action_submit()
        return {}

    def _run_validate(self, periods):
        if not self.tacit_acceptance:
            periods.action_validate()
            return {}
        periods._lock_for_update()
        failures = {}
        for period in periods.filtered(lambda period: period.state != "submitted"):
            failures[period.id] = self.env._(
                "%(month)s is %(state)s: it was answered before its tacit acceptance.",
                month=period.name,
                state=period._get_state_label(),
            )
        periods.filtered(lambda period: period.state == "submitted")._do_validate(
            tacit=True
        )
        return failures

    def _finish(self):
        """Close the batch and tell the user who asked."""
        self.write(
            {
                "state": "failed"
                if self.failed_count and not self.done_count
                else "done",
                "date_done": fields.Datetime.now(),
            }
        )
        user = self.user_id
        if not user.active or user._is_superuser() or user.share:
            return
        batch = self.with_context(lang=user.lang)
        batch.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=batch.env._(
                "Monthly close finished: %(batch)s", batch=batch.display_name
            ),
            note=batch.env._(
                "%(done)s months done, %(failed)s failed.",
                done=formatLang(batch.env, self.done_count, digits=0),
                failed=formatLang(batch.env, self.failed_count, digits=0),
            ),
        )


class RegieCloseBatchLine(models.Model):
    _name = "regie.close.batch.line"
    _description = "Monthly Close Batch Failure"
    _order = "id"

    batch_id = fields.Many2one(
        "regie.close.batch", required=True, ondelete="cascade", index=True
    )
    period_id = fields.Many2one(
        "regie.timesheet.period", string="Month", ondelete="cascade", index=True
    )
    mission_id = fields.Many2one("regie.mission", ondelete="cascade")
    reason = fields.Text(required=True)
