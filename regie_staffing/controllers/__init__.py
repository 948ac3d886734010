from . import portal
from . import extranet
from . import vigilance
