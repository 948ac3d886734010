from . import test_expense
from . import test_expense_back_to_back
