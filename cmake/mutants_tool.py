"""The command line every conformance/<suite>/mutants/mutants.py offers, and the copy that applies one mutant.

A suite's mutants.py holds only its MUTANTS table — name: (file under reference/, search text, replacement, what
the bug is) — and calls main(MUTANTS, SUBDIRS) with the folders under reference/ its model is made of:

  mutants.py --names                              the mutant names, one per line
  mutants.py --describe                           name, file and bug, tab-separated (read by cmake/Mutants.cmake)
  mutants.py --make NAME --src DIR --out DIR      copy DIR/<subdir> (reference/) to OUT/<subdir> with NAME applied

The pseudo-mutant "none" copies the model unchanged, so that a kill always comes from the mutation and never from
the shim. Every search text must occur exactly once in its file; if the model changes so that it does not, the
build fails with that message (a mutant that silently stopped applying would inflate the kill rate)."""
import argparse
import os
import sys


def _write_if_changed(path, body):
    # Unchanged copies keep their timestamps: no needless rebuilds.
    if os.path.exists(path):
        with open(path) as fh:
            if fh.read() == body:
                return
    with open(path, "w") as fh:
        fh.write(body)


def make(mutants, subdirs, name, src, out):
    path, text, repl = mutants[name][:3] if name != "none" else (None, None, None)
    for sub in subdirs:
        d = os.path.join(out, sub)
        os.makedirs(d, exist_ok=True)
        for f in sorted(os.listdir(os.path.join(src, sub))):
            s = os.path.join(src, sub, f)
            if not os.path.isfile(s):
                continue
            with open(s) as fh:
                body = fh.read()
            if os.path.join(sub, f) == path:
                n = body.count(text)
                if n != 1:
                    sys.exit(f"mutants.py: mutant {name}: text occurs {n} times in reference/{path}, expected 1")
                body = body.replace(text, repl)
            _write_if_changed(os.path.join(d, f), body)


def main(mutants, subdirs):
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", action="store_true")
    ap.add_argument("--describe", action="store_true")
    ap.add_argument("--make")
    ap.add_argument("--src")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.names:
        print("\n".join(mutants))
    elif a.describe:
        for n, m in mutants.items():
            print(f"{n}\t{m[0]}\t{m[3]}")
    elif a.make:
        if a.make not in mutants and a.make != "none":
            sys.exit(f"mutants.py: unknown mutant {a.make}")
        make(mutants, subdirs, a.make, a.src, a.out)
        with open(os.path.join(a.out, "..", "stamp"), "w") as fh:
            fh.write(a.make + "\n")
    else:
        ap.error("one of --names, --describe, --make")
