#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The GNU conventions of every brownout program (issue 17), checked on the built programs.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_cli_conventions.py [-v]

Without a daemon: every program and every command (the list `brownout --help` prints) answers
--help (exit 0, its own usage) and --version, an unknown option exits 64 and is named, the bash
completion offers every command and image subcommand, and the man page and README document
every command and every status of the exit table (sim/util/bo_exit.h). With a daemon: global
options before or after the command, enum errors that list the values, the daemon's image info
in hex, and `image pending` / `image confirm` taking an image signed without --pad.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon as td  # noqa: E402  (its Daemon and DaemonTest helpers)

ROOT = td.ROOT
BIN = td.BIN
COMPLETION = os.path.join(ROOT, "scripts", "brownout.bash-completion")
IMAGE_COMMANDS = ["keygen", "getpub", "sign", "verify", "info", "load", "pending", "confirm"]


def run(*args, env=None):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, env=env)


def brownout(*args, env=None):
    return run(os.path.join(BIN, "brownout"), *args, env=env)


def commands():
    """The commands `brownout --help` lists."""
    out = brownout("--help").stdout
    section = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in section.splitlines() if line.strip()]


def complete(*words):
    """The words bash completion offers after `words` (the last one being completed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _brownout; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    out = run("bash", "-c", script, "bash", COMPLETION, *words, env=env)
    return set(out.stdout.split())


def exit_table():
    """The statuses of the exit table in sim/util/bo_exit.h."""
    with open(os.path.join(ROOT, "sim", "util", "bo_exit.h")) as f:
        return [int(m) for m in re.findall(r"^ \* \| (\d+) +\|", f.read(), re.M)]


class TestHelpWalk(unittest.TestCase):
    def test_every_command_has_help_version_and_named_bad_option(self):
        cmds = commands()
        self.assertIn("status", cmds)
        for cmd in cmds:
            with self.subTest(cmd=cmd):
                r = brownout(cmd, "--help")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("brownout " + cmd, r.stdout)
                self.assertIn("usage", r.stdout.lower())
                r = brownout(cmd, "--version")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"^brownout %s \d+\.\d+" % cmd)
                r = brownout(cmd, "--no-such-option")
                self.assertIn("--no-such-option", r.stderr)
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_every_image_command_has_its_own_page(self):
        pages = set()
        for sub in IMAGE_COMMANDS:
            with self.subTest(sub=sub):
                r = brownout("image", sub, "--help")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("usage: brownout image " + sub, r.stdout)
                self.assertIn("example", r.stdout)
                pages.add(r.stdout)
                r = brownout("image", sub, "--no-such-option", "x")
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertIn("--no-such-option", r.stderr)
        self.assertEqual(len(pages), len(IMAGE_COMMANDS))

    def test_help_command(self):
        self.assertEqual(brownout("help", "reset").stdout, brownout("reset", "--help").stdout)
        self.assertEqual(brownout("help", "image", "pending").stdout,
                         brownout("image", "pending", "--help").stdout)
        self.assertEqual(brownout("help", "nothing").returncode, 64)

    def test_daemon_commands_have_distinct_pages(self):
        pages = {}
        for cmd in ("status", "reset", "power-cut", "flash", "wait"):
            pages[cmd] = brownout(cmd, "--help").stdout
            self.assertIn("example", pages[cmd])
        self.assertEqual(len(set(pages.values())), len(pages))

    def test_daemon_programs(self):
        for prog in ("brownoutd", "brownout-fw"):
            with self.subTest(prog=prog):
                path = os.path.join(BIN, prog)
                r = run(path, "--help")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("Usage: " + prog, r.stdout)
                r = run(path, "--version")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(r.stdout.startswith(prog + " "), r.stdout)
                r = run(path, "--no-such-option")
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertIn("--no-such-option", r.stderr)

    def test_usage_errors_exit_64(self):
        self.assertEqual(brownout().returncode, 64)
        r = brownout("frobnicate")
        self.assertEqual(r.returncode, 64)
        self.assertIn("frobnicate", r.stderr)
        r = brownout("-x", "status")
        self.assertEqual(r.returncode, 64)
        self.assertIn("'-x'", r.stderr)
        r = brownout("status", "--at-op", "3")
        self.assertEqual(r.returncode, 64)
        self.assertIn("--at-op", r.stderr)
        r = brownout("power-cut", "dev0", "--units")
        self.assertEqual(r.returncode, 64)
        self.assertIn("'--units' needs a value", r.stderr)
        r = brownout("image", "pending", "dev0", "torn")
        self.assertEqual(r.returncode, 64)
        self.assertIn("'torn' is not one of: test, permanent", r.stderr)
        r = brownout("-s", "x", "sweep", "--help")
        self.assertEqual(r.returncode, 64)

    def test_completion_lists_every_command(self):
        self.assertEqual(complete("brownout", "") - {o for o in complete("brownout", "")
                                                     if o.startswith("-")}, set(commands()))
        self.assertTrue(set(IMAGE_COMMANDS) <= complete("brownout", "image", ""))
        self.assertIn("--socket", complete("brownout", "-"))
        self.assertEqual(complete("brownout", "power-cut", "dev0", "--fault", ""),
                         {"before", "after", "torn-prefix", "torn-bits", "erase-partial", "weak"})
        self.assertEqual(complete("brownout", "-s", "x", "image", "pending", "dev0", ""),
                         {"test", "permanent"})
        self.assertIn("--force", complete("brownout", "image", "keygen", "--"))

    def test_man_page_and_readme_document_commands_and_exit_table(self):
        with open(os.path.join(ROOT, "man", "brownout.1")) as f:
            man = f.read().replace("\\-", "-")
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        entries = set(re.findall(r"^\.B[IR]? \"?([a-z-]+)", man, re.M))
        self.assertEqual(set(commands()) - entries, set(), "commands missing in man/brownout.1")
        for sub in IMAGE_COMMANDS:
            self.assertIn("image " + sub, man)
        table = exit_table()
        self.assertIn(64, table)
        exit_section = readme.split("### Exit status", 1)[1].split("\n#", 1)[0]
        for status in table:
            self.assertRegex(man, r"\.B %d\n" % status)
            self.assertRegex(exit_section, r"\| %d +\|" % status)


def sign_unpadded(workdir, name, version, size):
    """An image signed without --pad (nothing in its trailer), as imgtool would make it."""
    return td.sign(workdir, name, version, size)


class TestWithDaemon(td.DaemonTest):
    def test_global_options_before_or_after_and_enum_errors(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        env = {k: v for k, v in os.environ.items() if k != "BROWNOUT_SOCKET"}
        for args in (("-s", d.sock, "status", "dev0"), ("status", "dev0", "-s", d.sock),
                     ("--socket=" + d.sock, "-j", "status", "dev0")):
            with self.subTest(args=args):
                r = brownout(*args, env=env)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("dev0", r.stdout)
        r = brownout("-s", d.sock + ".none", "status", env=env)
        self.assertEqual(r.returncode, 69)
        r = d.cli("power-cut", "dev0", "--at-op", "5", "--fault", "torn")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"'torn' is not one of: before, after, torn-prefix", r.stderr)
        r = d.cli("image", "info", "dev0", "primary")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"magic +0x96f3b83d")
        self.assertEqual(d.stop(), 0)

    def test_pending_takes_an_unpadded_image_and_confirm_keeps_it(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        v2 = sign_unpadded(self.workdir, "v2u", "2.0.0", 40000)
        self.assertEqual(d.cli("image", "load", "dev0", "secondary", v2).returncode, 0)
        # Without a request the bootloader leaves the staged image alone.
        r = d.cli("reset", "dev0", "--wait", "BOOT_DONE:30")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["data"]["version"], "1.0.0+0")
        r = d.cli("image", "pending", "dev0", "test")
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = json.loads(d.cli("reset", "dev0", "--wait", "BOOT_DONE:30").stdout)["data"]
        self.assertEqual((ev["version"], ev["swap-type"]), ("2.0.0+0", "test"))
        r = d.cli("image", "confirm", "dev0")
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = json.loads(d.cli("reset", "dev0", "--wait", "BOOT_DONE:30").stdout)["data"]
        self.assertEqual(ev["version"], "2.0.0+0")
        self.assertTrue(ev["state"]["confirmed"])
        self.assertEqual(d.stop(), 0)

    def test_pending_test_reverts_and_permanent_stays(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        v2 = sign_unpadded(self.workdir, "v2u", "2.0.0", 40000)
        self.assertEqual(d.cli("image", "load", "dev0", "secondary", v2).returncode, 0)
        self.assertEqual(d.cli("image", "pending", "dev0", "test").returncode, 0)
        ev = json.loads(d.cli("reset", "dev0", "--wait", "BOOT_DONE:30").stdout)["data"]
        self.assertEqual(ev["version"], "2.0.0+0")
        ev = json.loads(d.cli("reset", "dev0", "--wait", "BOOT_DONE:30").stdout)["data"]
        self.assertEqual((ev["version"], ev["swap-type"]), ("1.0.0+0", "revert"))
        # The reverted image is back in the secondary: permanent this time.
        self.assertEqual(d.cli("image", "pending", "dev0", "permanent").returncode, 0)
        for _ in range(2):
            ev = json.loads(d.cli("reset", "dev0", "--wait", "BOOT_DONE:30").stdout)["data"]
            self.assertEqual(ev["version"], "2.0.0+0")
        r = d.cli("image", "pending", "nodev", "test")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    tmp = tempfile.TemporaryDirectory(prefix="bo-cli-images.")
    td.IMAGES["v1"] = td.sign(tmp.name, "v1", "1.0.0", 30000)
    try:
        unittest.main(verbosity=1)
    finally:
        tmp.cleanup()
