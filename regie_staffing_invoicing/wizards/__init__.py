from . import regie_vigilance_override
