#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Extract the macros MCUboot's bootutil derives from its MCUBOOT_* options.

An MCUboot user knows names such as BOOT_MAX_ALIGN or BOOT_STATUS_MAX_ENTRIES, which bootutil's
headers compute from MCUBOOT_BOOT_MAX_ALIGN or MCUBOOT_MAX_IMG_SECTORS. Set in brownout's core
configuration they would be silently ignored, so scripts/generate_config_checks.py rejects them
with a message naming the option to set instead. This script builds that list from an MCUboot
tree (the headers of boot/bootutil) into a checked-in data file, the generator's input:

  derived NAME OPTION[/OPTION...]

A macro counts as derived when its value names an MCUBOOT_* option or another derived macro
(BOOT_MAX_IMG_SECTORS is MCUBOOT_MAX_IMG_SECTORS), or when it has several different values
chosen by conditions that name them (BOOT_NUM_SLOTS is 1 with MCUBOOT_SINGLE_APPLICATION_SLOT,
else 2). Function-like macros, MCUBOOT_* names (options, even where bootutil defaults one) and
empty definitions (include guards) are left out.

Usage:
  extract_mcuboot_derived.py --tree MCUBOOT_TREE [--output FILE]   write the data file
  extract_mcuboot_derived.py --tree MCUBOOT_TREE --check [--output FILE]
                                                 fail with a diff if FILE is out of date
Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import sys

DEFAULT_OUTPUT = "scripts/config_history/mcuboot.derived"
SOURCE_DIR = os.path.join("boot", "bootutil")
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
DIRECTIVE = re.compile(r"^\s*#\s*([a-z]+)\b(.*)$")
DEFINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\()?\s*(.*)$")


def logical_lines(text):
    """Yields the lines of a C file without comments, continuation lines joined."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = text.replace("\\\n", " ")
    for line in text.split("\n"):
        yield line


def scan_header(path, defs):
    """Adds every object-like #define of path to defs: name -> list of (value, conditions)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    stack = []  # one set of identifiers per open #if chain
    for line in logical_lines(text):
        m = DIRECTIVE.match(line)
        if not m:
            continue
        word, rest = m.group(1), m.group(2).strip()
        if word in ("if", "ifdef", "ifndef"):
            stack.append(set(IDENT.findall(rest)) - {"defined"})
        elif word == "elif" and stack:
            stack[-1] |= set(IDENT.findall(rest)) - {"defined"}
        elif word == "endif" and stack:
            stack.pop()
        elif word == "define":
            d = DEFINE.match(rest)
            if not d or d.group(2) or not d.group(3).strip():
                continue
            conds = set().union(*stack) if stack else set()
            value = " ".join(d.group(3).split())
            defs.setdefault(d.group(1), []).append((value, conds))


def is_source(name):
    return name.startswith("MCUBOOT_")


def derive(defs):
    """Returns name -> sorted MCUBOOT_* options each derived macro comes from."""
    derived = {}
    changed = True
    while changed:
        changed = False
        for name, variants in defs.items():
            if is_source(name):
                continue
            sources = set()
            values = {value for value, _ in variants}
            for value, conds in variants:
                names = set(IDENT.findall(value))
                if len(values) > 1:
                    names |= conds
                for ident in names:
                    if is_source(ident):
                        sources.add(ident)
                    elif ident in derived and ident != name:
                        sources |= set(derived[ident])
            if sources and sources != set(derived.get(name, ())):
                derived[name] = sorted(sources | set(derived.get(name, ())))
                changed = True
    return derived


def read_commit(tree):
    try:
        with open(os.path.join(tree, "COMMIT"), encoding="utf-8") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return "unknown"


def render(tree):
    """Returns the data file's text for the MCUboot tree."""
    root = os.path.join(tree, SOURCE_DIR)
    if not os.path.isdir(root):
        raise OSError("%s: no %s directory (not an MCUboot tree)" % (tree, SOURCE_DIR))
    defs = {}
    for directory, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith(".h"):
                scan_header(os.path.join(directory, name), defs)
    derived = derive(defs)
    lines = [
        "# SPDX-License-Identifier: Apache-2.0",
        "# Macros MCUboot's bootutil derives from its MCUBOOT_* options, from boot/bootutil/**/*.h",
        "# of MCUboot %s." % read_commit(tree),
        "# Written by scripts/extract_mcuboot_derived.py; do not edit: make check compares it with",
        "# the MCUboot tree when the tree is present.",
        "# Lines: derived NAME OPTION[/OPTION...]",
    ]
    for name in sorted(derived):
        lines.append("derived %s %s" % (name, "/".join(derived[name])))
    return "\n".join(lines) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--tree", required=True, help="the MCUboot source tree")
    parser.add_argument("--output", default=os.path.join(default_root, DEFAULT_OUTPUT))
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    try:
        text = render(args.tree)
    except OSError as e:
        print("extract_mcuboot_derived.py: %s" % e, file=sys.stderr)
        return 2
    if not args.check:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    try:
        with open(args.output, encoding="utf-8") as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    if old == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                               args.output, "extracted from " + args.tree))
    print("%s is out of date: run scripts/extract_mcuboot_derived.py --tree %s" %
          (args.output, args.tree))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
