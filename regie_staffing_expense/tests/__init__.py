from . import test_expense
