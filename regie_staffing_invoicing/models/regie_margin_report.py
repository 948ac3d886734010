from odoo import api, fields, models, tools
from odoo.tools import SQL


class RegieMarginReport(models.Model):
    """Days, revenue, cost and margin per contract, consultant and month.

    One row per consultant-month (``regie.timesheet.period``). Revenue is the
    sale TJM in force on each day times its billable days (the month's
    rounding rule applied pro rata, as invoiced). Cost is the buy-side TJM when
    the sale mission is covered by a purchase mission (subcontracted
    consultant), else the mission's daily cost times the days, else the
    employee's hourly cost times the hours worked; with none of them the cost
    is unknown (``cost_unknown``) and the row has no margin. A
    purchase mission that covers a sale mission is not listed on its own: its
    cost is on the sale side; other purchase months are pure cost. Amounts are
    in the contract's currency, costs converted at the month's first day.
    """

    _name = "regie.margin.report"
    _description = "Régie margin analysis"
    _auto = False
    _order = "date desc, contract_id, employee_id"
    _rec_name = "period_id"

    period_id = fields.Many2one("regie.timesheet.period", string="Month", readonly=True)
    contract_id = fields.Many2one("regie.contract", readonly=True)
    mission_id = fields.Many2one("regie.mission", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Consultant", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        help="The client of the contract; the provider on a purchase contract "
        "that backs no sale.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(string="Month start", readonly=True)
    direction = fields.Selection(
        [("sale", "Sale"), ("purchase", "Purchase")], readonly=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("contested", "Contested"),
            ("validated", "Validated"),
            ("invoiced", "Invoiced"),
        ],
        readonly=True,
    )
    subcontracted = fields.Boolean(readonly=True)
    hours = fields.Float(readonly=True)
    days = fields.Float(digits="Product Unit of Measure", readonly=True)
    revenue = fields.Monetary(currency_field="currency_id", readonly=True)
    cost = fields.Monetary(currency_field="currency_id", readonly=True)
    margin = fields.Monetary(currency_field="currency_id", readonly=True)
    margin_percent = fields.Float(
        string="Margin (%)",
        readonly=True,
        help="Margin over revenue, empty when the cost is unknown; for a group "
        "of rows, its margin over the revenue of its rows of known cost.",
    )
    costed_revenue = fields.Monetary(
        string="Revenue of known cost",
        currency_field="currency_id",
        readonly=True,
        help="Revenue of the rows whose cost is known (base of the margin %).",
    )
    cost_unknown = fields.Boolean(
        string="Cost unknown",
        readonly=True,
        help="The consultant's cost is unknown: no daily cost on the mission, no "
        "hourly cost on the employee and no purchase mission. The row has no "
        "cost nor margin until one is set.",
    )

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        # A group's margin % is its margin over its revenue (rows of known
        # cost), not the average of its rows' percentages.
        names = {spec.split(":")[0].split("(")[0].strip() for spec in fields}
        if "margin_percent" not in names:
            return super().read_group(
                domain, fields, groupby, offset, limit, orderby, lazy
            )
        fields = [
            spec for spec in fields if spec.split(":")[0].strip() != "margin_percent"
        ]
        fields += [
            f"{name}:sum" for name in ("margin", "costed_revenue") if name not in names
        ]
        groups = super().read_group(
            domain, fields, groupby, offset, limit, orderby, lazy
        )
        for group in groups:
            revenue = group.get("costed_revenue")
            group["margin_percent"] = (
                revenue and round(100.0 * (group.get("margin") or 0.0) / revenue, 2)
            ) or False
        return groups

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._get_query(),
            )
        )

    def _get_query(self):
        rate = """
            SELECT r.daily_rate FROM regie_mission_rate r
             WHERE r.mission_id = %s AND r.date_from <= d.date
          ORDER BY r.date_from DESC, r.id DESC LIMIT 1
        """
        return SQL(
            """
            WITH daily AS (
                SELECT l.regie_period_id AS period_id, l.date,
                       SUM(l.regie_billable_days) AS days
                  FROM account_analytic_line l
                 WHERE l.regie_period_id IS NOT NULL
              GROUP BY l.regie_period_id, l.date
            ), amounts AS (
                SELECT p.id AS period_id,
                       SUM(d.days) AS raw_days,
                       SUM(d.days * COALESCE((%(own_rate)s), m.daily_rate))
                           AS own_value,
                       SUM(d.days * COALESCE((%(buy_rate)s), pm.daily_rate))
                           AS buy_value
                  FROM daily d
                  JOIN regie_timesheet_period p ON p.id = d.period_id
                  JOIN regie_mission m ON m.id = p.mission_id
             LEFT JOIN regie_mission pm ON pm.id = m.purchase_mission_id
              GROUP BY p.id
            ), scaled AS (
                SELECT p.id AS period_id,
                       CASE WHEN a.raw_days > 0
                            THEN p.billable_days / a.raw_days ELSE 0 END AS scale,
                       a.own_value, a.buy_value
                  FROM regie_timesheet_period p
             LEFT JOIN amounts a ON a.period_id = p.id
            ), valued AS (
                SELECT p.id, p.contract_id, p.mission_id, p.employee_id,
                       c.partner_id, p.company_id, c.currency_id,
                       p.date_from AS date, p.direction, p.state,
                       m.purchase_mission_id IS NOT NULL AS subcontracted,
                       COALESCE(p.total_hours, 0) AS hours,
                       COALESCE(p.billable_days, 0) AS days,
                       CASE WHEN p.direction = 'sale'
                            THEN ROUND((COALESCE(s.own_value, 0) * s.scale)::numeric, 2)
                            ELSE 0 END AS revenue,
                       CASE WHEN p.direction = 'purchase'
                            THEN ROUND((COALESCE(s.own_value, 0) * s.scale)::numeric, 2)
                            WHEN m.purchase_mission_id IS NOT NULL
                            THEN ROUND((COALESCE(s.buy_value, 0) * s.scale
                                        * %(buy_to_contract)s)::numeric, 2)
                            WHEN COALESCE(m.daily_cost, 0) > 0
                            THEN ROUND((m.daily_cost
                                        * COALESCE(p.billable_days, 0))::numeric, 2)
                            WHEN COALESCE(e.hourly_cost, 0) > 0
                            THEN ROUND((e.hourly_cost
                                        * COALESCE(p.total_hours, 0)
                                        * %(company_to_contract)s)::numeric, 2)
                            END AS cost
                  FROM regie_timesheet_period p
                  JOIN scaled s ON s.period_id = p.id
                  JOIN regie_contract c ON c.id = p.contract_id
                  JOIN res_company co ON co.id = p.company_id
                  JOIN regie_mission m ON m.id = p.mission_id
             LEFT JOIN regie_mission pm ON pm.id = m.purchase_mission_id
             LEFT JOIN regie_contract pc ON pc.id = pm.contract_id
             LEFT JOIN hr_employee e ON e.id = p.employee_id
                 WHERE p.direction = 'sale'
                    OR NOT EXISTS (
                        SELECT 1 FROM regie_mission sm
                         WHERE sm.purchase_mission_id = p.mission_id)
            )
            SELECT id, id AS period_id, contract_id, mission_id, employee_id,
                   partner_id, company_id, currency_id, date, direction, state,
                   subcontracted, hours, days, revenue, cost,
                   cost IS NULL AS cost_unknown,
                   CASE WHEN cost IS NOT NULL THEN revenue ELSE 0 END
                       AS costed_revenue,
                   revenue - cost AS margin,
                   CASE WHEN revenue <> 0
                        THEN ROUND(((revenue - cost) * 100 / revenue)::numeric, 2)
                        END AS margin_percent
              FROM valued
            """,
            own_rate=SQL(rate, SQL.identifier("m", "id")),
            buy_rate=SQL(rate, SQL.identifier("pm", "id")),
            buy_to_contract=self._get_conversion_query(
                SQL.identifier("pc", "currency_id")
            ),
            company_to_contract=self._get_conversion_query(
                SQL.identifier("co", "currency_id")
            ),
        )

    def _get_conversion_query(self, currency):
        """Factor converting an amount in ``currency`` into the contract's
        currency at the month's first day (company rates, else shared ones)."""
        rate = """
            COALESCE((SELECT r.rate FROM res_currency_rate r
                       WHERE r.currency_id = %s AND r.name <= p.date_from
                         AND (r.company_id = p.company_id OR r.company_id IS NULL)
                    ORDER BY r.name DESC, r.company_id NULLS LAST LIMIT 1), 1.0)
        """
        return SQL(
            "(CASE WHEN %(currency)s = c.currency_id THEN 1.0 "
            "ELSE %(contract_rate)s / %(currency_rate)s END)",
            currency=currency,
            contract_rate=SQL(rate, SQL.identifier("c", "currency_id")),
            currency_rate=SQL(rate, currency),
        )
