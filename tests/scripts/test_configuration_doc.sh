#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: docs/configuration.md cannot drift from brownoutd. Every key of the parser's tables
# (config_keys[] in sim/config/config.c, config_net_keys[] in sim/config/config_net.c) has a row
# in its section's table and every row is such a key; every long option of config_longopts[]
# (sim/config/config_args.c) has a row in the options table and every row is one; and each
# literal default of the document is the value `brownoutd --check-config` prints for a device
# that sets nothing but its board, flash and (for the network keys) address and PSK.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
exec python3 - "$ROOT" "$ROOT/$BUILD/bin/brownoutd" <<'PY'
import os
import re
import subprocess
import sys
import tempfile

root, daemon = sys.argv[1], sys.argv[2]
errors = []


def source(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def table_body(text, name):
    """The text of the C array `name[] = { ... };`."""
    m = re.search(r"\b%s\[\]\s*=\s*\{(.*?)\n\};" % re.escape(name), text, re.S)
    if m is None:
        sys.exit("test_configuration_doc: no table %s[] in the sources" % name)
    return m.group(1)


config_c = source("sim/config/config.c")
parser = {("daemon", k) for k in re.findall(r'\{ "([a-z0-9-]+)", CONFIG_SEC_DAEMON,',
                                             table_body(config_c, "config_keys"))}
parser |= {("device", k) for k in re.findall(r'\{ "([a-z0-9-]+)", CONFIG_SEC_DEVICE,',
                                             table_body(config_c, "config_keys"))}
parser |= {("device", k) for k in re.findall(r'\{ "([a-z0-9-]+)", CONFIG_NET_',
                                             table_body(source("sim/config/config_net.c"),
                                                        "config_net_keys"))}
options = set(re.findall(r'\{ "([a-z0-9-]+)", (?:no|required|optional)_argument',
                         table_body(source("sim/config/config_args.c"), "config_longopts")))
if len(parser) < 20 or len(options) < 20:
    sys.exit("test_configuration_doc: the key tables were not read (%d keys, %d options)"
             % (len(parser), len(options)))

doc = source("docs/configuration.md")
documented = {}
rows_of_options = set()
section = None
for line in doc.splitlines():
    if line.startswith("## "):
        section = {"## [daemon]": "daemon", "## [device NAME]": "device",
                   "## Options of brownoutd": "options"}.get(line.strip())
        continue
    m = re.match(r"\| `([^`]+)`(?:, `([^`]+)`)? \|(.*)", line)
    if section in ("daemon", "device") and m:
        key = m.group(1)
        if (section, key) in documented:
            errors.append("docs/configuration.md: key '%s' of [%s] twice" % (key, section))
        cells = [c.strip() for c in m.group(3).split("|")]
        documented[(section, key)] = cells
    elif section == "options" and m:
        for opt in (m.group(1), m.group(2)):
            if opt and opt.startswith("--"):
                rows_of_options.add(opt[2:])

for sec, key in sorted(parser - set(documented)):
    errors.append("key '%s' of [%s] is in the parser but not in docs/configuration.md"
                  % (key, sec))
for sec, key in sorted(set(documented) - parser):
    errors.append("key '%s' of [%s] is in docs/configuration.md but not in the parser"
                  % (key, sec))
for opt in sorted(options - rows_of_options):
    errors.append("option --%s is in brownoutd but not in docs/configuration.md" % opt)
for opt in sorted(rows_of_options - options):
    errors.append("option --%s is in docs/configuration.md but not in brownoutd" % opt)

# The defaults: a cell that is one literal, or "`` (empty)", against --check-config.
with tempfile.TemporaryDirectory() as tmp:
    ini = os.path.join(tmp, "d.ini")
    with open(ini, "w", encoding="utf-8") as f:
        f.write("[device d]\nboard = %s\nflash = d.bin\naddress = 127.0.0.1:0\n"
                "psk-identity = d\npsk = 00\n"
                % os.path.join(root, "fixtures", "boards", "stm32f4.ini"))
    p = subprocess.run([daemon, "-c", ini, "--check-config"], capture_output=True, text=True,
                       timeout=60, check=False, cwd=tmp)
    if p.returncode != 0:
        sys.exit("test_configuration_doc: brownoutd --check-config: %s" % p.stderr.strip())
effective = {}
section = None
for line in p.stdout.splitlines():
    if line.startswith("["):
        section = "daemon" if line == "[daemon]" else "device"
    elif " = " in line or line.endswith(" ="):
        key, _, value = line.partition(" =")
        effective[(section, key)] = value.strip()
checked = 0
for (sec, key), cells in sorted(documented.items()):
    m = re.fullmatch(r"`([^`]*)`(?: \(empty\))?", cells[1])
    if m is None:
        continue
    checked += 1
    if (sec, key) not in effective:
        errors.append("key '%s' of [%s]: --check-config does not print it" % (key, sec))
    elif effective[(sec, key)] != m.group(1):
        errors.append("key '%s' of [%s]: the default is '%s', docs/configuration.md says '%s'"
                      % (key, sec, effective[(sec, key)], m.group(1)))
if checked < 20:
    errors.append("only %d literal defaults in docs/configuration.md" % checked)

if errors:
    for e in errors:
        print("test_configuration_doc: " + e, file=sys.stderr)
    sys.exit(1)
print("PASS: docs/configuration.md: %d keys, %d options, %d defaults checked"
      % (len(parser), len(options), checked))
PY
