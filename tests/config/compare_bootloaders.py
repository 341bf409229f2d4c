#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare what brownout's core and upstream MCUboot accept for the same device settings.

For each variant of tests/config/bootloaders.txt (device settings, named as
port/linux/mcuboot/mcuboot_gen.py names them), mcuboot_gen.py writes the mcuboot_config.h a
device with bootloader = mcuboot is built with. That one file is then given to both:

  upstream   every bootutil source of the MCUboot tree the port compiles, in one translation
             unit, -fsyntax-only (upstream's #errors and _Static_asserts);
  brownout   core/config/config.c with the file as BROWNOUT_CONFIG_FILE and the core's flags.

Each must end as the variant's line says:
  VARIANT both-accept
  VARIANT both-reject
  VARIANT brownout-rejects REGEX   upstream accepts; brownout rejects with REGEX in its message
  VARIANT upstream-rejects REGEX   brownout accepts; upstream rejects with REGEX in its message
so that every difference between the two bootloaders is written down with its reason, and a
change on either side that makes them differ in a new way fails. mcuboot_gen.py is used
read-only (its config and sources commands).

Usage: compare_bootloaders.py --flags FILE --mcuboot TREE [--root DIR] [--expect FILE] [-j N]
                              [--variant VARIANT]...
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

EXPECTS = ("both-accept", "both-reject", "brownout-rejects", "upstream-rejects")


def parse_expectations(path):
    """Returns [(line, variant, expect, regex or None)]."""
    out = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            words = raw.split()
            if not words or words[0].startswith("#"):
                continue
            where = "%s:%d" % (path, number)
            if len(words) < 2 or words[1] not in EXPECTS:
                raise SystemExit("%s: expected 'VARIANT %s [REGEX]'" % (where, "|".join(EXPECTS)))
            regex = re.compile(" ".join(words[2:])) if len(words) > 2 else None
            if (regex is None) != words[1].startswith("both"):
                raise SystemExit("%s: a REGEX goes with brownout-rejects and upstream-rejects "
                                 "only" % where)
            out.append((number, words[0], words[1], regex))
    return out


def run(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout


def upstream_verdict(cc, mbedtls_args, tree, gen_dir, sources):
    """Compiles every upstream source with the variant's configuration: (status, output)."""
    unit = os.path.join(gen_dir, "probe.c")
    with open(unit, "w", encoding="utf-8") as f:
        f.write("".join('#include "%s"\n' % os.path.abspath(s) for s in sources))
    bootutil = os.path.join(tree, "boot", "bootutil")
    return run(cc + ["-std=gnu11", "-fsyntax-only", "-I" + os.path.join(gen_dir, "include"),
                     "-I" + gen_dir, "-Iport/linux", "-Iport/linux/include"] + mbedtls_args +
               ["-I" + os.path.join(bootutil, "include"), "-I" + os.path.join(bootutil, "src"),
                unit])


def brownout_verdict(cc, flags, config):
    """Compiles core/config/config.c with config as the core configuration."""
    return run(cc + ["-I" + os.path.join("core")] + flags +
               ['-DBROWNOUT_CONFIG_FILE="%s"' % config, "-fsyntax-only",
                os.path.join("core", "config", "config.c")])


def judge(expect, regex, up, bo):
    """None when the verdicts are what the line says, else the reason they are not."""
    up_ok, bo_ok = up[0] == 0, bo[0] == 0
    want = {"both-accept": (True, True), "both-reject": (False, False),
            "brownout-rejects": (True, False), "upstream-rejects": (False, True)}[expect]
    if (up_ok, bo_ok) != want:
        return "expected %s; upstream %s, brownout %s:\n%s%s" % (
            expect, "accepts" if up_ok else "rejects", "accepts" if bo_ok else "rejects",
            "" if up_ok else "upstream: " + up[1][-1500:], "" if bo_ok else "brownout: " +
            bo[1][-1500:])
    if expect == "brownout-rejects" and not regex.search(bo[1]):
        return "brownout rejects without /%s/:\n%s" % (regex.pattern, bo[1])
    if expect == "upstream-rejects" and not regex.search(up[1]):
        return "upstream rejects without /%s/:\n%s" % (regex.pattern, up[1][-1500:])
    return None


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flags", required=True, help="the core's compiler and flags file")
    parser.add_argument("--mcuboot", required=True, help="the MCUboot tree")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    parser.add_argument("--expect", default=os.path.join(here, "bootloaders.txt"))
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--variant", action="append", help="compare only these variants")
    args = parser.parse_args(argv)
    with open(args.flags, encoding="utf-8") as f:
        words = [w for w in f.read().split("\n") if w]
    cc, flags = words[0].split(), words[1:]
    mbedtls_args = [w for w in flags if w.startswith(("-DMBEDTLS_", "-I")) and
                    ("mbedtls" in w.lower())]
    os.chdir(args.root)
    gen = [sys.executable, os.path.join("port", "linux", "mcuboot", "mcuboot_gen.py")]
    rc, out = run(gen + ["sources", args.mcuboot])
    if rc != 0:
        print("FAIL: mcuboot_gen.py sources %s: %s" % (args.mcuboot, out.strip()))
        return 1
    sources = out.split()
    lines = parse_expectations(args.expect)
    if args.variant:
        lines = [line for line in lines if line[1] in args.variant]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bo-bootloaders-") as tmp:
        rc, out = run(gen + ["tree", args.mcuboot, os.path.join(tmp, "mcuboot_tree.h")])

        def one(line):
            number, variant, expect, regex = line
            gen_dir = os.path.join(tmp, variant)
            rc, out = run(gen + ["config", variant, args.mcuboot,
                                 os.path.join(gen_dir, "include")])
            if rc != 0:
                return line, "mcuboot_gen.py config: %s" % out.strip()
            config = os.path.join(gen_dir, "include", "mcuboot_config", "mcuboot_config.h")
            os.symlink(os.path.join(tmp, "mcuboot_tree.h"),
                       os.path.join(gen_dir, "mcuboot_tree.h"))
            up = upstream_verdict(cc, mbedtls_args, args.mcuboot, gen_dir, sources)
            bo = brownout_verdict(cc, flags, config)
            return line, judge(expect, regex, up, bo)

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
            for (number, variant, expect, _), why in pool.map(one, lines):
                if why is None:
                    print("ok      %s %s" % (variant, expect))
                else:
                    failures += 1
                    print("FAIL    %s (%s:%d): %s" % (variant, args.expect, number, why))
    print("bootloaders: %d variants compared, %d failed" % (len(lines), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
