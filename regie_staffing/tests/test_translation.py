from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    module = "regie_staffing"

    def test_every_term_has_a_french_translation(self):
        """Every translatable term of the addon is translated in i18n/fr.po."""
        po_path = Path(get_module_path(self.module)) / "i18n" / "fr.po"
        self.assertTrue(po_path.exists(), "i18n/fr.po is missing")
        translated = {
            entry.msgid for entry in polib.pofile(str(po_path)) if entry.msgstr.strip()
        }
        terms = {
            source
            for _module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=[self.module])
            )
            if source and source.strip()
        }
        missing = sorted(terms - translated)
        self.assertFalse(
            missing,
            f"{len(missing)} terms of {self.module} are not translated in fr.po, e.g. "
            f"{missing[:10]}",
        )
