"""Refresh an addon's .pot and merge it into its fr.po.

Usage (from the project root, with a database where the addon is installed,
ideally the realistic one: other apps add fields to the addon's models and
Odoo reads their labels from the addon's own translations):

    python scripts/i18n_update.py --db DB regie_staffing [regie_staffing_invoicing]
        [--add translations.json]

It exports ``<addon>/i18n/<addon>.pot`` with Odoo, then rewrites
``<addon>/i18n/fr.po`` with the pot's entries, keeping the French of every
msgid already translated, taking new ones from ``--add`` (a JSON object
{msgid: msgstr}), and prints the msgids still untranslated (exit 1 if any).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def export_pot(db, addon):
    odoo = Path(os.environ.get("ODOO_PATH", "/opt/odoo"))
    pot = ROOT / addon / "i18n" / f"{addon}.pot"
    addons_path = f"{odoo}/addons,{odoo}/odoo/addons,{ROOT}"
    subprocess.run(
        [
            sys.executable,
            str(odoo / "odoo-bin"),
            f"--addons-path={addons_path}",
            f"--data-dir={os.environ.get('REGIE_DATA_DIR', ROOT / '.odoo-data')}",
            "-d",
            db,
            f"--i18n-export={pot}",
            f"--modules={addon}",
            "--log-level=warn",
            "--stop-after-init",
        ],
        check=True,
    )
    return pot


def merge(addon, pot_path, additions):
    po_path = ROOT / addon / "i18n" / "fr.po"
    old = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    known = {entry.msgid: entry.msgstr for entry in old if entry.msgstr}
    pot = polib.pofile(str(pot_path))
    po = polib.POFile(wrapwidth=pot.wrapwidth)
    po.header = pot.header
    po.metadata = dict(pot.metadata)
    po.metadata.update(
        {
            "Language": "fr",
            "Plural-Forms": "nplurals=2; plural=(n > 1);",
            "Content-Type": "text/plain; charset=UTF-8",
        }
    )
    missing = []
    for entry in pot:
        entry.msgstr = known.get(entry.msgid) or additions.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
        po.append(entry)
    po.save(str(po_path))
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--add", help="JSON file {msgid: French msgstr}")
    parser.add_argument("addons", nargs="+")
    args = parser.parse_args()
    additions = {}
    if args.add:
        additions = json.loads(Path(args.add).read_text(encoding="utf-8"))
    status = 0
    for addon in args.addons:
        missing = merge(addon, export_pot(args.db, addon), additions)
        for msgid in missing:
            print(f"{addon}: untranslated: {msgid!r}")
        status = status or bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main())
