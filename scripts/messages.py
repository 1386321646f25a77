#!/usr/bin/env python3
"""An inventory of envmint's CLI messages and of the tests that assert each one whole.

Source side: the templates. Every string literal in envmint's non-test source, library and
binary, that has words of its own (below), wherever it stands (`say!`, `format!`, `write!` in a
`Display`, `Error::usage(..)`, `.with_hint(..)`, a `hint(..)` function's match arms, an audit
finding, a `const`), except:
- inside an attribute (`#[arg(help = ..)]`, `#[error(..)]`);
- an argument of a panic (`expect`, `panic!`, `unreachable!`, `assert!`), of a call that names
  a program, a variable or a path (`Command::new`, `.arg`, `.env`, `join`, `var`,
  `include_str!`), or of a partial check of text (`contains`, `starts_with`, ... : matching a
  peer's output, such as git's "dubious ownership");
- in the files of SKIP: clap's definitions (cli.rs: help text, which the man page and
  completion tests own), and the files whose text is a file's content, not a message (exports,
  the .gitignore block, .env.example, key files, the presets).
Test code is skipped: files named tests.rs or under a tests/ folder, `#[cfg(test)]` items
and `#[test]` functions.

Each literal becomes a regex: its `{..}` placeholders match any text (`.+?`), `{{`/`}}` are
braces, the rest is literal; a literal holding `\\n` is split into lines, each line a piece
of its own. A literal counts as a template when a line of it has words of its own: at least
two words of two or more letters once the placeholders are taken out ("nothing due" and
"rotated {n} of {m}" count, "{}: {}", "filled", "--json" and "GIT_INDEX_FILE" do not). A template is found in an asserted text
when each of its pieces matches within one line of it (not anchored: a piece of a message
assembled from several literals, as a hint's match arm, matches inside the whole line).

Test side: the texts tests compare whole:
- case files (tests/cli/cmd/<area>/<case>.toml: `stdout`/`stderr` inline, or the
  `<case>.stdout`/`<case>.stderr` files beside them), each case one test;
- snapshots (tests/cli/snapshots/**), each file one test;
- `str![..]` literals (inline snapshots) anywhere in tests/ and src/, each in its `fn`;
- the literals inside an `assert_eq!`/`assert_ne!` in test code (src/: tests.rs files,
  `#[cfg(test)]` items; tests/**/*.rs), and every literal of the unit tests in WHOLE_TABLES
  (the binary's advice: tables of (message, hint) and their constants), except those given
  to a partial check: `contains(`, `assert_stderr_has(`, `starts_with(`, `ends_with(`, `find(`,
  `matches(`, `strip_prefix(`, `strip_suffix(`, `split(`, `replace(`; the test is the
  enclosing `fn`.

What it cannot see (a measured claim only as far as these reach):
- messages whose words come from outside a literal of envmint's: an io::Error's own text, a
  peer's (age, git, a hook) output, clap's own errors and help;
- a message built from literals too short to count (one word under five letters), or one
  whose words all arrive through placeholders; a `format!` of a format string held in a
  variable;
- a file's content written by a file outside SKIP (a record line's words, the plan file's
  field names) counts as a template when it has words: the ratchet file says so for each;
- whether a match is the message's own line: a piece matching inside a longer line of
  another message counts (a false "asserted"), and a test literal used as input (a fixture,
  an error built by the test) counts as asserted text when it is in a unit test;
- texts behind `[..]` in an asserted text (the words are not there, so not counted: a
  false "not asserted", the safe side).

Usage:
  scripts/messages.py                    the summary line
  scripts/messages.py --list unasserted  file:line and template of each template no test
                                         asserts whole, grouped by source file
  scripts/messages.py --list repeated    templates whose same line (the same words, so
                                         likely the same input) more than one test asserts
                                         whole, with the places: candidates for "once"
  scripts/messages.py --list asserted    templates and the first test asserting each
  scripts/messages.py --check FILE       exit 1 when a template is unasserted and not in FILE
                                         (one `path:template` a line, `#` comments: a block's
                                         comment is its reason); lines no longer needed, and
                                         templates listed under another file (moved), are
                                         printed as warnings
  scripts/messages.py --ratchet FILE     prints FILE rewritten: its hand-written blocks and
                                         their reasons less what is asserted now, then a
                                         block per source file for the rest, with the reason
                                         the tests give now ("checked only by parts in
                                         tests/cli/x.rs", "no test checks their words")
"""
import argparse
import bisect
import os
import re
import signal
import sys

