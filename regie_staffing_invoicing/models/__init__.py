from . import regie_price_index
from . import regie_contract
