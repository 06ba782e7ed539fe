"""Fill Japanese translations into the catalog from a JSON object {msgid: msgstr}.

Usage: python tools/po_fill.py FILE.json [--locale ja]
Prints the msgids still untranslated afterwards. Run ``make i18n`` first so the
catalog holds every msgid; wrap both in ``flock /tmp/oversight-po.lock`` when
several people edit at once.
"""

import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "oversight" / "translations"
CATALOG = TRANSLATIONS / "{locale}" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("json_file", nargs="?")
    parser.add_argument("--locale", default="ja")
    args = parser.parse_args()
    path = Path(str(CATALOG).format(locale=args.locale))
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=args.locale)
    updates = json.loads(Path(args.json_file).read_text(encoding="utf-8")) if args.json_file else {}
    unknown = []
    for msgid, msgstr in updates.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, omit_header=False)
    missing = [message.id for message in catalog if message.id and not message.string]
    for msgid in unknown:
        print(f"not in catalog (typo, or run make i18n first): {msgid!r}", file=sys.stderr)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
