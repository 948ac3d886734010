from . import test_expense
from . import test_demo_france
