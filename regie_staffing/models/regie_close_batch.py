import logging

from psycopg2 import OperationalError
from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

_logger = logging.getLogger(__name__)

THRESHOLD_PARAM = "regie_staffing.close_batch_threshold"
# Months above which a list action runs in the background.
DEFAULT_THRESHOLD = 50
# Months processed per scheduler call: each call is one transaction.
CHUNK_SIZE = 50
CRON_XMLID = "regie_staffing.regie_close_batch_cron_process"
ACTIVE_STATES = ("queued", "running")
FINISHED_STATES = ("done", "failed", "cancelled")
MANAGER_GROUP = "regie_staffing.group_manager"


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
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="queued",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        help="Done: every month was processed (those that failed are listed with "
        "their reason). Failed: no month could be processed. Cancelled: stopped "
        "by a user; the months processed before stay processed, the others were "
        "released.",
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
    released_count = fields.Integer(
        string="Released",
        readonly=True,
        help="Records left unprocessed when the batch was cancelled.",
    )
    progress = fields.Float(
        compute="_compute_progress", help="Share of the months processed (%)."
    )
    line_ids = fields.One2many(
        "regie.close.batch.line", "batch_id", string="Failures", readonly=True
    )
    remaining_period_ids = fields.Many2many(
        "regie.timesheet.period",
        string="Remaining months",
        compute="_compute_remaining_records",
        help="The months still to process, in processing order.",
    )
    remaining_mission_ids = fields.Many2many(
        "regie.mission",
        string="Remaining missions",
        compute="_compute_remaining_records",
        help="The missions whose month is still to generate.",
    )
    retry_of_id = fields.Many2one(
        "regie.close.batch",
        string="Retry of",
        readonly=True,
        index="btree_not_null",
        help="The batch whose failed records this batch processes again.",
    )
    retry_batch_id = fields.Many2one(
        "regie.close.batch",
        string="Retried in",
        readonly=True,
        copy=False,
        help="The batch that processes this batch's failed records again.",
    )
    user_can_control = fields.Boolean(
        string="Can cancel or retry",
        compute="_compute_user_can_control",
        help="Whether the current user may cancel or retry the batch: the user "
        "who asked for it, or a régie manager.",
    )
    date_start = fields.Datetime(string="Started on", readonly=True, copy=False)
    date_done = fields.Datetime(string="Finished on", readonly=True, copy=False)

    @api.depends("total_count", "done_count", "failed_count")
    def _compute_progress(self):
        for batch in self:
            batch.progress = (
                100.0 * (batch.done_count + batch.failed_count) / batch.total_count
                if batch.total_count
                else 0.0
            )

    @api.depends("todo_ids", "operation")
    def _compute_remaining_records(self):
        for batch in self:
            ids = list(batch.todo_ids or [])
            generate = batch.operation == "generate"
            batch.remaining_period_ids = [Command.set([] if generate else ids)]
            batch.remaining_mission_ids = [Command.set(ids if generate else [])]

    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_user_can_control(self):
        manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        for batch in self:
            batch.user_can_control = manager or batch.user_id == self.env.user

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
        vals = self._check_enqueue(operation, records, vals)
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
    def _check_enqueue(self, operation, records, vals):
        """Hook: refuse at once what the batch would fail record by record
        (cheap checks of the user's input); return the batch's values."""
        return vals

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
    # Control: cancel, retry
    # ------------------------------------------------------------------

    def _check_can_control(self):
        """Only the user who asked for a batch, or a régie manager, cancels
        or retries it."""
        self.check_access("read")
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        others = self.filtered(lambda batch: batch.user_id != self.env.user)
        if others:
            raise AccessError(
                self.env._(
                    "Only the user who asked for %(batch)s, or a régie manager, "
                    "can cancel or retry it.",
                    batch=others[0].display_name,
                )
            )

    def action_cancel(self):
        """Stop queued or running batches: the chunks already processed stay
        processed, the records still waiting are released (a scheduled action
        or a user may queue them again). A chunk being processed is finished
        first (the batch is locked while it runs)."""
        self._check_can_control()
        finished = self.filtered(lambda batch: batch.state not in ACTIVE_STATES)
        if finished:
            raise UserError(
                self.env._(
                    "%(batch)s is %(state)s: only a queued or running batch can "
                    "be cancelled.",
                    batch=finished[0].display_name,
                    state=finished[0]._get_state_label(),
                )
            )
        now = fields.Datetime.now()
        for batch in self.sudo():
            released = len(batch.todo_ids or [])
            batch.write(
                {
                    "state": "cancelled",
                    "todo_ids": [],
                    "remaining_count": 0,
                    "released_count": released,
                    "date_done": now,
                }
            )
            batch.message_post(
                body=self.env._(
                    "Cancelled by %(user)s: %(done)s done, %(failed)s failed, "
                    "%(released)s released without being processed.",
                    user=self.env.user.name,
                    done=formatLang(self.env, batch.done_count, digits=0),
                    failed=formatLang(self.env, batch.failed_count, digits=0),
                    released=formatLang(self.env, released, digits=0),
                ),
                author_id=self.env.user.partner_id.id,
            )
        return True

    def action_retry_failed(self):
        """Queue a new batch with only the records that failed in this
        finished batch (still existing), with the same options, processed with
        the rights of the user who retries; open it."""
        self.ensure_one()
        self._check_can_control()
        if self.state not in FINISHED_STATES:
            raise UserError(
                self.env._(
                    "%(batch)s is %(state)s: its failed records can be retried "
                    "once it is finished.",
                    batch=self.display_name,
                    state=self._get_state_label(),
                )
            )
        if self.retry_batch_id:
            raise UserError(
                self.env._(
                    "The failed records of %(batch)s were already retried in "
                    "%(retry)s: retry that batch's failures instead.",
                    batch=self.display_name,
                    retry=self.sudo().retry_batch_id.display_name,
                )
            )
        field = "mission_id" if self.operation == "generate" else "period_id"
        failed = self.sudo().line_ids[field].exists()
        if not failed:
            raise UserError(
                self.env._(
                    "%(batch)s has no failed record left to retry.",
                    batch=self.display_name,
                )
            )
        records = self.env[failed._name].browse(failed.ids)
        if self.operation != "generate":
            records._check_close_batch_access(self.operation)
        batch = (
            self.env["regie.close.batch"]
            .with_context(regie_close_batch=True)
            ._enqueue(
                self.operation,
                records,
                retry_of_id=self.id,
                **self._prepare_retry_values(),
            )
        )
        self.sudo().retry_batch_id = batch
        return batch._get_records_action(context={})

    def _prepare_retry_values(self):
        """Hook: the options of the batch that a retry keeps."""
        return {"date": self.date, "tacit_acceptance": self.tacit_acceptance}

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_batches(self, chunk_size=CHUNK_SIZE):
        """Process the next chunk of the oldest batch. The scheduler commits
        after each call and calls again while months remain, so the work is
        done (and its progress saved) a chunk per transaction."""
        batches = self.sudo().search([("state", "in", ACTIVE_STATES)], order="id")
        for batch in batches:
            # Cancelled meanwhile: the next one.
            if not batch._lock_for_processing():
                continue
            processed = batch._process_next_chunk(chunk_size)
            self.env["ir.cron"]._notify_progress(
                done=processed,
                remaining=sum(
                    batches.filtered(lambda b: b.state in ACTIVE_STATES).mapped(
                        "remaining_count"
                    )
                ),
            )
            return True
        return True

    def _lock_for_processing(self):
        """Lock the batch while a chunk of it is processed: a cancellation
        waits for the chunk to be committed. False when the batch changed
        since this transaction started (cancelled meanwhile)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM regie_close_batch WHERE id = %s "
                        "FOR NO KEY UPDATE",
                        self.id,
                    ),
                    log_exceptions=False,
                )
        except (LockNotAvailable, SerializationFailure):
            return False
        self.invalidate_recordset()
        return self.state in ACTIVE_STATES

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