try:
    import tomllib
except ImportError:  # Python before 3.11
    sys.exit("scripts/messages.py needs Python 3.11 or newer (tomllib reads the case files)")

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BIN = "src/bin/envmint/"


# Calls whose literal arguments are not messages: panics (a bug, not a message), and names of
# programs, variables, paths and flags.
NOT_TEXT_CALLS = {
    "expect", "panic!", "unreachable!", "assert!", "assert_eq!", "assert_ne!", "debug_assert!",
    "debug_assert_eq!", "todo!", "unimplemented!", "new", "arg", "args", "env", "env_remove",
    "var", "var_os", "join", "with_extension", "with_file_name", "from_str_radix", "matches!",
    "include_str!", "include_bytes!", "strftime",
}
# ... but a `new` of one of these builds a message.
TEXT_NEW = re.compile(r"(Error|Warning|Problem|Said|Rendered)\w*::new$")

# Files whose literals are not messages: what they write is a file's content (an export, the
# .gitignore block, .env.example's comments, a key file, a new file's header, the sealed pin
# line), a digest's label or the presets' TOML.
SKIP = (
    "src/bin/envmint/cli.rs",  # clap's help text: the man page and completion tests own it
    "src/example.rs",
    "src/gitignore.rs",
    "src/export/",
    "src/seal/keygen.rs",
    "src/seal/pin.rs",
    "src/plan/bootstrap.rs",
    "src/hooks/stage.rs",
    "src/manifest/mod.rs",
    "src/presets/",
)

# Calls that check a part of a text: their literals are not whole assertions.
PARTIAL_CALLS = {
    "contains", "assert_stderr_has", "starts_with", "ends_with", "find", "rfind", "matches",
    "strip_prefix", "strip_suffix", "split", "split_once", "replace", "lines", "trim_end_matches",
    "trim_start_matches", "rsplit_once", "position", "any", "all", "filter", "count",
}

# Unit tests whose every literal is a whole text: the (message, hint) tables of the advice.
WHOLE_TABLES = ("src/bin/envmint/report/", "src/bin/envmint/advice.rs")

# A word: a whitespace-separated token of letters (an inner hyphen or apostrophe allowed),
# maybe in quotes, brackets or before punctuation. A path (/dev/tty), a name with `_`, `.` or
# `=` (XDG_CONFIG_HOME, merge.envmint.name, diff=envmint) or digits is not one.
WORD = re.compile(r"^[(\[`\"'<]*[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?[)\]`\"'>,.;:!?]*$")


# --- lexing Rust ----------------------------------------------------------------------------


