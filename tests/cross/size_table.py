#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Print the size tables of make cross.

1. The linked boot image, per module: every input section the GNU ld map file places in the
   image, summed per object file into .text (code and read-only data), .data and .bss, the way
   arm-none-eabi-size counts them; the totals are checked against arm-none-eabi-size of the ELF.
2. Every core object as compiled (before linking), as arm-none-eabi-size reports it.

Usage: size_table.py --map MAP --elf ELF --size SIZE --objects OBJ... --strip PREFIX
Exits 1 when the map and size(1) disagree, so the table can be trusted.
"""

import argparse
import os
import re
import subprocess
import sys

TEXT = (".text", ".rodata", ".ARM.exidx", ".ARM.extab", ".init", ".fini", ".eh_frame")
DATA = (".data", ".init_array", ".fini_array", ".preinit_array", ".tdata", ".got")
BSS = (".bss", ".tbss")
KINDS = ("text", "data", "bss")

OUT_SECTION = re.compile(r"^(\.[\w.]+)\s*(?:0x[0-9a-f]+\s+0x[0-9a-f]+.*)?$")
INPUT_FULL = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
INPUT_NAME = re.compile(r"^ (\S+)$")
FILL = re.compile(r"^ \*fill\*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)")
INPUT_REST = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def kind_of(section):
    for kind, names in (("text", TEXT), ("data", DATA), ("bss", BSS)):
        if any(section == n or section.startswith(n + ".") for n in names):
            return kind
    return None


def module_of(path, objects, strip):
    """A short module name for an input file of the map."""
    m = re.match(r"^(.*)\((.*)\)$", path)
    if m:
        archive, member = os.path.basename(m.group(1)), m.group(2)
        if archive.startswith("libbo_mbedtls"):
            return "mbedtls/" + member.replace(".o", ".c")
        if archive.startswith("libbo_boot"):
            return objects.get(member, "core/?/" + member)
        return "newlib + libgcc"
    if path.endswith("stubs.o"):
        return "stub port (tests/cross/stubs.c)"
    if path.startswith(strip):
        return path[len(strip):].replace(".o", ".c")
    return "newlib + libgcc"


def parse_map(path, objects, strip):
    sizes = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        raise SystemExit("%s: no memory map" % path)
    out_kind = None
    pending = None
    for line in lines[start + 1:]:
        if not line:
            continue
        if not line.startswith(" "):
            m = OUT_SECTION.match(line)
            out_kind = kind_of(m.group(1)) if m else None
            pending = None
            continue
        if out_kind is None:
            continue
        m = FILL.match(line)
        if m:
            entry = sizes.setdefault("alignment padding", {k: 0 for k in KINDS})
            entry[out_kind] += int(m.group(1), 16)
            pending = None
            continue
        m = INPUT_FULL.match(line)
        if m:
            name, size, where = m.group(1), int(m.group(3), 16), m.group(4)
        elif INPUT_NAME.match(line) and not line.strip().startswith("*"):
            pending = INPUT_NAME.match(line).group(1)
            continue
        elif pending and INPUT_REST.match(line):
            m = INPUT_REST.match(line)
            name, size, where = pending, int(m.group(2), 16), m.group(3)
        else:
            pending = None
            continue
        pending = None
        if name.startswith("*") or size == 0 or "0x" in where.split()[0]:
            continue
        kind = out_kind
        if name == "COMMON":
            kind = "bss"
        module = module_of(where.strip(), objects, strip)
        entry = sizes.setdefault(module, {k: 0 for k in KINDS})
        entry[kind] += size
    return sizes


def size_of(tool, files):
    """Berkeley arm-none-eabi-size output: {file: (text, data, bss)}."""
    out = subprocess.run([tool] + files, check=True, stdout=subprocess.PIPE, text=True).stdout
    result = {}
    for line in out.split("\n")[1:]:
        fields = line.split()
        if len(fields) >= 6:
            result[fields[5]] = tuple(int(x) for x in fields[:3])
    return result


def row(name, t, d, b):
    return "%-44s %8s %7s %7s" % (name, t, d, b)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--map", required=True)
    parser.add_argument("--elf", required=True)
    parser.add_argument("--size", default="arm-none-eabi-size")
    parser.add_argument("--objects", nargs="+", required=True)
    parser.add_argument("--strip", required=True, help="prefix of the object paths")
    args = parser.parse_args(argv)

    objects = {}
    for obj in args.objects:
        rel = obj[len(args.strip):] if obj.startswith(args.strip) else obj
        objects.setdefault(os.path.basename(obj), rel.replace(".o", ".c"))
    sizes = parse_map(args.map, objects, args.strip)

    print("make cross: arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os, newlib-nano, "
          "-ffunction-sections -fdata-sections, --gc-sections")
    print()
    print("Boot image %s, per module (bytes):" % args.elf)
    print(row("module", ".text", ".data", ".bss"))
    groups = [
        ("core/", lambda m: m.startswith("core/")),
        ("mbedtls/", lambda m: m.startswith("mbedtls/")),
        ("other", lambda m: not m.startswith(("core/", "mbedtls/"))),
    ]
    total = {k: 0 for k in KINDS}
    for label, belongs in groups:
        sub = {k: 0 for k in KINDS}
        for module in sorted(m for m in sizes if belongs(m)):
            s = sizes[module]
            print(row(module, s["text"], s["data"], s["bss"]))
            for k in KINDS:
                sub[k] += s[k]
        if label != "other":
            print(row("  = " + label + " total", sub["text"], sub["data"], sub["bss"]))
        for k in KINDS:
            total[k] += sub[k]
    print(row("= image total", total["text"], total["data"], total["bss"]))
    elf = size_of(args.size, [args.elf])[args.elf]
    print(row("  (arm-none-eabi-size of the image)", *elf))
    status = 0
    if (total["text"], total["data"], total["bss"]) != elf:
        print("size_table.py: the map's sums differ from arm-none-eabi-size")
        status = 1

    print()
    print("Every core object as compiled, before linking (arm-none-eabi-size, bytes):")
    print(row("module", ".text", ".data", ".bss"))
    compiled = size_of(args.size, args.objects)
    sums = [0, 0, 0]
    for obj in args.objects:
        t, d, b = compiled[obj]
        print(row(objects[os.path.basename(obj)] if obj.startswith(args.strip) else obj, t, d, b))
        sums = [sums[0] + t, sums[1] + d, sums[2] + b]
    print(row("= all of core/", *sums))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
