#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check that the modules of an area form a layered graph (no dependency cycle).

An area is a directory of object files (build/obj/core/boot, ...). Each object is one module.
Module A depends on module B when A leaves a symbol undefined that B defines (both read with
nm). The modules of an area must form a directed acyclic graph; every cycle found is printed
with the symbols that close it, and the script exits 1. Symbols defined outside the area
(other areas, libc, Mbed TLS) do not count: each area is checked on its own.

    scripts/check_layers.py [--graph] AREA_DIR...

Without an argument it checks build/obj/core/boot, build/obj/port/linux/vflash and
build/obj/sim/sweep under $BUILD (default build). --graph prints each area's edges too.
Exit codes: 0 acyclic, 1 a cycle, 64 (EX_USAGE) an unknown option, 66 (EX_NOINPUT) an area with
no object, 69 (EX_UNAVAILABLE) nm failed.
"""

import os
import subprocess
import sys

EX_NOINPUT = 66
EX_UNAVAILABLE = 69
DEFAULT_AREAS = ("obj/core/boot", "obj/port/linux/vflash", "obj/sim/sweep")


def nm_symbols(objects, *flags):
    """Map each object to the set of symbol names `nm -A FLAGS OBJECTS` lists for it."""
    out = subprocess.run(["nm", "-A", *flags, *objects], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(f"{objects[0]}: nm failed: {out.stderr.strip()}\n")
        sys.exit(EX_UNAVAILABLE)
    syms = {obj: set() for obj in objects}
    for line in out.stdout.splitlines():
        # "path.o:   U name" or "path.o:0000 T name": the path ends at the first ".o:".
        path, sep, rest = line.partition(".o:")
        if sep and rest.split():
            syms.setdefault(path + ".o", set()).add(rest.split()[-1])
    return syms


def module_graph(objects):
    """Map each module name to {module it depends on: sorted symbols it uses from it}."""
    undefined = nm_symbols(objects, "--undefined-only")
    exported = nm_symbols(objects, "--defined-only", "--extern-only")
    defined = {}
    for obj in objects:
        for sym in exported[obj]:
            defined.setdefault(sym, obj)
    name = {obj: os.path.splitext(os.path.basename(obj))[0] for obj in objects}
    graph = {}
    for obj in objects:
        edges = {}
        for sym in undefined[obj]:
            owner = defined.get(sym)
            if owner is not None and owner != obj:
                edges.setdefault(name[owner], []).append(sym)
        graph[name[obj]] = {dep: sorted(s) for dep, s in edges.items()}
    return graph


def strongly_connected(graph):
    """Return the strongly connected components of graph with more than one module (Tarjan)."""
    index = {}
    low = {}
    stack = []
    on_stack = set()
    components = []
    counter = [0]

    def visit(root):
        # Iterative depth-first search, so a long chain cannot exhaust Python's recursion limit.
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    components.append(sorted(comp))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def cycles_in(graph, component, limit=20):
    """Return up to limit elementary cycles of a strong component, each a list of modules
    with its first module repeated last; each cycle starts at its smallest module."""
    members = sorted(component)
    found = []
    for i, start in enumerate(members):
        allowed = set(members[i:])
        # Depth-first search over paths from start through modules not below it.
        work = [(start, [start])]
        while work and len(found) < limit:
            node, path = work.pop()
            for dep in sorted(graph[node], reverse=True):
                if dep == start:
                    found.append(path + [start])
                elif dep in allowed and dep not in path:
                    work.append((dep, path + [dep]))
    found.sort(key=lambda c: (len(c), c))
    return found[:limit]


def check_area(area, show_graph):
    """Check one directory of objects; print its cycles. Return True when it is acyclic."""
    objects = sorted(
        os.path.join(area, f) for f in os.listdir(area) if f.endswith(".o")
    ) if os.path.isdir(area) else []
    if not objects:
        sys.stderr.write(f"{area}: no object file (build first)\n")
        sys.exit(EX_NOINPUT)
    graph = module_graph(objects)
    if show_graph:
        for name in sorted(graph):
            for dep in sorted(graph[name]):
                print(f"{area}: {name} -> {dep} ({', '.join(graph[name][dep])})")
    components = strongly_connected(graph)
    for comp in components:
        print(f"{area}: modules in a cycle: {', '.join(comp)}")
        for cycle in cycles_in(graph, comp):
            print(f"{area}: cycle: {' -> '.join(cycle)}")
            for a, b in zip(cycle, cycle[1:]):
                print(f"    {a} -> {b}: {', '.join(graph[a][b])}")
    if not components:
        print(f"{area}: {len(graph)} modules, layered")
    return not components


def main(argv):
    show_graph = False
    if argv and argv[0] == "--graph":
        show_graph = True
        argv = argv[1:]
    if argv and argv[0].startswith("-"):
        sys.stderr.write(f"check_layers.py: unknown option {argv[0]} "
                         "(usage: [--graph] AREA_DIR...)\n")
        return 64
    build = os.environ.get("BUILD", "build")
    areas = argv or [os.path.join(build, a) for a in DEFAULT_AREAS]
    ok = True
    for area in areas:
        ok = check_area(area, show_graph) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
