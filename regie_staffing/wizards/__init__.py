from . import regie_contract_termination
from . import regie_timesheet_period_contest
from . import regie_vigilance_compliance
