#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate brownout's compile-time configuration checks.

Reads the description file (scripts/config_checks.txt), the option history
(scripts/config_history/N.txt, one file per configuration version), MCUboot's own history of
renamed and removed options, the macros MCUboot derives from its options (extracted from an
MCUboot tree by scripts/extract_mcuboot_derived.py) and the list of Mbed TLS options, and writes
three headers that core/config/build_info.h includes in the one translation unit that checks the
configuration (core/config/config.c):

  config_check_before.h  before the core configuration: hides the core options of the command
                         line while it includes the Mbed TLS configuration, rejects core options
                         that configuration sets, restores them, then hides the Mbed TLS options
                         (#pragma push_macro and #undef) so that the core configuration is read
                         alone;
  config_check_after.h   on the raw core configuration: removed or renamed options of brownout
                         and of MCUboot (unless the bypass macro is set), derived macros of
                         brownout and of MCUboot set by the user, MCUboot options the core does
                         not implement, Mbed TLS options the core configuration sets (whether or
                         not the Mbed TLS configuration sets them too), then restores the Mbed
                         TLS options (#pragma pop_macro);
  config_check_final.h   after the adjust header and the hand-written checks: the Mbed TLS
                         features each chosen core option needs.

Usage:
  generate_config_checks.py [--root DIR] [--output-dir DIR]
  generate_config_checks.py --check [--root DIR]       compare with the committed headers
  generate_config_checks.py --refresh-mbedtls-options MBEDTLS_TREE [--root DIR]

Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import shlex
import sys
import tempfile

DESCRIPTION = "scripts/config_checks.txt"
OUTPUT_DIR = "core/config"
HEADERS = ("config_check_before.h", "config_check_after.h", "config_check_final.h")
IDENT = re.compile(r"^[A-Z][A-Z0-9_]*$")


class DescriptionError(Exception):
    """A description or history file is malformed."""


def read_lines(path):
    """Yields (line number, shlex-split words) for each non-comment line of path."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            try:
                yield number, shlex.split(stripped)
            except ValueError as e:
                raise DescriptionError("%s:%d: %s" % (path, number, e)) from e


def check_ident(path, number, name):
    if not IDENT.match(name):
        raise DescriptionError("%s:%d: %r is not a macro name" % (path, number, name))
    return name


class Version:
    """One file of the option history."""

    def __init__(self, path):
        self.path = path
        self.number = None
        self.options = []
        self.derived = {}
        self.gone = {}
        for number, words in read_lines(path):
            kind = words[0]
            if kind == "version" and len(words) == 2 and words[1].isdigit():
                self.number = int(words[1])
            elif kind == "option" and len(words) == 2:
                self.options.append(check_ident(path, number, words[1]))
            elif kind == "derived" and len(words) == 3:
                self.derived[check_ident(path, number, words[1])] = words[2]
            elif kind in ("replaced", "removed") and len(words) == 3:
                self.gone[check_ident(path, number, words[1])] = (kind, words[2])
            else:
                raise DescriptionError("%s:%d: cannot parse %r" % (path, number, " ".join(words)))
        if self.number is None:
            raise DescriptionError("%s: no 'version N' line" % path)


class McubootHistory:
    """MCUboot's own renamed and removed MCUBOOT_* options (config_history/mcuboot.renames):
    "renamed OLD NEW 'WHEN'" and "removed OLD 'WHEN' 'WHAT TO DO'"."""

    def __init__(self, path):
        self.gone = {}
        for number, words in read_lines(path):
            if words[0] == "renamed" and len(words) == 4:
                new = check_ident(path, number, words[2])
                self.gone[check_ident(path, number, words[1])] = ("renamed", new, words[3])
            elif words[0] == "removed" and len(words) == 4:
                self.gone[check_ident(path, number, words[1])] = ("removed", words[3], words[2])
            else:
                raise DescriptionError("%s:%d: cannot parse %r" % (path, number, " ".join(words)))


def load_mcuboot_derived(path):
    """The data file of scripts/extract_mcuboot_derived.py: name -> the options it comes from."""
    derived = {}
    for number, words in read_lines(path):
        if words[0] != "derived" or len(words) != 3:
            raise DescriptionError("%s:%d: cannot parse %r" % (path, number, " ".join(words)))
        derived[check_ident(path, number, words[1])] = words[2]
    return derived


class Description:
    """The description file and everything it names."""

    def __init__(self, root):
        self.root = root
        path = os.path.join(root, DESCRIPTION)
        self.history_dir = None
        self.mbedtls_list = None
        self.mcuboot_history_path = None
        self.mcuboot_derived_path = None
        self.bypass = None
        self.requires = []
        self.unsupported = {}
        for number, words in read_lines(path):
            kind = words[0]
            if kind == "history" and len(words) == 2:
                self.history_dir = words[1]
            elif kind == "mbedtls-options" and len(words) == 2:
                self.mbedtls_list = words[1]
            elif kind == "mcuboot-history" and len(words) == 2:
                self.mcuboot_history_path = words[1]
            elif kind == "mcuboot-derived" and len(words) == 2:
                self.mcuboot_derived_path = words[1]
            elif kind == "unsupported" and len(words) == 3:
                self.unsupported[check_ident(path, number, words[1])] = words[2]
            elif kind == "bypass" and len(words) == 2:
                self.bypass = check_ident(path, number, words[1])
            elif kind == "requires" and "--" in words:
                sep = words.index("--")
                names = [check_ident(path, number, w) for w in words[1:sep]]
                what = " ".join(words[sep + 1:])
                if len(names) < 2 or not what:
                    raise DescriptionError("%s:%d: requires OPTION MBEDTLS_X... -- WHAT" %
                                           (path, number))
                self.requires.append((names[0], names[1:], what))
            else:
                raise DescriptionError("%s:%d: cannot parse %r" % (path, number, " ".join(words)))
        if not (self.history_dir and self.mbedtls_list and self.bypass and
                self.mcuboot_history_path and self.mcuboot_derived_path):
            raise DescriptionError("%s: history, mbedtls-options, mcuboot-history, "
                                   "mcuboot-derived and bypass are required" % path)
        self.versions = self.load_history()
        self.current = self.versions[-1]
        self.mbedtls_options = self.load_mbedtls_options()
        self.removed = self.find_removed()
        self.mcuboot_gone = McubootHistory(os.path.join(root, self.mcuboot_history_path)).gone
        self.mcuboot_derived = load_mcuboot_derived(os.path.join(root,
                                                                 self.mcuboot_derived_path))
        self.validate()

    def load_history(self):
        directory = os.path.join(self.root, self.history_dir)
        versions = [Version(os.path.join(directory, name))
                    for name in sorted(os.listdir(directory)) if name.endswith(".txt")]
        if not versions:
            raise DescriptionError("%s: no history file" % directory)
        versions.sort(key=lambda v: v.number)
        numbers = [v.number for v in versions]
        if len(set(numbers)) != len(numbers):
            raise DescriptionError("%s: two files have the same version" % directory)
        return versions

    def load_mbedtls_options(self):
        path = os.path.join(self.root, self.mbedtls_list)
        names = []
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.strip()
                if line and not line.startswith("#"):
                    names.append(check_ident(path, number, line))
        return names

    def find_removed(self):
        """Options of an older version that a later one dropped: name -> (version, kind, text)."""
        removed = {}
        for older, newer in zip(self.versions, self.versions[1:]):
            for name in older.options:
                if name in newer.options:
                    continue
                if name not in newer.gone:
                    raise DescriptionError(
                        "%s: option %s of version %d disappeared without a 'replaced' or "
                        "'removed' line" % (newer.path, name, older.number))
                kind, text = newer.gone[name]
                removed[name] = (newer.number, kind, text)
            # What an older version removed stays removed.
        current = set(self.current.options)
        return {k: v for k, v in sorted(removed.items()) if k not in current}

    def validate(self):
        core = set(self.current.options)
        for name in self.current.derived:
            if name in core:
                raise DescriptionError("%s is both an option and a derived macro" % name)
        for option, needs, _ in self.requires:
            if option not in core:
                raise DescriptionError("requires: %s is not a current core option" % option)
            for need in needs:
                if need not in self.mbedtls_options:
                    raise DescriptionError("requires: %s is not an Mbed TLS option" % need)
        if self.bypass not in core:
            raise DescriptionError("bypass %s is not a current core option" % self.bypass)
        for name in self.unsupported:
            if name not in core:
                raise DescriptionError("unsupported: %s is not a current core option" % name)
        for name, (kind, new, _) in self.mcuboot_gone.items():
            if name in core or name in self.removed:
                raise DescriptionError("mcuboot-history: %s is a brownout option" % name)
            if kind == "renamed" and new not in core:
                raise DescriptionError("mcuboot-history: %s is renamed to %s, which is not a "
                                       "current core option" % (name, new))
        for name in self.mcuboot_derived:
            if name in core or name in self.current.derived:
                raise DescriptionError("mcuboot-derived: %s is a brownout name" % name)


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', "'") + '"'


def header(name, guard, purpose, body):
    lines = [
        "/* SPDX-License-Identifier: Apache-2.0 */",
        "/*",
        " * %s: generated by scripts/generate_config_checks.py from" % name,
        " * %s and scripts/config_history/; do not edit (make check fails when" % DESCRIPTION,
        " * it is out of date). The #error lines are long so that each message is one line.",
        " *",
    ]
    lines += [(" * " + line).rstrip() for line in purpose]
    lines += [
        " */",
        "#ifndef %s" % guard,
        "#define %s" % guard,
        "",
    ]
    lines += body
    lines += ["", "#endif /* %s */" % guard, ""]
    return "\n".join(lines)


def cl_mark(name):
    return "BROWNOUT_CHK_CL_" + name


def mb_mark(name):
    return "BROWNOUT_CHK_MB_" + name


def gen_before(desc):
    body = ["/* Core options given on the compiler's command line (allowed) are remembered and",
            " * hidden while the Mbed TLS configuration is read, so that one it sets too is",
            " * seen. */"]
    for name in desc.current.options:
        body += ["#if defined(%s)" % name, "#define %s" % cl_mark(name),
                 '#pragma push_macro("%s")' % name, "#undef %s" % name, "#endif"]
    body += [
        "",
        "/* The Mbed TLS configuration (MBEDTLS_CONFIG_FILE and MBEDTLS_USER_CONFIG_FILE). */",
        '#include "mbedtls/build_info.h"',
        "",
        "/* A core option defined now came from the Mbed TLS configuration. */",
    ]
    for name in desc.current.options:
        msg = ("%s is a brownout core option but the Mbed TLS configuration sets it: move it to "
               "the core configuration (mcuboot_config.h, BROWNOUT_CONFIG_FILE or "
               "BROWNOUT_USER_CONFIG_FILE)" % name)
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    body += ["", "/* The command line's core options are restored. */"]
    for name in desc.current.options:
        body += ["#if defined(%s)" % cl_mark(name), '#pragma pop_macro("%s")' % name, "#endif"]
    body += ["", "/* Mbed TLS options set so far are remembered and hidden while the core",
             " * configuration is read (config_check_after.h restores them). */"]
    for name in desc.mbedtls_options:
        body += ["#if defined(%s)" % name, "#define %s" % mb_mark(name),
                 '#pragma push_macro("%s")' % name, "#undef %s" % name, "#endif"]
    return header("config_check_before.h", "BROWNOUT_CONFIG_CHECK_BEFORE_H", [
        "Included before the core configuration: reads the Mbed TLS configuration with the",
        "command line's core options hidden and rejects core options it sets, then hides the",
        "Mbed TLS options it set so that config_check_after.h sees which file sets what.",
    ], body)


def removed_lines(desc):
    """The #errors of brownout's and MCUboot's renamed and removed options."""
    body = []
    for name, (version, kind, text) in desc.removed.items():
        if kind == "replaced":
            msg = ("%s was renamed in configuration version %d: use %s instead (or define %s "
                   "for a configuration meant for several versions)"
                   % (name, version, text, desc.bypass))
        else:
            msg = ("%s was removed in configuration version %d: %s (or define %s for a "
                   "configuration meant for several versions)" % (name, version, text,
                                                                 desc.bypass))
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    for name, (kind, text, when) in sorted(desc.mcuboot_gone.items()):
        if kind == "renamed":
            msg = ("%s is an old MCUboot option, renamed to %s %s: use %s instead (or define %s "
                   "for a configuration meant for several versions)"
                   % (name, text, when, text, desc.bypass))
        else:
            msg = ("%s is an old MCUboot option, removed %s: %s (or define %s for a "
                   "configuration meant for several versions)" % (name, when, text, desc.bypass))
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    return body


def derived_lines(desc):
    """The #errors of brownout's and MCUboot's derived macros set by the configuration."""
    body = []
    for name, source in desc.current.derived.items():
        if source == "-":
            hint = "it is not an option"
        else:
            hint = "set %s instead" % source
        msg = ("%s is derived by core/config/config_adjust.h and must not be set by the "
               "configuration: %s" % (name, hint))
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    body += ["", "/* Macros MCUboot's bootutil derives from its options "
             "(scripts/extract_mcuboot_derived.py). */"]
    for name, source in sorted(desc.mcuboot_derived.items()):
        msg = ("%s is derived by MCUboot's bootutil from %s and brownout's core computes its own "
               "sizes: setting it changes nothing; set %s instead"
               % (name, source.replace("/", ", "), " or ".join(source.split("/"))))
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    return body


def gen_after(desc):
    body = ["/* Options removed or renamed in an earlier configuration version of brownout, or",
            " * in an earlier MCUboot release. */",
            "#if !defined(%s)" % desc.bypass]
    body += removed_lines(desc)
    body += ["#endif /* !%s */" % desc.bypass, "",
             "/* Macros core/config/config_adjust.h derives: setting them would desynchronise "
             "sizes. */"]
    body += derived_lines(desc)
    body += ["", "/* MCUboot options brownout's core does not implement. */"]
    for name, what in desc.unsupported.items():
        msg = ("%s (%s) is not supported by brownout's core; use bootloader = mcuboot (upstream "
               "MCUboot, hosted by brownoutd) or remove it" % (name, what))
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    body += ["", "/* Mbed TLS options were hidden: one defined now was set by the core "
             "configuration. */"]
    for name in desc.mbedtls_options:
        msg = ("%s is an Mbed TLS option but the core configuration sets it: move it to the "
               "Mbed TLS configuration (MBEDTLS_CONFIG_FILE)" % name)
        body += ["#if defined(%s)" % name, "#error %s" % c_string(msg), "#endif"]
    body += ["", "/* The Mbed TLS options are restored. */"]
    for name in desc.mbedtls_options:
        body += ["#if defined(%s)" % mb_mark(name), '#pragma pop_macro("%s")' % name, "#endif"]
    return header("config_check_after.h", "BROWNOUT_CONFIG_CHECK_AFTER_H", [
        "Included right after the core configuration, on the options exactly as the user set",
        "them, with the Mbed TLS options hidden; restores them at the end.",
    ], body)


def gen_final(desc):
    body = ['#include "mbedtls/build_info.h"', "",
            "/* Mbed TLS features the chosen core options need. */"]
    for option, needs, what in desc.requires:
        for need in needs:
            msg = ("%s needs %s in the Mbed TLS configuration (%s): enable it in "
                   "MBEDTLS_CONFIG_FILE" % (option, need, what))
            body += ["#if defined(%s) && !defined(%s)" % (option, need),
                     "#error %s" % c_string(msg), "#endif"]
    return header("config_check_final.h", "BROWNOUT_CONFIG_CHECK_FINAL_H", [
        "Included last: the Mbed TLS features each chosen core option needs, read from the",
        "Mbed TLS configuration (the core reads Mbed TLS's configuration, never the reverse).",
    ], body)


def generate(desc):
    return {
        "config_check_before.h": gen_before(desc),
        "config_check_after.h": gen_after(desc),
        "config_check_final.h": gen_final(desc),
    }


def write(outputs, directory):
    os.makedirs(directory, exist_ok=True)
    for name, text in outputs.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write(text)


def check(outputs, root):
    """Returns 0 when the committed headers equal freshly generated ones, else prints a diff."""
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        write(outputs, tmp)
        for name in HEADERS:
            committed = os.path.join(root, OUTPUT_DIR, name)
            try:
                with open(committed, encoding="utf-8") as f:
                    old = f.read()
            except FileNotFoundError:
                old = ""
            with open(os.path.join(tmp, name), encoding="utf-8") as f:
                new = f.read()
            if old != new:
                status = 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True),
                    os.path.join(OUTPUT_DIR, name), "regenerated " + name))
                print("%s is out of date: run scripts/generate_config_checks.py" % committed)
    return status


