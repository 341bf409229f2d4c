#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compile core/config/config.c with every configuration of tests/config/cases.txt.

Each case is compiled with the core's own compiler and flags (read from a file that make writes,
one argument a line, the compiler first) and must end as it expects:
  accept        exit status 0 and no diagnostic at all;
  reject REGEX  0 < exit status < 126, a diagnostic that comes from an #error or a failed
                _Static_assert, and REGEX found in the diagnostics.

Then every rejecting case is run again against a mutant of core/config in which the #error line
(or _Static_assert) whose message matches its REGEX is removed: the case must then fail, which
proves that the check it names is what rejects it (a case that still passes against its mutant
is reported as not testing anything). A planted #error in the hand-written checks must likewise
make an accepting case fail.

MCUboot's configuration template, from the MCUboot tree in $BROWNOUT_SHARED/peers (default
../shared beside the repository), adds generated cases: the template itself, the template with
a baseline of its options switched on, and that baseline with each other commented-out option
switched on, one at a time; tests/config/mcuboot_template.txt says what each must give. Without
the tree they are skipped with a message.

Usage: run_config_tests.py --flags FILE [--root DIR] [--cases FILE] [-j N] [--case NAME]
                           [--mcuboot-template FILE]
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

# The diagnostics of an #error, and of a failed _Static_assert in GCC and in Clang.
DIAG_FROM_CHECK = re.compile(r"#error|static assertion failed|static_assert failed")


class Case:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.expect = None      # "accept" or "reject"
        self.regex = None
        self.as_user = False    # the core block is BROWNOUT_USER_CONFIG_FILE, not the whole file
        self.cflags = []
        self.core = []
        self.mbedtls = []
        self.uses = []


def parse_cases(path):
    """Parses the case file; returns (cases, fragments)."""
    cases = []
    fragments = {}
    current = None
    block = None
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = "%s:%d" % (path, number)
            if not line.strip():
                continue
            if line.startswith("    "):
                if block is None:
                    raise SystemExit("%s: indented line outside a block" % where)
                block.append(line[4:])
                continue
            block = None
            if line.startswith("#"):
                continue
            words = line.split(None, 1)
            key, rest = words[0], (words[1] if len(words) > 1 else "")
            if key == "==":
                current = Case(rest.strip(), number)
                cases.append(current)
            elif key == "fragment":
                block = fragments.setdefault(rest.strip(), [])
            elif current is None:
                raise SystemExit("%s: %r before the first case" % (where, key))
            elif key == "expect" and rest == "accept":
                current.expect = "accept"
            elif key == "expect" and rest.startswith("reject "):
                current.expect = "reject"
                current.regex = re.compile(rest[len("reject "):].strip())
            elif key == "as-user-config" and not rest:
                current.as_user = True
            elif key == "cflags":
                current.cflags = shlex.split(rest)
            elif key == "use":
                current.uses.append(rest.strip())
            elif key == "core" and not rest:
                block = current.core
            elif key == "mbedtls" and not rest:
                block = current.mbedtls
            else:
                raise SystemExit("%s: cannot parse %r" % (where, line))
    names = set()
    for case in cases:
        if case.expect is None:
            raise SystemExit("%s: case %s has no expect line" % (path, case.name))
        if case.name in names:
            raise SystemExit("%s: two cases are named %s" % (path, case.name))
        names.add(case.name)
        for use in case.uses:
            if use not in fragments:
                raise SystemExit("%s: case %s uses unknown fragment %s" % (path, case.name, use))
    return cases, fragments


TEMPLATE_PATH = os.path.join("peers", "mcuboot", "samples", "mcuboot_config",
                             "mcuboot_config.template.h")
TEMPLATE_OPTION = re.compile(r"^\s*/\*\s*#define\s+(MCUBOOT_[A-Z0-9_]+)\s*\*/\s*$")


def parse_expectation(where, words):
    """Returns (expect, regex) from ["accept"] or ["reject", REGEX...]."""
    if words == ["accept"]:
        return "accept", None
    if len(words) >= 2 and words[0] == "reject":
        return "reject", re.compile(" ".join(words[1:]))
    raise SystemExit("%s: expected 'accept' or 'reject REGEX'" % where)


def parse_template_spec(path):
    """Reads tests/config/mcuboot_template.txt: (baseline, {case suffix: (expect, regex)})."""
    baseline = None
    expect = {}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            words = raw.split()
            where = "%s:%d" % (path, number)
            if not words or words[0].startswith("#"):
                continue
            if words[0] == "baseline" and len(words) > 1:
                baseline = words[1:]
            elif words[0] in ("verbatim", "base"):
                expect[words[0]] = parse_expectation(where, words[1:])
            elif words[0] == "option" and len(words) > 2:
                expect[words[1]] = parse_expectation(where, words[2:])
            else:
                raise SystemExit("%s: cannot parse %r" % (where, raw.strip()))
    if baseline is None or "verbatim" not in expect or "base" not in expect:
        raise SystemExit("%s: the baseline, verbatim and base lines are required" % path)
    return baseline, expect