class Literal:
    __slots__ = ("start", "end", "value", "line")

    def __init__(self, start, end, value, line):
        self.start, self.end, self.value, self.line = start, end, value, line


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def decode(body):
    """The value of a (non-raw) string literal's body."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1] if i + 1 < len(body) else ""
        if n in ESCAPES:
            out.append(ESCAPES[n])
            i += 2
        elif n == "x":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif n == "u":
            j = body.index("}", i)
            out.append(chr(int(body[i + 3 : j], 16)))
            i = j + 1
        elif n == "\n":
            i += 2
            while i < len(body) and body[i] in " \t\n\r":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


INTERESTING = re.compile(r"[/\"'rb]")


def lex(text):
    """Returns (code, literals): `code` is `text` with comments and the insides of string and
    char literals blanked (same length, newlines kept), so brackets can be matched in it."""
    code = list(text)
    lits = []
    n = len(text)
    i = 0

    def blank(a, b):
        for k in range(a, b):
            if code[k] != "\n":
                code[k] = " "

    starts = [m.end() for m in re.finditer("\n", text)]

    def line_of(k):
        return bisect.bisect_right(starts, k) + 1

    def ident_before(k):
        return k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_")

    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "/" and text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and not ident_before(i) and re.match(r'(br|r|b)?#*"', text[i:i + 40]):
            m = re.match(r'(br|r|b)?(#*)"', text[i:])
            prefix, hashes = m.group(1) or "", m.group(2)
            body_start = i + m.end()
            if "r" in prefix:
                close = '"' + hashes
                j = text.find(close, body_start)
                value = text[body_start:j]
                end = j + len(close)
            else:
                j = body_start
                while text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                value = decode(text[body_start:j])
                end = j + 1
            if "b" not in prefix:
                lits.append(Literal(i, end, value, line_of(i)))
            blank(body_start, end - 1 - len(hashes))
            i = end
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            lits.append(Literal(i, j + 1, decode(text[i + 1 : j]), line_of(i)))
            blank(i + 1, j)
            i = j + 1
        elif c == "'":
            if text.startswith("\\", i + 1):
                j = text.find("'", i + 3)
                blank(i + 1, j)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                blank(i + 1, i + 2)
                i += 3
            elif i + 2 < n and ord(text[i + 1]) > 127 and text[i + 2 : i + 3] == "'":
                i += 3
            else:
                i += 1  # a lifetime
        else:
            m = INTERESTING.search(text, i + 1)
            i = m.start() if m else n
    return "".join(code), lits


def match_close(code, i):
    """Index after the bracket closing the one at `i`."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack, j = [], i
    while j < len(code):
        ch = code[j]
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")]}":
            if stack:
                stack.pop()
            if not stack:
                return j + 1
        j += 1
    return len(code)


def item_after(code, i):
    """The span of the item starting at `i` (after an attribute): to its `;` or its braces."""
    j = i
    while j < len(code):
        if code[j] == "#" and code.startswith("[", j + 1):
            j = match_close(code, j + 1)
            continue
        if code[j] == ";":
            return (i, j + 1)
        if code[j] == "{":
            return (i, match_close(code, j))
        j += 1
    return (i, len(code))


class Source:
    """One Rust file: its literals, attribute spans and test spans."""

    def __init__(self, rel, text):
        self.rel = rel
        self.text = text
        self.code, self.lits = lex(text)
        self.attrs = []
        self.tests = []
        for m in re.finditer(r"#!?\[", self.code):
            end = match_close(self.code, m.end() - 1)
            self.attrs.append((m.start(), end))
            inner = self.code[m.end() : end - 1].strip()
            if inner in ("test", "cfg(test)", "tokio::test") or inner.startswith("cfg(all(test"):
                self.tests.append(item_after(self.code, end))
        self.whole_test = os.path.basename(rel) == "tests.rs" or "/tests/" in rel or rel.startswith("tests/")
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]

    def in_spans(self, pos, spans):
        return any(a <= pos < b for a, b in spans)

    def is_test(self, pos):
        return self.whole_test or self.in_spans(pos, self.tests)

    def calls(self, pos, limit=4):
        """The names of the calls enclosing `pos`, innermost first (`say!`, `with_hint`,
        `Error::usage`...), up to the enclosing block."""
        out, depth, j = [], 0, pos - 1
        code = self.code
        while j >= 0 and len(out) < limit:
            ch = code[j]
            if ch in ")]}":
                depth += 1
            elif ch in "([{":
                if depth:
                    depth -= 1
                elif ch == "{":
                    break
                elif ch == "[":
                    pass
                else:
                    k = j - 1
                    while k >= 0 and code[k] in " \t\n":
                        k -= 1
                    m = re.search(r"[\w:!]*$", code[max(0, k - 80) : k + 1])
                    out.append(m.group(0) if m else "")
            elif ch == ";" and not depth:
                break
            j -= 1
        return out

    def fn_at(self, pos):
        """The name of the `fn` enclosing `pos` (the last one declared before it)."""
        if not hasattr(self, "_fns"):
            found = [(m.start(), m.group(1)) for m in re.finditer(r"\bfn\s+(\w+)", self.code)]
            self._fns = ([a for a, _ in found], [b for _, b in found])
        k = bisect.bisect_right(self._fns[0], pos)
        return self._fns[1][k - 1] if k else "?"


