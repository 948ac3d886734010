from . import account_edi_common
from . import account_move
from . import account_edi_xml_ubl_20
from . import account_edi_xml_cii_facturx
