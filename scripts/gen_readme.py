"""Write each addon's README.rst from its readme/*.md fragments.

OCA's oca-gen-addon-readme is not installable here; the fragments use only
paragraphs, bullet and numbered lists, *emphasis* and `code`, which this
converts to reStructuredText. Run: python scripts/gen_readme.py
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def md_to_rst(text):
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text).strip() + "\n"


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    out = ["=" * len(title), title, "=" * len(title), ""]
    out += [
        f".. |licence| image:: https://img.shields.io/badge/licence-"
        f"{manifest['license'].replace('-', '--')}-blue.png",
        "",
        f"|licence| Odoo {manifest['version'][:4]}, version {manifest['version']}",
        "",
        manifest["summary"],
        "",
    ]
    for filename, heading in SECTIONS:
        path = addon / "readme" / filename
        if not path.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out += [md_to_rst(path.read_text())]
    return "\n".join(out)


def main():
    check = "--check" in sys.argv
    stale = []
    for addon in sorted(p.parent for p in ROOT.glob("*/__manifest__.py")):
        content = render(addon)
        target = addon / "README.rst"
        if check:
            if not target.exists() or target.read_text() != content:
                stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_text(content)
    if stale:
        sys.exit(
            "README.rst out of date (run scripts/gen_readme.py): " + ", ".join(stale)
        )


if __name__ == "__main__":
    main()
