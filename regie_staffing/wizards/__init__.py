from . import regie_contract_termination
