#!/usr/bin/env python3
"""Prints the module import graph's circles and upward imports, file by file.

An edge runs from a file to each file whose module it names (`use crate::a::b`, `super::x`,
inline `crate::a::f()` paths; `#[cfg(test)]` files and tests.rs are left out: a test module
importing its parent is how Rust tests are written). The library (src/) and the binary
(src/bin/envmint/) are separate crates; the binary's `envmint::` paths point into the library.

- circle of files: a set of two or more files that import each other through a loop (a strongly
  connected component);
- circle of rooms: the same over rooms (a top-level module of the library, each area's
  `error` file a room of its own; in the binary a top-level module or one command), leaves
  (files importing nothing of the crate) left out: the figure issue 18 counts;
- upward import: a file at the bottom of the library (text, path, secret, time, location, the
  aggregator `error` and every area's `error` file) importing a file above it that depends on
  the bottom again (imports `error`, directly or through others): the import that closes a
  circle through the errors. A bottom file may use a leaf (a file importing nothing that
  leads back). In the binary: a file outside commands/ importing a command;
- sibling import: a command file importing another command.

Usage: scripts/import-graph.py [--quiet]   (exit 0 always; prints the figures last)
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "src")
BIN = os.path.join(SRC, "bin", "envmint")


def modules(base, root_file, skip=None):
    """Maps module path tuples to files under `base`."""
    table = {(): os.path.join(base, root_file)}
    for folder, dirs, files in os.walk(base):
        if skip and os.path.abspath(folder).startswith(os.path.abspath(skip)):
            continue
        rel = os.path.relpath(folder, base)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for name in files:
            if not name.endswith(".rs"):
                continue
            stem = name[:-3]
            if parts == () and stem in ("lib", "main"):
                continue
            path = parts if stem == "mod" else parts + (stem,)
            table[path] = os.path.join(folder, name)
    return table


def is_test(path):
    base = os.path.basename(path)
    return base == "tests.rs" or "/tests/" in path


def strip(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    # drop inline #[cfg(test)] mod blocks: a test module's imports are not the house's.
    pattern = re.compile(
        r"#\[cfg\(test\)\](?:\s*#\[[^\]]*\])*\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{"
    )
    while True:
        m = pattern.search(text)
        if not m:
            break
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += text[i] == "{"
            depth -= text[i] == "}"
            i += 1
        text = text[: m.start()] + text[i:]
    return text


def expand(tree):
    """Expands a use tree `a::{b, c::{d, e}}` into paths."""
    tree = tree.strip()
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0].strip()]
    prefix = tree[:i]
    inner = tree[i + 1 : tree.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            for e in expand(p):
                out.append(prefix + e if e != "self" else prefix.rstrip(":"))
    return out


def resolve(path, here, table, crate_name):
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] == "super":
        base = here
        rest = segs
        while rest and rest[0] == "super":
            base = base[:-1]
            rest = rest[1:]
    elif segs[0] == "self":
        base, rest = here, segs[1:]
    elif crate_name and segs[0] == crate_name:
        return ("lib", segs[1:])
    else:
        base, rest = here, segs  # a child module named without self::
        if not rest or base + (rest[0],) not in table:
            return None
    best = base
    i = 0
    while i < len(rest) and best + (rest[i],) in table:
        best = best + (rest[i],)
        i += 1
    # follow a `pub use` re-export to the file that defines the item
    seen = 0
    while i < len(rest) and seen < 8:
        target = REEXPORTS.get(id(table), {}).get((best, rest[i]))
        if target is None:
            break
        seen += 1
        r = resolve(target, best, table, crate_name)
        if r is None or (r and r[0] == "lib"):
            break
        best, i = r, len(rest)
    return best


REEXPORTS = {}


def reexports(table):
    """(module, name) -> the path its `pub use` points at."""
    out = {}
    for mod, path in table.items():
        text = strip(open(path).read())
        for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text):
            for p in expand(m.group(1)):
                name = p.split("::")[-1]
                if name and name != "*":
                    out[(mod, name)] = p
    REEXPORTS[id(table)] = out


def called(m, text):
    """Whether the path of match `m` is called (`commands::run(`, `say!(`): its last segment is
    then a function or macro, even where a module has the same name."""
    return text[m.end() :].lstrip()[:1] in ("(", "!")


def graph(table, lib_table=None):
    edges = {}
    for mod, path in table.items():
        if is_test(path):
            continue
        text = strip(open(path).read())
        found = set()
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            for p in expand(m.group(1)):
                found.add((p, False))
        # whole paths only (`crate::a` of `crate::a::{b, c}` is no import of `a` itself)
        for m in re.finditer(r"\b((?:crate|super|envmint)(?:::\w+)+)(?!\w|::)", text):
            found.add((m.group(1), called(m, text)))
        # a child module's item named inline, without `self::` (`validate::parse(..)`,
        # `bootstrap::Foreign` in a struct field): the parent uses the child as much as an
        # import would
        for m in re.finditer(r"(?<![:\w])([a-z_]\w*(?:::\w+)+)(?!\w|::)", text):
            if mod + (m.group(1).split("::")[0],) in table:
                found.add((m.group(1), called(m, text)))
        targets = set()
        for p, call in found:
            r = resolve(p, mod, table, "envmint" if lib_table else None)
            # `commands::run(cli)`: the function `run` of `commands`, not its module `run`
            if call and isinstance(r, tuple) and r and r[-1:] == tuple(p.split("::")[-1:]):
                r = resolve(p.rsplit("::", 1)[0], mod, table, "envmint" if lib_table else None)
            if r is None or isinstance(r, tuple) and r and r[0] == "lib":
                continue
            if r != mod and r in table and not is_test(table[r]):
                targets.add(r)
        edges[mod] = targets
    return edges


def sccs(edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def name(prefix, mod):
    return prefix + ("::".join(mod) if mod else "(root)")


# The bottom of the library: plain helpers and each area's error type. A file here that imports
# any other file of the crate (the aggregator `error` may import the areas' `error` files) is an
# upward import.
BOTTOM = {("text",), ("path",), ("secret",), ("time",), ("location",), ("error",)}


def bottom(mod):
    return mod[:1] in BOTTOM or (len(mod) >= 2 and mod[-1] == "error")


def area(mod, is_bin):
    """The room a file belongs to: a top-level module, or one command in the binary."""
    if is_bin and mod[:1] == ("commands",) and len(mod) >= 2:
        return mod[:2]
    if not is_bin and len(mod) >= 2 and mod[-1] == "error":
        return mod  # an area's error is a room of its own, below the aggregator
    return mod[:1]


def reaches(edges, start, goal):
    """Whether `goal` can be reached from `start` along `edges`."""
    seen, todo = set(), [start]
    while todo:
        v = todo.pop()
        if v == goal:
            return True
        if v in seen:
            continue
        seen.add(v)
        todo.extend(edges.get(v, ()))
    return False


def main():
    quiet = "--quiet" in sys.argv
    lib = modules(SRC, "lib.rs", skip=os.path.join(SRC, "bin"))
    binm = modules(BIN, "main.rs")
    circles, file_circles, upward, sibling = [], [], [], []
    for prefix, table, is_bin in (("", lib, False), ("bin::", binm, True)):
        reexports(table)
        edges = graph(table, lib if is_bin else None)
        for comp in sccs(edges):
            file_circles.append([name(prefix, m) for m in comp])
        rooms = {}
        for src, dsts in edges.items():
            for dst in dsts:
                a, b = area(src, is_bin), area(dst, is_bin)
                # a leaf (a file importing nothing of the crate) cannot close a circle
                if a != b and edges.get(dst):
                    rooms.setdefault(a, set()).add(b)
        for comp in sccs(rooms):
            circles.append([name(prefix, m) for m in comp])
        for src, dsts in edges.items():
            for dst in dsts:
                if (
                    not is_bin
                    and bottom(src)
                    and not bottom(dst)
                    and reaches(edges, dst, ("error",))
                ):
                    upward.append((name(prefix, src), name(prefix, dst)))
                # a command file, not the dispatch (commands/mod.rs) that main.rs calls
                if is_bin and len(dst) >= 2 and dst[0] == "commands" and src[:1] != ("commands",):
                    upward.append((name(prefix, src), name(prefix, dst)))
                if (
                    is_bin
                    and len(src) >= 2
                    and len(dst) >= 2
                    and src[0] == dst[0] == "commands"
                    and src[1] != dst[1]
                ):
                    sibling.append((name(prefix, src), name(prefix, dst)))
    if not quiet:
        for c in circles:
            print("circle of rooms (%d): %s" % (len(c), ", ".join(c)))
        for c in file_circles:
            print("circle of files (%d): %s" % (len(c), ", ".join(c)))
        for s, d in sorted(upward):
            print("upward: %s -> %s" % (s, d))
        for s, d in sorted(sibling):
            print("sibling command: %s -> %s" % (s, d))
    print(
        "circles of rooms: %d (%d rooms), circles of files: %d, upward imports: %d, "
        "sibling command imports: %d"
        % (
            len(circles),
            sum(len(c) for c in circles),
            len(file_circles),
            len(upward),
            len(sibling),
        )
    )


if __name__ == "__main__":
    main()
