#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""brownout's side of an upstream MCUboot build: variants, their configuration, key tables and
the identity of the tree (docs/mcuboot.md).

  mcuboot_gen.py check SRC                    is SRC a MCUboot tree the port can build?
  mcuboot_gen.py identify SRC                 the tree's identity (git describe, or a SHA-256)
  mcuboot_gen.py sources SRC                  the bootutil sources the port compiles
  mcuboot_gen.py name SETTING=VALUE...        the variant name of a device's settings (key=FILE
                                              gives the signature type, mode=overwrite is
                                              overwrite-only)
  mcuboot_gen.py config VARIANT SRC OUTDIR    OUTDIR/mcuboot_config/mcuboot_config.h and
                                              OUTDIR/mcuboot_variant.h of a variant
  mcuboot_gen.py tree SRC OUT.h               a header naming the tree (BO_MCUBOOT_TREE_ID)
  mcuboot_gen.py keys VARIANT OUT.c PEM...    the key table (bootutil_keys) of public keys
  mcuboot_gen.py probe VARIANT SRC CC ARGS... preprocess every source: upstream's own
                                              configuration checks, reported in one line

Settings of a variant (names as in a device section of the daemon's INI):
  mode                  overwrite-only | swap-scratch | swap-move | swap-offset
  sig                   none | ec256 | rsa2048 | rsa3072 | ec384 (upstream needs PSA for it)
  max-align             the largest write unit, 1..32 (trailer fields are padded to it)
  max-sectors           most sectors in a slot
  validate-primary      true | false
  downgrade-prevention  true | false
  images                1 | 2
  hw-key                true: the image carries its public key (PUBKEY TLV) and the device
                        trusts the hash of one key (MCUBOOT_HW_KEY); false: the image names its
                        key by hash (KEYHASH TLV) and the device holds a key table

Bad input gets one line on stderr and a sysexits code.
"""
import base64
import hashlib
import os
import re
import subprocess
import sys

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE = 64, 65, 66, 70

MODES = {
    "overwrite-only": "MCUBOOT_OVERWRITE_ONLY",
    "swap-scratch": "MCUBOOT_SWAP_USING_SCRATCH",
    "swap-move": "MCUBOOT_SWAP_USING_MOVE",
    "swap-offset": "MCUBOOT_SWAP_USING_OFFSET",
}
# The source file each mode needs in the tree.
MODE_SOURCE = {"swap-scratch": "swap_scratch.c", "swap-move": "swap_move.c",
               "swap-offset": "swap_offset.c"}
SIGS = {
    "none": [],
    "ec256": ["MCUBOOT_SIGN_EC256"],
    "ec384": ["MCUBOOT_SIGN_EC384"],
    "rsa2048": ["MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_RSA_LEN 2048"],
    "rsa3072": ["MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_RSA_LEN 3072"],
}
DEFAULTS = {"mode": "swap-scratch", "sig": "ec256", "max-align": "8", "max-sectors": "512",
            "validate-primary": "true", "downgrade-prevention": "false", "images": "1",
            "hw-key": "false"}
# The sources the port compiles when the tree has them: the loader, every swap mode, the
# trailer and area helpers, image validation and the signature types the port supports.
SOURCES = ["loader.c", "swap_misc.c", "swap_scratch.c", "swap_move.c", "swap_offset.c",
           "bootutil_misc.c", "bootutil_public.c", "bootutil_area.c", "bootutil_loader.c",
           "image_validate.c", "image_ecdsa.c", "image_rsa.c", "tlv.c", "caps.c",
           "bootutil_find_key.c", "bootutil_img_hash.c", "bootutil_img_security_cnt.c",
           "fault_injection_hardening.c"]
# What a tree must have for the port to build it at all.
REQUIRED = ["boot/bootutil/src/loader.c", "boot/bootutil/src/bootutil_misc.c",
            "boot/bootutil/src/bootutil_public.c", "boot/bootutil/src/image_validate.c",
            "boot/bootutil/src/tlv.c", "boot/bootutil/src/swap_misc.c",
            "boot/bootutil/include/bootutil/bootutil.h",
            "boot/bootutil/include/bootutil/sign_key.h",
            "boot/bootutil/include/bootutil/bootutil_log.h"]
# Symbols the port relies on, and the file that must declare each.
REQUIRED_SYMBOLS = [("boot/bootutil/include/bootutil/bootutil.h", "boot_go"),
                    ("boot/bootutil/include/bootutil/bootutil_public.h", "boot_set_pending"),
                    ("boot/bootutil/include/bootutil/bootutil_log.h",
                     "MCUBOOT_LOG_MODULE_DECLARE")]


def die(code, msg):
    print(msg, file=sys.stderr)
    sys.exit(code)


def check(src):
    """Returns None when src is a tree the port can build, else the one-line reason."""
    if not os.path.isdir(src):
        return "%s: not a directory" % src
    if not os.path.isdir(os.path.join(src, "boot/bootutil")):
        return "%s: not a MCUboot tree (no boot/bootutil)" % src
    missing = [f for f in REQUIRED if not os.path.isfile(os.path.join(src, f))]
    if missing:
        return "%s: MCUboot tree too old for the port: missing %s" % (src, ", ".join(missing))
    for path, sym in REQUIRED_SYMBOLS:
        with open(os.path.join(src, path), encoding="utf-8", errors="replace") as f:
            if not re.search(r"\b%s\b" % sym, f.read()):
                return "%s: MCUboot tree too old for the port: %s does not declare %s" % (
                    src, path, sym)
    return None


def tree_files(src):
    base = os.path.join(src, "boot/bootutil")
    out = []
    for root, _dirs, files in os.walk(base):
        out += [os.path.join(root, f) for f in files if f.endswith((".c", ".h"))]
    return sorted(out)


def identify(src):
    """git describe when src is a git checkout, else a SHA-256 over its bootutil sources."""
    if os.path.exists(os.path.join(src, ".git")):
        r = subprocess.run(["git", "-C", src, "describe", "--always", "--tags", "--dirty"],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            return "git:" + r.stdout.strip()
    h = hashlib.sha256()
    base = os.path.join(src, "boot/bootutil")
    for path in tree_files(src):
        h.update(os.path.relpath(path, base).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
    ident = "sha256:" + h.hexdigest()[:16]
    commit = os.path.join(src, "COMMIT")
    if os.path.isfile(commit):
        with open(commit, encoding="utf-8", errors="replace") as f:
            words = f.read().split()
        if words and re.fullmatch(r"[0-9a-f]{7,40}", words[0]):
            ident += " commit:" + words[0][:12]
    return ident


def sources(src):
    base = os.path.join(src, "boot/bootutil/src")
    return [os.path.join(base, s) for s in SOURCES if os.path.isfile(os.path.join(base, s))]


def parse_bool(key, val):
    if val in ("true", "1", "yes", "on"):
        return True
    if val in ("false", "0", "no", "off"):
        return False
    die(EX_DATAERR, "mcuboot: %s = %s: expected true or false" % (key, val))


def parse_int(key, val, lo, hi):
    if not re.fullmatch(r"[0-9]+", val) or not lo <= int(val) <= hi:
        die(EX_DATAERR, "mcuboot: %s = %s: expected an integer in %d..%d" % (key, val, lo, hi))
    return int(val)


def settings_check(s):
    """Validates settings (a dict of the names above); returns them normalised."""
    for key in s:
        if key not in DEFAULTS:
            die(EX_DATAERR, "mcuboot: unknown setting %s (known: %s)" % (
                key, ", ".join(sorted(DEFAULTS))))
    full = dict(DEFAULTS)
    full.update(s)
    if full["mode"] not in MODES:
        die(EX_DATAERR, "mcuboot: mode = %s: expected one of %s" % (
            full["mode"], ", ".join(MODES)))
    if full["sig"] not in SIGS:
        die(EX_DATAERR, "mcuboot: sig = %s: expected one of %s" % (
            full["sig"], ", ".join(SIGS)))
    align = parse_int("max-align", full["max-align"], 1, 32)
    if align & (align - 1):
        die(EX_DATAERR, "mcuboot: max-align = %d: expected a power of two" % align)
    full["max-align"] = str(align)
    full["max-sectors"] = str(parse_int("max-sectors", full["max-sectors"], 1, 65536))
    full["images"] = str(parse_int("images", full["images"], 1, 2))
    for key in ("validate-primary", "downgrade-prevention", "hw-key"):
        full[key] = "true" if parse_bool(key, full[key]) else "false"
    return full


def variant_name(s):
    """The variant name: every setting, in a fixed order, so that equal settings share one."""
    return "%s_%s_a%s_s%s_i%s_vp%d_dg%d_hk%d" % (
        s["mode"], s["sig"], s["max-align"], s["max-sectors"], s["images"],
        s["validate-primary"] == "true", s["downgrade-prevention"] == "true",
        s["hw-key"] == "true")


def variant_parse(name):
    m = re.fullmatch(r"([a-z-]+)_([a-z0-9]+)_a([0-9]+)_s([0-9]+)_i([0-9]+)_vp([01])_dg([01])"
                     r"_hk([01])", name)
    if not m:
        die(EX_DATAERR, "mcuboot: %s: not a variant name (MODE_SIG_aALIGN_sSECTORS_iIMAGES_vp"
            "0|1_dg0|1_hk0|1, e.g. %s)" % (name, variant_name(DEFAULTS)))
    s = settings_check({"mode": m[1], "sig": m[2], "max-align": m[3], "max-sectors": m[4],
                        "images": m[5], "validate-primary": m[6],
                        "downgrade-prevention": m[7], "hw-key": m[8]})
    if variant_name(s) != name:
        die(EX_DATAERR, "mcuboot: %s: not canonical; the name of these settings is %s" % (
            name, variant_name(s)))
    return s


def config_text(name, s):
    lines = ["/* Generated by port/linux/mcuboot/mcuboot_gen.py for variant %s: do not edit. */"
             % name, "#ifndef MCUBOOT_CONFIG_H", "#define MCUBOOT_CONFIG_H", "",
             "/* Upgrade mode: %s. */" % s["mode"], "#define %s 1" % MODES[s["mode"]],
             "", "/* Signature type: %s. */" % s["sig"]]
    lines += ["#define " + d for d in SIGS[s["sig"]]]
    lines += ["#define MCUBOOT_USE_MBED_TLS", "",
              "/* Boot policy. */"]
    if s["validate-primary"] == "true":
        lines.append("#define MCUBOOT_VALIDATE_PRIMARY_SLOT")
    if s["downgrade-prevention"] == "true":
        # By version, not by security counter; upstream reads the counter switch as a value.
        lines += ["#define MCUBOOT_DOWNGRADE_PREVENTION",
                  "#define MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER 0"]
    if s["hw-key"] == "true":
        lines.append("#define MCUBOOT_HW_KEY")
    lines += ["", "/* Flash: the trailer's padding and the sector table of a slot. */",
              "#define MCUBOOT_IMAGE_NUMBER " + s["images"],
              "#define MCUBOOT_BOOT_MAX_ALIGN " + s["max-align"],
              "#define MCUBOOT_MAX_IMG_SECTORS " + s["max-sectors"],
              "#define MCUBOOT_USE_FLASH_AREA_GET_SECTORS", "",
              "/* Port services: logging on the port's sink, no watchdog, no fault-injection",
              " * hardening profile. */",
              "#define MCUBOOT_HAVE_LOGGING 1",
              '#define MCUBOOT_LOG_MODULE_NAME "mcuboot"',
              "#define MCUBOOT_FIH_PROFILE_OFF",
              "#define MCUBOOT_WATCHDOG_FEED() do { } while (0)", "",
              "#endif /* MCUBOOT_CONFIG_H */", ""]
    return "\n".join(lines)


def variant_header(name, s):
    mode = s["mode"].replace("-", "_").upper()
    return "\n".join([
        "/* Generated by port/linux/mcuboot/mcuboot_gen.py: the settings of variant %s. */"
        % name, "#ifndef MCUBOOT_VARIANT_H", "#define MCUBOOT_VARIANT_H",
        '#define BO_MCUBOOT_VARIANT "%s"' % name,
        '#define BO_MCUBOOT_MODE "%s"' % s["mode"],
        "#define BO_MCUBOOT_MODE_%s 1" % mode,
        '#define BO_MCUBOOT_SIG "%s"' % s["sig"],
        "#define BO_MCUBOOT_MAX_ALIGN %s" % s["max-align"],
        "#define BO_MCUBOOT_MAX_SECTORS %s" % s["max-sectors"],
        "#define BO_MCUBOOT_IMAGES %s" % s["images"],
        "#define BO_MCUBOOT_VALIDATE_PRIMARY %d" % (s["validate-primary"] == "true"),
        "#define BO_MCUBOOT_DOWNGRADE_PREVENTION %d" % (s["downgrade-prevention"] == "true"),
        "#define BO_MCUBOOT_HW_KEY %d" % (s["hw-key"] == "true"),
        "#endif /* MCUBOOT_VARIANT_H */", ""])


def write_if_changed(path, text):
    """Writes text to path unless it already holds it, so that make's timestamps stay put."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def cmd_config(name, src, outdir):
    s = variant_parse(name)
    if s["mode"] in MODE_SOURCE and not os.path.isfile(
            os.path.join(src, "boot/bootutil/src", MODE_SOURCE[s["mode"]])):
        die(EX_DATAERR, "mcuboot: variant %s: mode %s (%s) is not in %s (no %s)" % (
            name, s["mode"], MODES[s["mode"]], src, MODE_SOURCE[s["mode"]]))
    write_if_changed(os.path.join(outdir, "mcuboot_config/mcuboot_config.h"),
                     config_text(name, s))
    write_if_changed(os.path.join(outdir, "mcuboot_variant.h"), variant_header(name, s))


def cmd_tree(src, out):
    ident = identify(src).replace("\\", "\\\\").replace('"', '\\"')
    path = os.path.realpath(src).replace("\\", "\\\\").replace('"', '\\"')
    write_if_changed(out, "\n".join([
        "/* Generated by port/linux/mcuboot/mcuboot_gen.py: the MCUboot tree built. */",
        "#ifndef MCUBOOT_TREE_H", "#define MCUBOOT_TREE_H",
        '#define BO_MCUBOOT_TREE_ID "%s"' % ident,
        '#define BO_MCUBOOT_TREE_PATH "%s"' % path,
        "#endif /* MCUBOOT_TREE_H */", ""]))


def der_item(buf, pos):
    """One DER item at pos: (tag, start of contents, end of contents)."""
    if pos + 2 > len(buf):
        raise ValueError("truncated DER")
    tag, n = buf[pos], buf[pos + 1]
    pos += 2
    if n & 0x80:
        count = n & 0x7F
        if count == 0 or count > 3 or pos + count > len(buf):
            raise ValueError("bad DER length")
        n = int.from_bytes(buf[pos:pos + count], "big")
        pos += count
    if pos + n > len(buf):
        raise ValueError("truncated DER")
    return tag, pos, pos + n


RSA_OID = bytes([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01])
EC_OID = bytes([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01])
ED25519_OID = bytes([0x2B, 0x65, 0x70])


def pem_public_key(path):
    """(kind, key bytes) of a PEM public key: kind "ec", "rsa", "ed25519" or "other"; the bytes
    are those MCUboot's key table holds (and imgtool hashes into a KEYHASH TLV): the
    SubjectPublicKeyInfo DER for EC and Ed25519 keys, the RSAPublicKey inside it for RSA."""
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        die(EX_NOINPUT, "%s: cannot read the key: %s" % (path, e.strerror))
    try:
        begin = lines.index("-----BEGIN PUBLIC KEY-----")
        end = lines.index("-----END PUBLIC KEY-----", begin)
    except ValueError:
        line = next((i + 1 for i, l in enumerate(lines) if l.startswith("-----BEGIN")), 1)
        die(EX_DATAERR, "%s:%d: not a public key PEM (-----BEGIN PUBLIC KEY----- expected)"
            % (path, line))
    try:
        der = base64.b64decode("".join(lines[begin + 1:end]), validate=True)
        tag, start, stop = der_item(der, 0)
        _tag, alg_start, alg_end = der_item(der, start)
        _tag, oid_start, oid_end = der_item(der, alg_start)
        bits_tag, bits_start, bits_end = der_item(der, alg_end)
        if tag != 0x30 or bits_tag != 0x03 or stop != len(der):
            raise ValueError("not a SubjectPublicKeyInfo")
    except ValueError as e:
        die(EX_DATAERR, "%s:%d: bad public key: %s" % (path, begin + 2, e))
    oid = der[oid_start:oid_end]
    if oid == RSA_OID:
        return "rsa", der[bits_start + 1:bits_end]
    return {EC_OID: "ec", ED25519_OID: "ed25519"}.get(oid, "other"), der


P256_OID = bytes([0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07])
P384_OID = bytes([0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22])


def key_sig(path):
    """The signature type of a PEM public key (a device's `key` file): ec256, ec384, rsa2048,
    rsa3072, or one line and exit."""
    kind, key = pem_public_key(path)
    if kind == "ec" and P256_OID in key:
        return "ec256"
    if kind == "ec" and P384_OID in key:
        return "ec384"
    if kind == "rsa":
        try:
            _tag, start, _stop = der_item(key, 0)
            _tag, n_start, n_end = der_item(key, start)
        except ValueError as e:
            die(EX_DATAERR, "%s: bad RSA public key: %s" % (path, e))
        bits = len(key[n_start:n_end].lstrip(b"\0")) * 8
        if "rsa%d" % bits in SIGS:
            return "rsa%d" % bits
        die(EX_DATAERR, "%s: RSA-%d keys are not supported (2048 or 3072)" % (path, bits))
    die(EX_DATAERR, "%s: not an ECDSA P-256/P-384 or RSA key" % path)


def name_settings(args):
    """Settings from SETTING=VALUE arguments; key=FILE (repeatable) gives the signature type."""
    settings = {}
    sigs = set()
    for arg in args:
        key, sep, val = arg.partition("=")
        if not sep:
            die(EX_USAGE, "mcuboot: %s: expected SETTING=VALUE" % arg)
        if key == "key":
            sigs.add((key_sig(val), val))
            continue
        if key == "mode" and val == "overwrite":
            val = "overwrite-only"
        settings[key] = val
    for sig, path in sorted(sigs):
        if settings.setdefault("sig", sig) != sig:
            die(EX_DATAERR, "mcuboot: key %s is an %s key, but sig = %s" % (
                path, sig, settings["sig"]))
    return settings


def c_bytes(name, data):
    out = ["static const unsigned char %s[] = {" % name]
    for off in range(0, len(data), 12):
        out.append("    " + " ".join("0x%02x," % b for b in data[off:off + 12]))
    return out + ["};"]


def hw_key_table(name, s, keys):
    """MCUBOOT_HW_KEY: upstream takes the key from the image's PUBKEY TLV and checks its hash
    against boot_retrieve_public_key_hash(): the device trusts the one key of its type."""
    family = {"ec256": "ec", "ec384": "ec", "rsa2048": "rsa", "rsa3072": "rsa"}.get(s["sig"])
    mine = [(path, key) for path, kind, key in keys if kind == family]
    if len(mine) != 1:
        die(EX_DATAERR, "mcuboot: variant %s trusts one %s key (MCUBOOT_HW_KEY): %d given" % (
            name, s["sig"], len(mine)))
    path, key = mine[0]
    body = ["/* The trusted key, %s: its SHA-256. */" % os.path.basename(path)]
    body += c_bytes("bo_key_hash", hashlib.sha256(key).digest())
    return body + [
        "", "unsigned int pub_key_len;",
        "struct bootutil_key bootutil_keys[1] = { { 0, &pub_key_len } };",
        "const int bootutil_key_cnt = 1;", "",
        "int boot_retrieve_public_key_hash(uint8_t image_index, uint8_t *public_key_hash,",
        "                                  size_t *key_hash_size)", "{",
        "    (void)image_index;",
        "    if (*key_hash_size < sizeof(bo_key_hash)) {", "        return -1;", "    }",
        "    memcpy(public_key_hash, bo_key_hash, sizeof(bo_key_hash));",
        "    *key_hash_size = sizeof(bo_key_hash);", "    return 0;", "}", ""]


def cmd_keys(name, out, pems):
    s = variant_parse(name)
    if not pems:
        die(EX_USAGE, "mcuboot: keys: no key file given")
    keys = [(path,) + pem_public_key(path) for path in pems]
    body = ["/* Generated by port/linux/mcuboot/mcuboot_gen.py for variant %s from %s: do not "
            "edit. */" % (name, ", ".join(os.path.basename(p) for p in pems)),
            "#include <string.h>", "", '#include "bootutil/sign_key.h"', ""]
    if s["hw-key"] == "true":
        write_if_changed(out, "\n".join(body + hw_key_table(name, s, keys)))
        return
    table = []
    for i, (path, _kind, key) in enumerate(keys):
        body.append("/* %s */" % os.path.basename(path))
        body += c_bytes("bo_key_%d" % i, key)
        body.append("static const unsigned int bo_key_%d_len = %d;" % (i, len(key)))
        table.append("    { bo_key_%d, &bo_key_%d_len }," % (i, i))
    body += ["", "const struct bootutil_key bootutil_keys[] = {"] + table + ["};",
             "const int bootutil_key_cnt = %d;" % len(pems), ""]
    write_if_changed(out, "\n".join(body))


def error_options(path, line, defined):
    """The options of the configuration that the #if guarding path:line tests."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    cond = []
    i = line - 2
    while i >= 0 and not re.match(r"\s*#\s*(if|elif|ifdef|ifndef)\b", lines[i]):
        cond.append(lines[i])
        i -= 1
    if i >= 0:
        cond.append(lines[i])
    names = re.findall(r"\bMCUBOOT_\w+", " ".join(cond))
    return sorted({n for n in names if n in defined}) or sorted(set(names))


def cmd_probe(name, src, cc_args):
    """Preprocesses every source with the variant's flags; the first #error upstream's own
    configuration checks raise becomes one line naming the option."""
    s = variant_parse(name)
    defined = {d.split()[0] for d in [MODES[s["mode"]]] + SIGS[s["sig"]]}
    defined |= {"MCUBOOT_USE_MBED_TLS", "MCUBOOT_IMAGE_NUMBER", "MCUBOOT_BOOT_MAX_ALIGN",
                "MCUBOOT_MAX_IMG_SECTORS"}
    if s["validate-primary"] == "true":
        defined.add("MCUBOOT_VALIDATE_PRIMARY_SLOT")
    if s["downgrade-prevention"] == "true":
        defined.add("MCUBOOT_DOWNGRADE_PREVENTION")
    if s["hw-key"] == "true":
        defined.add("MCUBOOT_HW_KEY")
    # One translation unit including every source: preprocessing alone raises the #errors of
    # upstream's configuration checks, in one compiler run.
    probe = "\n".join('#include "%s"' % os.path.abspath(p) for p in sources(src)) + "\n"
    args = [a for a in cc_args if a not in ("-MMD", "-MP")]
    r = subprocess.run(args + ["-E", "-o", os.devnull, "-x", "c", "-"], input=probe,
                       capture_output=True, text=True)
    if r.returncode == 0:
        return
    m = re.search(r"^(\S+?):(\d+):(?:\d+:)? error: #error (.*)$", r.stderr, re.M)
    if m:
        opts = error_options(m[1], int(m[2]), defined)
        die(EX_DATAERR, "%s:%s: upstream MCUboot rejects variant %s (%s): %s" % (
            m[1], m[2], name, ", ".join(opts), m[3].strip().strip('"')))
    first = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr.strip())
    die(EX_DATAERR, "mcuboot: variant %s does not build: %s" % (name, first))


def main(argv):
    if len(argv) < 2:
        die(EX_USAGE, "usage: mcuboot_gen.py check|identify|sources|name|config|tree|keys|"
            "probe ... (see the head of this file)")
    cmd, args = argv[1], argv[2:]
    if cmd in ("check", "identify", "sources") and len(args) == 1:
        reason = check(args[0])
        if reason:
            die(EX_NOINPUT if "not a" in reason else EX_DATAERR, reason)
        if cmd == "identify":
            print(identify(args[0]))
        elif cmd == "sources":
            print(" ".join(sources(args[0])))
    elif cmd == "name":
        print(variant_name(settings_check(name_settings(args))))
    elif cmd == "config" and len(args) == 3:
        cmd_config(*args)
    elif cmd == "tree" and len(args) == 2:
        cmd_tree(*args)
    elif cmd == "keys" and len(args) >= 2:
        cmd_keys(args[0], args[1], args[2:])
    elif cmd == "probe" and len(args) >= 3:
        cmd_probe(args[0], args[1], args[2:])
    else:
        die(EX_USAGE, "mcuboot_gen.py: bad command line (see the head of this file)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
