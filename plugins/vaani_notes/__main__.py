"""``python -m vaani_notes export [--list NAME] [--out FILE]``: your notes and lists as
Markdown (from ``notes.sqlite3`` in VAANI's data directory, or ``--db``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vaani_notes import db_path
from vaani_notes.export import markdown
from vaani_notes.store import NoteStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vaani_notes",
                                     description="VAANI's notes and lists")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="print (or write) every list as Markdown")
    p.add_argument("--list", default="", help="only this list (shopping, todo, notes, a name)")
    p.add_argument("--out", type=Path, help="write to this file instead of printing")
    p.add_argument("--db", type=Path, help="the notes database (default: the data dir's)")
    args = parser.parse_args(argv)
    store = NoteStore(args.db or db_path())
    if not store.path.exists():
        print(f"no notes yet ({store.path} does not exist)", file=sys.stderr)
        return 1
    text = markdown(store, args.list)
    if args.list and not text:
        print(f"no list named {args.list!r}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
