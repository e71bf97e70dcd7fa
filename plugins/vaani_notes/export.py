"""Notes and lists as Markdown: one section per list, items as a checklist, notes with the
time they were taken.

``python -m vaani_notes export`` prints it (``--list shopping`` for one list, ``--out
FILE`` to write a file); :func:`markdown` is the same for code.
"""

from __future__ import annotations

from datetime import datetime

from vaani_notes.store import NoteStore

TITLES = {"shopping": "Shopping list", "todo": "To-do list", "notes": "Notes"}


def title(key: str, name: str) -> str:
    return TITLES.get(key) or f"{(name or key)[:1].upper()}{(name or key)[1:]} list"


def markdown(store: NoteStore, only: str = "") -> str:
    """Every list (or only the list whose key or name is ``only``) as Markdown."""
    sections = []
    for lst in store.lists():
        if only and only.lower() not in (lst.key, lst.name.lower()):
            continue
        items = store.items(lst.id)
        lines = [f"# {title(lst.key, lst.name)}", ""]
        if not items:
            lines.append("(empty)")
        for item in items:
            text = item.text.replace("\n", " ").strip()
            if lst.key == "notes":
                when = datetime.fromtimestamp(item.created).strftime("%Y-%m-%d %H:%M")
                lines.append(f"- {text} ({when})")
            else:
                lines.append(f"- [ ] {text}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + ("\n" if sections else "")
