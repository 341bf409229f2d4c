#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Size gate: fails on a hand-written source file over 800 lines or a C function over 80.

Checks *.c, *.h, *.py and *.sh files under core port sim tests fuzz scripts of a tree. A C
function's length runs from the first line of its signature to its closing brace. Exceptions
(generated headers, data tables) are listed in scripts/size_exceptions.txt, one a line:

    PATH-PATTERN[:FUNCTION]  reason

PATH-PATTERN is relative to the tree's root and may use shell wildcards (fnmatch); without
FUNCTION the entry exempts the file's length and all its functions. A line without a reason, or
an entry that matches nothing, is an error (so the list cannot go stale).

    scripts/check_size.py [--root DIR] [--exceptions FILE] [PATH...]

PATHs (files or folders, relative to the root) narrow the check. Exit status: 0 when every file
passes, 1 when one is too long (one FILE:LINE line each on stderr), 64 on bad usage, 65 on a
malformed exceptions file, 66 when a file cannot be read.
"""

import argparse
import fnmatch
import os
import re
import sys

MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 80
FOLDERS = ("core", "port", "sim", "tests", "fuzz", "scripts")
SUFFIXES = (".c", ".h", ".py", ".sh")
EX_USAGE = 64
EX_DATAERR = 65
EX_NOINPUT = 66

# Words before a '(' that are not the name of the function being defined.
NOT_NAMES = {
    "__attribute__", "__declspec", "__asm__", "asm", "sizeof", "_Alignas", "alignas",
    "_Static_assert", "if", "while", "for", "switch", "return", "defined",
}


class InputError(Exception):
    """A file that cannot be read or parsed; carries the exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def blank_code(text):
    """Returns text with comments, string and character literals and preprocessor lines
    replaced by spaces, newlines kept, so that braces and parentheses left are code."""
    out = []
    i = 0
    n = len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if line_start and c == "#":
            # A directive, with its backslash continuations (a macro's body included).
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                if text.startswith("/*", i):
                    end = text.find("*/", i + 2)
                    end = n if end < 0 else end + 2
                    out.append(re.sub(r"[^\n]", " ", text[i:end]))
                    i = end
                    continue
                out.append(" ")
                i += 1
            continue
        line_start = False
        if c == "\n":
            line_start = True
            out.append(c)
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def function_name(head):
    """The name a function definition's head declares, or None when the head is not one."""
    if "(" not in head or not head.rstrip().endswith(")"):
        return None
    # A tagged type with attributes ("struct __attribute__((packed)) s {") is not a function.
    if re.fullmatch(r"\s*(typedef\s+)?(struct|union|enum)(\s+\w+)?(\s+__attribute__)?\s*", head.split("(")[0]):
        return None
    depth = 0
    for m in re.finditer(r"[()=]|[A-Za-z_]\w*(?=\s*\((?!\s*\*))", head):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok == "=":
            if depth == 0:
                return None
        elif tok not in NOT_NAMES:
            return tok
    return None


def c_functions(text):
    """Yields (name, first line, last line) of each function defined at file scope."""
    code = blank_code(text)
    depth = 0
    head_start = 0
    start = None
    name = None
    opened = 0
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                name = function_name(code[head_start:i])
                head = code[head_start:i]
                start = head_start + (len(head) - len(head.lstrip()))
                opened = i
            depth += 1
        elif c == "}":
            if depth == 0:
                line = code.count("\n", 0, i) + 1
                raise InputError(f"{line}: unbalanced braces (this '}}' closes nothing)",
                                 EX_DATAERR)
            depth -= 1
            if depth == 0:
                if name is not None:
                    yield (name, code.count("\n", 0, start) + 1, code.count("\n", 0, i) + 1)
                name = None
                head_start = i + 1
        elif c == ";" and depth == 0:
            head_start = i + 1
    if depth != 0:
        line = code.count("\n", 0, opened) + 1
        raise InputError(f"{line}: unbalanced braces (this '{{' is never closed)", EX_DATAERR)


def read_exceptions(path):
    """Parses the exceptions file: a list of [pattern, function or None, reason, line, used]."""
    entries = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}", EX_NOINPUT) from e
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 1)
        if len(parts) < 2:
            raise InputError(f"{path}:{number}: an exception needs a reason: '{text}'",
                             EX_DATAERR)
        pattern, _, func = parts[0].partition(":")
        if func and not re.fullmatch(r"[A-Za-z_]\w*", func):
            raise InputError(f"{path}:{number}: not a function name: '{func}'", EX_DATAERR)
        entries.append([pattern, func or None, parts[1], number, False])
    return entries


def exempt(entries, rel, func):
    """True when an entry exempts the file rel (func None) or its function func."""
    for e in entries:
        if fnmatch.fnmatchcase(rel, e[0]) and (e[1] is None or e[1] == func):
            e[4] = True
            return True
    return False


def source_files(root, paths):
    """The checked files under the given paths (relative to root), sorted."""
    found = []
    for p in paths:
        full = os.path.join(root, p)
        if os.path.isfile(full):
            found.append(os.path.relpath(full, root))
            continue
        if not os.path.isdir(full):
            continue
        for folder, dirs, files in os.walk(full):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for f in files:
                if f.endswith(SUFFIXES):
                    found.append(os.path.relpath(os.path.join(folder, f), root))
    return sorted(set(found))


def check_file(root, rel, entries, problems):
    """Appends a FILE:LINE message to problems for each limit rel goes over; returns the
    number of C functions it has."""
    try:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{rel}: cannot read: {e.strerror}", EX_NOINPUT) from e
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_FILE_LINES and not exempt(entries, rel, None):
        problems.append(f"{rel}:{MAX_FILE_LINES + 1}: file has {lines} lines "
                        f"(limit {MAX_FILE_LINES}): split it")
    if not rel.endswith((".c", ".h")):
        return 0
    try:
        functions = list(c_functions(text))
    except InputError as e:
        raise InputError(f"{rel}:{e}", e.status) from e
    for name, first, last in functions:
        length = last - first + 1
        if length > MAX_FUNCTION_LINES and not exempt(entries, rel, name):
            problems.append(f"{rel}:{first}: function {name} has {length} lines "
                            f"(limit {MAX_FUNCTION_LINES}): split it")
    return len(functions)


class Parser(argparse.ArgumentParser):
    """Bad usage exits with EX_USAGE (sysexits), not argparse's 2."""

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"check_size: {message}", file=sys.stderr)
        sys.exit(EX_USAGE)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = Parser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(here), help="tree to check")
    ap.add_argument("--exceptions", help="exceptions file (ROOT/scripts/size_exceptions.txt)")
    ap.add_argument("paths", nargs="*", help="files or folders under the root")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.root):
        print(f"check_size: {args.root}: not a directory", file=sys.stderr)
        return EX_USAGE
    exceptions = args.exceptions or os.path.join(args.root, "scripts", "size_exceptions.txt")
    problems = []
    functions = 0
    try:
        entries = read_exceptions(exceptions)
        files = source_files(args.root, args.paths or FOLDERS)
        for rel in files:
            functions += check_file(args.root, rel, entries, problems)
    except InputError as e:
        print(f"check_size: {e}", file=sys.stderr)
        return e.status
    if not args.paths:
        for e in entries:
            if not e[4]:
                problems.append(f"{exceptions}:{e[3]}: exception '{e[0]}"
                                f"{':' + e[1] if e[1] else ''}' matches nothing over the "
                                "limits: remove it")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"check_size: {len(files)} files, {functions} C functions, {len(problems)} over the "
          "limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