def refresh_mbedtls_options(root, tree, desc_list):
    """Rewrites the Mbed TLS option list from an Mbed TLS tree's mbedtls_config.h."""
    config = os.path.join(tree, "include", "mbedtls", "mbedtls_config.h")
    pattern = re.compile(r"^\s*(?://)?\s*#define\s+(MBEDTLS_[A-Z0-9_]+)")
    names = set()
    with open(config, encoding="utf-8") as f:
        for line in f:
            m = pattern.match(line)
            if m:
                names.add(m.group(1))
    version = "unknown"
    build_info = os.path.join(tree, "include", "mbedtls", "build_info.h")
    with open(build_info, encoding="utf-8") as f:
        m = re.search(r'#define\s+MBEDTLS_VERSION_STRING\s+"([^"]+)"', f.read())
        if m:
            version = m.group(1)
    path = os.path.join(root, desc_list)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# SPDX-License-Identifier: Apache-2.0\n")
        f.write("# Every MBEDTLS_* option of Mbed TLS %s's mbedtls_config.h (set or listed\n"
                "# commented out), one a line. Written by scripts/generate_config_checks.py\n"
                "# --refresh-mbedtls-options.\n" % version)
        for name in sorted(names):
            f.write(name + "\n")
    return len(names)


def description_list_path(root):
    """The mbedtls-options path of the description file, read without loading the rest."""
    for _, words in read_lines(os.path.join(root, DESCRIPTION)):
        if words[0] == "mbedtls-options" and len(words) == 2:
            return words[1]
    raise DescriptionError("%s: no mbedtls-options line" % DESCRIPTION)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--root", default=default_root, help="repository root")
    parser.add_argument("--output-dir", help="where to write (default: ROOT/core/config)")
    parser.add_argument("--check", action="store_true",
                        help="fail with a diff if the committed headers are out of date")
    parser.add_argument("--refresh-mbedtls-options", metavar="MBEDTLS_TREE",
                        help="rewrite the Mbed TLS option list from this source tree")
    args = parser.parse_args(argv)
    try:
        if args.refresh_mbedtls_options:
            count = refresh_mbedtls_options(args.root, args.refresh_mbedtls_options,
                                            description_list_path(args.root))
            print("%d Mbed TLS options listed" % count)
            return 0
        outputs = generate(Description(args.root))
    except (DescriptionError, OSError) as e:
        print("generate_config_checks.py: %s" % e, file=sys.stderr)
        return 2
    if args.check:
        return check(outputs, args.root)
    write(outputs, args.output_dir or os.path.join(args.root, OUTPUT_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
