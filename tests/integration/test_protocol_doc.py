#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/protocol.md's examples run as written: every `sh` block of its section "Examples that
run as written" runs with bash, from the top of the tree, after the section's first block (which
starts a daemon) and on a daemon of its own; the lines of the `text` block that follows each
example come out in that order (`...` matches anything; other lines may come between them). The
daemon is stopped and its directory removed after each example. Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_protocol_doc.py [-v]
"""
import os
import re
import subprocess
import sys
import unittest

ROOT = os.environ.get("BROWNOUT_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD, "bin")
DOC = os.path.join(ROOT, "docs", "protocol.md")
SECTION = "## Examples that run as written"


def blocks():
    """The fenced blocks of the section, as (language, text) in order."""
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    start = doc.index(SECTION)
    end = doc.find("\n## ", start + len(SECTION))
    section = doc[start:end if end >= 0 else len(doc)]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, re.S | re.M)


def pattern(line):
    """A line of an expected block as a regular expression: `...` matches anything."""
    return re.compile(".*".join(re.escape(part) for part in line.split("...")))


def run(setup, example):
    """Runs setup, then example, with bash; the daemon setup started ($!) always stops."""
    script = ("set -euo pipefail\n%s\ndaemon=$!\n"
              "trap 'kill $daemon; wait $daemon || true; rm -rf \"$T\"' EXIT\n%s" %
              (setup.replace("$PWD/build/bin", BIN), example))
    env = {k: v for k, v in os.environ.items() if k not in ("BROWNOUT_SOCKET", "PYTHONPATH")}
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                          check=False, cwd=ROOT, env=env)


class ProtocolDocTest(unittest.TestCase):
    def test_no_socat(self):
        with open(DOC, encoding="utf-8") as f:
            doc = f.read()
        self.assertNotIn("UNIX-CONNECT", doc)
        self.assertNotRegex(doc, r"\n\s*\$? ?socat ")

    def test_examples_run_as_written(self):
        found = blocks()
        self.assertGreaterEqual(len(found), 7, "the setup and three examples with their output")
        lang, setup = found[0]
        self.assertEqual(lang, "sh")
        self.assertIn("$PWD/build/bin", setup)
        examples = 0
        rest = found[1:]
        while rest:
            (lang, example), rest = rest[0], rest[1:]
            self.assertEqual(lang, "sh", example)
            self.assertTrue(rest and rest[0][0] == "text", "no output block after:\n" + example)
            (_, expected), rest = rest[0], rest[1:]
            with self.subTest(example=example.splitlines()[0]):
                p = run(setup, example)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                out = p.stdout.splitlines()
                at = 0
                for want in expected.splitlines():
                    rx = pattern(want)
                    while at < len(out) and not rx.fullmatch(out[at]):
                        at += 1
                    self.assertLess(at, len(out), "expected %r in order in:\n%s" % (
                        want, p.stdout))
                    at += 1
            examples += 1
        self.assertGreaterEqual(examples, 3)


if __name__ == "__main__":
    if not os.access(os.path.join(BIN, "brownoutd"), os.X_OK):
        sys.exit("test_protocol_doc: %s/brownoutd is not built" % BIN)
    unittest.main()
