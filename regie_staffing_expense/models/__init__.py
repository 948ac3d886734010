from . import hr_expense
from . import regie_timesheet_period
from . import account_move_line