# --- templates --------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def words_of(piece):
    return [t for t in PLACEHOLDER.sub(" ", piece).split() if WORD.match(t)]


def has_words(piece):
    return len([w for w in words_of(piece) if sum(c.isalpha() for c in w) >= 2]) >= 2


def to_regex(piece, formatted):
    """A piece of a template as a regex: placeholders match any text (when it is a format
    string), the rest literally."""
    if not formatted:
        return re.escape(piece)
    out, last = [], 0
    for m in PLACEHOLDER.finditer(piece):
        out.append(re.escape(piece[last : m.start()]))
        tok = m.group(0)
        out.append(re.escape(tok[0]) if tok in ("{{", "}}") else ".+?")
        last = m.end()
    out.append(re.escape(piece[last:]))
    # A placeholder at either end adds nothing to an unanchored search but time.
    while out and out[0] in ("", ".+?"):
        out.pop(0)
    while out and out[-1] in ("", ".+?"):
        out.pop()
    return "".join(out)


class Template:
    def __init__(self, rel, line, value, formatted):
        self.rel, self.line, self.value = rel, line, value
        self.pieces = []
        for part in value.split("\n"):
            if has_words(part):
                self.pieces.append(re.compile(to_regex(part.strip(), formatted)))
        self.key = rel + ":" + value.replace("\\", "\\\\").replace("\n", "\\n")
        self.tests = []

    def shown(self):
        return "%s:%d: %s" % (self.rel, self.line, self.value.replace("\n", "\\n"))


FORMAT_MACROS = {"format!", "write!", "writeln!", "say!", "print!", "println!", "eprint!",
                 "eprintln!", "format_args!", "panic!"}


def is_format_string(src, lit):
    """Whether `lit` is the format string of a formatting macro (its placeholders are ones)."""
    before = src.code[max(0, lit.start - 60) : lit.start]
    m = re.search(r"([\w!]+)\s*\(\s*(?:[\w.&*]+\s*,\s*)?$", before)
    return bool(m and m.group(1) in FORMAT_MACROS)


def rust_files(folder):
    for base, dirs, files in os.walk(os.path.join(ROOT, folder)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".rs"):
                path = os.path.join(base, name)
                yield os.path.relpath(path, ROOT), path


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def templates():
    out = []
    seen = set()
    for rel, path in rust_files("src"):
        src = Source(rel, read(path))
        if src.whole_test:
            continue
        if rel.startswith(SKIP):
            continue
        for lit in src.lits:
            if src.is_test(lit.start) or src.in_spans(lit.start, src.attrs):
                continue
            calls = src.calls(lit.start)
            inner = calls[0].split("::")[-1] if calls else ""
            if inner in PARTIAL_CALLS or (inner in NOT_TEXT_CALLS and not TEXT_NEW.search(calls[0])):
                continue
            formatted = is_format_string(src, lit)
            t = Template(rel, lit.line, lit.value, formatted)
            if not t.pieces or t.key in seen:
                continue
            seen.add(t.key)
            out.append(t)
    return out


# --- the asserted texts -------------------------------------------------------------------------


class Asserted:
    """A text a test compares whole, and the test."""

    __slots__ = ("where", "test", "text")

    def __init__(self, where, test, text):
        self.where, self.test, self.text = where, test, text


def case_texts():
    base = os.path.join(ROOT, "tests/cli/cmd")
    for area in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        folder = os.path.join(base, area)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if not name.endswith(".toml") or not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, ROOT)
            stem = path[: -len(".toml")]
            with open(path, "rb") as f:
                case = tomllib.load(f)
            parts = [case.get("stdout", ""), case.get("stderr", "")]
            for ext in (".stdout", ".stderr"):
                if os.path.isfile(stem + ext):
                    with open(stem + ext, encoding="utf-8", errors="replace") as f:
                        parts.append(f.read())
            yield Asserted(rel, rel, "\n".join(p for p in parts if isinstance(p, str)))


def snapshot_texts():
    base = os.path.join(ROOT, "tests/cli/snapshots")
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8", errors="replace") as f:
                yield Asserted(rel, rel, f.read())


PARTIAL = []  # (test file, literal) of each partial check, filled by rust_test_texts


