"""Fail if a catalogue has an untranslated or fuzzy entry, or fails GNU ``msgfmt --check``
(which catches a dropped ``%(name)s`` placeholder that ``pybabel compile`` lets through).

Usage: python scripts/check_translations.py   (exit 1 with every problem listed)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def problems() -> list[str]:
    found = []
    catalogues = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    if not catalogues:
        return ["no catalogues found under translations/"]
    for po in catalogues:
        locale = po.parts[-3]
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            found.append(f"{locale}: msgfmt --check failed:\n{check.stderr.strip()}")
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=locale)
        if catalogue.fuzzy:
            found.append(f"{locale}: the whole catalogue is marked fuzzy (pybabel compile skips it)")
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{locale}: fuzzy: {message.id!r}")
            elif not all(strings):
                found.append(f"{locale}: untranslated: {message.id!r}")
    return found


def main() -> int:
    listed = problems()
    for problem in listed:
        print(problem)
    if listed:
        print(f"{len(listed)} translation problem(s). Fix the .po files, then run `make translations`.")
        return 1
    print("Translations complete: no untranslated or fuzzy entries; msgfmt --check passes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
