from . import regie_price_index
from . import regie_contract
from . import regie_contract_price_revision
from . import regie_timesheet_period
from . import account_move
from . import account_move_line
from . import account_move_regie_matching
from . import regie_margin_report