def rust_test_texts():
    PARTIAL.clear()
    for top in ("src", "tests"):
        for rel, path in rust_files(top):
            src = Source(rel, read(path))
            asserts = []
            for m in re.finditer(r"\bassert_(?:eq|ne)!\s*\(", src.code):
                asserts.append((m.start(), match_close(src.code, m.end() - 1)))
            tables = any(rel.startswith(t) for t in WHOLE_TABLES)
            for lit in src.lits:
                before = src.code[max(0, lit.start - 12) : lit.start]
                snapshot = re.search(r"\bstr!\s*\[\s*\[?\s*$", before)
                if not snapshot and not src.is_test(lit.start):
                    continue
                calls = src.calls(lit.start)
                if calls and calls[0].split("::")[-1].rstrip("!") in PARTIAL_CALLS:
                    if src.is_test(lit.start):
                        PARTIAL.append((rel, lit.value))
                    continue
                if not snapshot and not tables and not src.in_spans(lit.start, asserts):
                    continue
                fn = src.fn_at(lit.start)
                yield Asserted("%s:%d" % (rel, lit.line), "%s::%s" % (rel, fn), lit.value)


def asserted_texts():
    yield from case_texts()
    yield from snapshot_texts()
    yield from rust_test_texts()


# --- the report --------------------------------------------------------------------------------


def inventory():
    ts = templates()
    texts = list(asserted_texts())
    # One string holding every text, each after a line of its own: a piece (which matches
    # within a line) is looked for once, and each match is mapped back to its text.
    starts, parts, at = [], [], 0
    for a in texts:
        starts.append(at)
        parts.append(a.text + "\n\x00\n")
        at += len(parts[-1])
    corpus = "".join(parts)
    for t in ts:
        found, lines = None, {}
        for n, p in enumerate(t.pieces):
            hits = set()
            for m in p.finditer(corpus):
                k = bisect.bisect_right(starts, m.start()) - 1
                hits.add(k)
                if n == 0:
                    a = corpus.rfind("\n", 0, m.start()) + 1
                    lines.setdefault(k, set()).add(corpus[a : corpus.find("\n", m.end())])
            found = hits if found is None else found & hits
        tests, said = {}, {}
        for k in sorted(found or ()):
            tests.setdefault(texts[k].test, texts[k].where)
            for line in lines.get(k, ()):
                said.setdefault(line, {}).setdefault(texts[k].test, texts[k].where)
        t.tests = sorted(tests.items())
        # The same line (same input, same words) asserted by more than one test.
        t.repeated = sorted({w for by in said.values() if len(by) > 1 for w in by.values()})
    return ts


def read_ratchet(path):
    """The ratchet file's blocks: [(comment lines, [entries])], in order."""
    blocks, comments, entries = [], [], []
    if not os.path.exists(path):
        return blocks
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # The file's own header: its first comment lines, up to the first empty line.
    head = 0
    while head < len(lines) and lines[head].startswith("#"):
        head += 1
    if head < len(lines) and not lines[head].strip():
        blocks.append((lines[:head], []))
    else:
        head = 0
    for line in lines[head:]:
        if line.lstrip().startswith("#"):
            if entries:
                blocks.append((comments, entries))
                comments, entries = [], []
            comments.append(line)
        elif line.strip():
            entries.append(line)
    if comments or entries:
        blocks.append((comments, entries))
    return blocks


def split_key(key):
    path, _, template = key.partition(":")
    return path, template


def chunks(t):
    """The literal runs of a template, for telling a partial check of it."""
    return [c.strip() for c in PLACEHOLDER.split(t.value) if len(c.strip()) >= 10]


def reason(t):
    """Why a template is unasserted, as far as the tests tell: (checked by parts, in which
    test files), or (not reached by any test's words, no file)."""
    files = set()
    for rel, lit in PARTIAL:
        if len(lit) >= 10 and any(lit in c or c in lit for c in chunks(t)):
            files.add(rel)
    return (bool(files), files)


AUTO_REASON = re.compile(r"^# \S+: (no test checks their words|checked only by parts .*)$")


