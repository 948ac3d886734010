from . import test_contract
from . import test_cron
from . import test_mission
from . import test_review
from . import test_security
