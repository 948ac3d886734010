from . import portal
from . import extranet