def ratchet(unasserted, path):
    """The new ratchet file: FILE's blocks with their reasons, less what is asserted now, then
    blocks for what is new, by source file and reason."""
    by_key = {t.key: t for t in unasserted}
    by_template = {}
    for t in unasserted:
        by_template.setdefault(split_key(t.key)[1], []).append(t)
    out, placed = [], set()
    for comments, entries in read_ratchet(path):
        if len(comments) == 1 and AUTO_REASON.match(comments[0]):
            continue  # a reason this script wrote: written again below, as the tests are now
        kept = []
        for e in entries:
            t = by_key.get(e)
            if t is None:
                moved = [m for m in by_template.get(split_key(e)[1], []) if m.key not in placed]
                t = moved[0] if moved else None
            if t is not None and t.key not in placed:
                placed.add(t.key)
                kept.append(t.key)
        if kept or (not entries and not out):
            out.append("\n".join(comments + kept))
    groups = {}
    for t in unasserted:
        if t.key not in placed:
            parts, files = reason(t)
            keys, seen = groups.setdefault((t.rel, parts), ([], set()))
            keys.append(t.key)
            seen.update(files)
    for (rel, parts), (keys, files) in sorted(groups.items()):
        if parts:
            why = "checked only by parts (contains, assert_stderr_has, ...) in " + ", ".join(sorted(files))
        else:
            why = "no test checks their words"
        out.append("# %s: %s\n%s" % (rel, why, "\n".join(keys)))
    return "\n\n".join(out) + "\n"


def grouped(ts, show):
    by_file = {}
    for t in ts:
        by_file.setdefault(t.rel, []).append(t)
    for rel in sorted(by_file):
        print("## %s (%d)" % (rel, len(by_file[rel])))
        for t in by_file[rel]:
            show(t)
        print()


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", choices=["unasserted", "repeated", "asserted"])
    parser.add_argument("--check", metavar="FILE")
    parser.add_argument("--ratchet", metavar="FILE")
    args = parser.parse_args()

    ts = inventory()
    unasserted = [t for t in ts if not t.tests]
    repeated = [t for t in ts if t.repeated]
    summary = "templates: %d, asserted whole: %d, not asserted: %d, asserted in more than one test: %d" % (
        len(ts), len(ts) - len(unasserted), len(unasserted), len(repeated))

    if args.list == "unasserted":
        grouped(unasserted, lambda t: print("%s:%d: %s" % (t.rel, t.line, t.value.replace("\n", "\\n"))))
    elif args.list == "repeated":
        grouped(repeated, lambda t: print("%s:%d: %s\n    %s" % (
            t.rel, t.line, t.value.replace("\n", "\\n"),
            "\n    ".join(t.repeated))))
    elif args.list == "asserted":
        grouped([t for t in ts if t.tests], lambda t: print("%s:%d: %s\n    %s" % (
            t.rel, t.line, t.value.replace("\n", "\\n"), t.tests[0][1])))
    elif args.ratchet:
        sys.stdout.write(ratchet(unasserted, os.path.join(ROOT, args.ratchet)))
        return 0
    print(summary)

    if args.check:
        path = os.path.join(ROOT, args.check)
        allowed = {e for _, entries in read_ratchet(path) for e in entries}
        templates_allowed = {split_key(e)[1] for e in allowed}
        keys = {t.key for t in unasserted}
        for e in sorted(allowed - keys):
            print("warning: %s: %s no longer needs this line (asserted whole now, moved or gone)" % (e, args.check))
        missing = []
        for t in unasserted:
            if t.key in allowed:
                continue
            if split_key(t.key)[1] in templates_allowed:
                print("warning: %s: listed in %s under another file: update its path" % (t.key, args.check))
                continue
            missing.append(t)
        for t in missing:
            print("error: %s:%d: no test asserts this message whole: %s" % (t.rel, t.line, t.value.replace("\n", "\\n")))
        if missing:
            print("hint: assert it whole (a case file under tests/cli/cmd/, a snapshot under "
                  "tests/cli/snapshots/, or Output::stderr_is), or, if no test can reach it (root, "
                  "a full disk, a race), add its line to %s with the reason; "
                  "scripts/messages.py --ratchet %s rewrites the file" % (args.check, args.check))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
