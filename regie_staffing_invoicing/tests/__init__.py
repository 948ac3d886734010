from . import test_install
from . import test_price_index