def switch_on(lines, names):
    """The template's lines with the commented-out options in names switched on."""
    out = []
    for line in lines:
        m = TEMPLATE_OPTION.match(line)
        out.append("#define %s" % m.group(1) if m and m.group(1) in names else line)
    return out


def template_cases(template, spec_path):
    """Generates the cases of MCUboot's configuration template (see the module's doc)."""
    with open(template, encoding="utf-8") as f:
        lines = f.read().split("\n")
    options = [m.group(1) for m in map(TEMPLATE_OPTION.match, lines) if m]
    baseline, expect = parse_template_spec(spec_path)
    listed = set(baseline) | (set(expect) - {"verbatim", "base"})
    missing = [o for o in options if o not in listed]
    unknown = sorted(listed - set(options))
    if missing or unknown:
        raise SystemExit("%s: does not match the template %s: options without an expectation: "
                         "%s; expectations of options it lacks: %s"
                         % (spec_path, template, ", ".join(missing) or "none",
                            ", ".join(unknown) or "none"))
    cases = []
    variants = [("verbatim", lines), ("base", switch_on(lines, set(baseline)))]
    variants += [(o, switch_on(lines, set(baseline) | {o})) for o in options
                 if o not in baseline]
    for suffix, body in variants:
        case = Case("template-" + suffix, 0)
        case.expect, case.regex = expect[suffix]
        case.core = body
        cases.append(case)
    return cases


def write_case_files(case, fragments, directory):
    """Writes the case's configuration files; returns the extra compiler arguments."""
    os.makedirs(directory, exist_ok=True)
    args = []
    core = []
    for use in case.uses:
        core += fragments[use]
    core += case.core
    if case.uses or case.core:
        path = os.path.join(directory, "core_config.h")
        with open(path, "w", encoding="utf-8") as f:
            f.write("/* Configuration of case %s. */\n" % case.name)
            f.write("\n".join(core) + "\n")
        macro = "BROWNOUT_USER_CONFIG_FILE" if case.as_user else "BROWNOUT_CONFIG_FILE"
        args.append('-D%s="%s"' % (macro, path))
    if case.mbedtls:
        path = os.path.join(directory, "mbedtls_user_config.h")
        with open(path, "w", encoding="utf-8") as f:
            f.write("/* Mbed TLS changes of case %s. */\n" % case.name)
            f.write("\n".join(case.mbedtls) + "\n")
        args.append('-DMBEDTLS_USER_CONFIG_FILE="%s"' % path)
    return args + case.cflags


def compile_case(cc_argv, flags, config_dir, case_args):
    """Compiles config_dir/config.c; returns (exit status, diagnostics)."""
    source = os.path.join(config_dir, "config.c")
    include_root = os.path.dirname(config_dir)
    argv = cc_argv + ["-I" + include_root] + flags + case_args + ["-fsyntax-only", source]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout


def judge(case, rc, out):
    """Returns None when the result is what the case expects, else the reason it is not."""
    if case.expect == "accept":
        if rc != 0 or out.strip():
            return "expected acceptance, got exit status %d:\n%s" % (rc, out)
        return None
    if not 0 < rc < 126:
        return "expected rejection (0 < status < 126), got exit status %d:\n%s" % (rc, out)
    if not DIAG_FROM_CHECK.search(out):
        return "rejected, but not by an #error or a _Static_assert:\n%s" % out
    if not case.regex.search(out):
        return "rejected without the expected message /%s/:\n%s" % (case.regex.pattern, out)
    return None


