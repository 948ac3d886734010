from . import test_expense
from . import test_expense_back_to_back
from . import test_demo_france