def make_mutant(src_dir, dst_root, regex, planted=None):
    """Copies core/config to dst_root/config, removing the checks whose message matches regex
    (or, with planted, appending an #error to check_config.h). Returns (dir, removed count)."""
    dst = os.path.join(dst_root, "config")
    shutil.copytree(src_dir, dst)
    removed = 0
    for name in sorted(os.listdir(dst)):
        if not name.endswith(".h"):
            continue
        path = os.path.join(dst, name)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        out = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if regex is not None and line.lstrip().startswith("#error"):
                # An #error may continue on the next lines (backslash-newline).
                j = i
                while lines[j].endswith("\\") and j + 1 < len(lines):
                    j += 1
                spliced = "".join(s[:-1] if s.endswith("\\") else s for s in lines[i:j + 1])
                if regex.search(spliced):
                    out.append("/* mutant: check removed */")
                    removed += 1
                    i = j + 1
                    continue
            if regex is not None and line.lstrip().startswith("_Static_assert("):
                j = i
                while not lines[j].rstrip().endswith(");"):
                    j += 1
                text = " ".join(s.strip() for s in lines[i:j + 1])
                message = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
                diagnostic = 'static assertion failed: "%s"' % message
                if regex.search(text) or regex.search(diagnostic):
                    out.append('_Static_assert(1, "mutant: check removed");')
                    removed += 1
                    i = j + 1
                    continue
            out.append(line)
            i += 1
        if planted and name == "check_config.h":
            guard_end = max(k for k, s in enumerate(out) if s.startswith("#endif"))
            out.insert(guard_end, '#error "%s"' % planted)
            removed += 1
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    return dst, removed


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flags", required=True,
                        help="file with the compiler and the core's flags, one a line")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    parser.add_argument("--cases", default=os.path.join(here, "cases.txt"))
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--case", action="append", help="run only these cases")
    parser.add_argument("--no-mutants", action="store_true", help="skip the mutation runs")
    shared = os.environ.get("BROWNOUT_SHARED",
                            os.path.join(os.path.dirname(os.path.dirname(here)), "..", "shared"))
    parser.add_argument("--mcuboot-template", default=os.path.join(shared, TEMPLATE_PATH),
                        help="MCUboot's mcuboot_config.template.h (default: from "
                        "$BROWNOUT_SHARED/peers)")
    args = parser.parse_args(argv)

    with open(args.flags, encoding="utf-8") as f:
        words = [w for w in f.read().split("\n") if w]
    if not words:
        raise SystemExit("%s is empty" % args.flags)
    cc_argv = shlex.split(words[0])
    flags = words[1:]
    os.chdir(args.root)
    cases, fragments = parse_cases(args.cases)
    if os.path.isfile(args.mcuboot_template):
        cases += template_cases(args.mcuboot_template,
                                os.path.join(here, "mcuboot_template.txt"))
    else:
        print("skip: MCUboot's configuration template %s is absent (BROWNOUT_SHARED): its cases "
              "are not run" % args.mcuboot_template)
    if args.case:
        cases = [c for c in cases if c.name in args.case]
    config_dir = os.path.join(args.root, "core", "config")
    failures = []
    passed = 0

    with tempfile.TemporaryDirectory(prefix="bo-config-") as tmp:
        jobs = []
        for case in cases:
            case_args = write_case_files(case, fragments, os.path.join(tmp, "cases", case.name))
            jobs.append((case, case_args))

        def run_plain(job):
            case, case_args = job
            rc, out = compile_case(cc_argv, flags, config_dir, case_args)
            return case, judge(case, rc, out)

        def run_mutant(job):
            case, case_args = job
            root = os.path.join(tmp, "mutants", case.name)
            os.makedirs(root)
            mutant, removed = make_mutant(config_dir, root, case.regex)
            if removed == 0:
                return case, "no #error or _Static_assert matches /%s/" % case.regex.pattern
            rc, out = compile_case(cc_argv, flags, mutant, case_args)
            if judge(case, rc, out) is None:
                return case, ("still rejected with /%s/ after its check was removed: the case "
                              "does not test that check" % case.regex.pattern)
            return case, None

        def run_planted(job):
            case, case_args = job
            root = os.path.join(tmp, "planted", case.name)
            os.makedirs(root)
            mutant, _ = make_mutant(config_dir, root, None, planted="planted fault")
            rc, out = compile_case(cc_argv, flags, mutant, case_args)
            if judge(case, rc, out) is None:
                return case, "still accepted with a planted #error in check_config.h"
            return case, None

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
            for case, why in pool.map(run_plain, jobs):
                if why is None:
                    passed += 1
                    print("ok      %s" % case.name)
                else:
                    failures.append(case.name)
                    print("FAIL    %s (line %d): %s" % (case.name, case.line, why))
            if not args.no_mutants:
                rejecting = [j for j in jobs if j[0].expect == "reject"]
                accepting = [j for j in jobs if j[0].expect == "accept"][:1]
                for kind, fn, subset in (("mutant", run_mutant, rejecting),
                                         ("planted", run_planted, accepting)):
                    for case, why in pool.map(fn, subset):
                        label = "%s:%s" % (kind, case.name)
                        if why is None:
                            passed += 1
                        else:
                            failures.append(label)
                            print("FAIL    %s (line %d): %s" % (label, case.line, why))
                print("mutants: every rejecting case fails once its check is removed"
                      if not any(f.startswith(("mutant:", "planted:")) for f in failures)
                      else "mutants: some cases do not test their check")

    n_accept = sum(1 for c in cases if c.expect == "accept")
    print("config cases: %d accepting, %d rejecting" % (n_accept, len(cases) - n_accept))
    print("config: %d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
