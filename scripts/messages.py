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

"Once" (`--list twice`, `--check-once`): the whole texts, compared with one another: each case
file's stdout and stderr (apart), each snapshot, each `str![..]`, and each `assert_eq!`/`assert_ne!`
literal of several lines (a one-line literal is a value or a hint: the same hint after two
errors is right, and `--list repeated` shows those lines). Two texts are one text when they are
the same once trailing spaces and the blank lines around them are taken off, or when one with
`[..]` matches the other line for line; a named placeholder (`[DIR]`, `[FILE]`) is a word of its
own (`[FILE]` is each run's file name, so "the same words but the file" is another text). Only
texts holding a message (a template) count: a file's content asserted twice (`A=1`) is not a
message. Two case files that run the same command on the same input (arguments, stdin, the
bytes of their `.in` folder) are listed too, whatever they say. A group of case files with
different inputs saying the same words is allowed (two code paths, and a case cannot compare
its run with another case's); everything else fails `--check-once`: the second run of the same
words compares its output with the first's (`assert_eq!(again.stderr(), first.stderr())`), or
one `str![..]` bound to a name is asserted against both runs where a date or an age varies.
What it cannot see: two Rust tests running the same command on equal input whose texts differ
in a line (the input of a Rust test is code); `--list repeated` marks a line whose texts are the
same whole text ("[the same whole text in two places]") for review.

Usage:
  scripts/messages.py                    the summary line
  scripts/messages.py --list unasserted  file:line and template of each template no test
                                         asserts whole, grouped by source file
  scripts/messages.py --list repeated    templates whose same line (the same words, so
                                         likely the same input) more than one test asserts
                                         whole, with the places: candidates for "once"
  scripts/messages.py --list asserted    templates and the first test asserting each
  scripts/messages.py --list twice       whole texts asserted in more than one place ("once"),
                                         then the case files allowed to share a text (below)
  scripts/messages.py --check-once       exit 1 when --list twice lists a text (what
                                         docs::every_whole_text_is_asserted_once runs)
  scripts/messages.py --check FILE       exit 1 when a template is unasserted and not in FILE
                                         (one `path:template` a line, `#` comments: a block's
                                         comment is its reason); also exit 1 on a line no
                                         longer needed, or a template listed under another
                                         file (moved): the file stays exact
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

    __slots__ = ("where", "test", "text", "kind", "input")

    def __init__(self, where, test, text, kind="", input=None):
        self.where, self.test, self.text = where, test, text
        # "case", "snapshot", "str" (an inline snapshot), "assert" (an assert_eq! literal),
        # "table" (a literal of WHOLE_TABLES); a case's input: what its run reads.
        self.kind, self.input = kind, input


def cases():
    """Each case file: (its path, its expected streams {"stdout": text, "stderr": text}, its
    input: the arguments, standard input and the files of its `.in` folder, as one value)."""
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
            streams = {}
            for stream in ("stdout", "stderr"):
                text = case.get(stream)
                if os.path.isfile(stem + "." + stream):
                    with open(stem + "." + stream, encoding="utf-8", errors="replace") as f:
                        text = f.read()
                if isinstance(text, str):
                    streams[stream] = text
            yield rel, streams, case_input(case, stem)


def case_input(case, stem):
    """What a case's run reads: its binary, arguments, standard input and the files (names,
    bytes, the executable bit, link targets) of its `.in` folder. Two cases with the same input
    run the same command on the same files."""
    files = []
    tree = stem + ".in"
    for folder, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, tree)
            if os.path.islink(path):
                files.append((rel, "->" + os.readlink(path)))
            else:
                with open(path, "rb") as f:
                    files.append((rel, os.access(path, os.X_OK), f.read()))
    stdin = case.get("stdin")
    if os.path.isfile(stem + ".stdin"):
        with open(stem + ".stdin", "rb") as f:
            stdin = f.read()
    return repr((case.get("bin"), case.get("args"), case.get("env"), stdin, files))


def case_texts():
    for rel, streams, _ in cases():
        yield Asserted(rel, rel, "\n".join(streams.values()), "case")


def snapshot_texts():
    base = os.path.join(ROOT, "tests/cli/snapshots")
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8", errors="replace") as f:
                yield Asserted(rel, rel, f.read(), "snapshot")


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
                kind = "str" if snapshot else "assert" if src.in_spans(lit.start, asserts) else "table"
                yield Asserted("%s:%d" % (rel, lit.line), "%s::%s" % (rel, fn), lit.value, kind)


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
    by_where = {a.where: a.text for a in texts}
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
        # ... and whether the whole texts holding it there are the same text, not one line
        # inside different outputs.
        whole = [normalised(by_where[w]) for w in t.repeated]
        t.same_text = len(set(whole)) < len(whole)
    return ts


# --- "once": a whole text asserted twice ------------------------------------------------------

def normalised(text):
    """A whole text as `--list twice` compares it: trailing spaces and the blank lines around
    it taken off. A named placeholder (`[DIR]`, `[FILE]`) stays as it is: it stands for one
    value a test names, the same in every test (`[DIR]`) or its own (`[FILE]` is each run's
    file, so "the same words but the file's name" is a text of its own); `[..]` is matched as
    any text by `twice`."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def whole_texts():
    """The whole texts that `--list twice` compares: each case file's stdout and stderr (apart),
    each snapshot, each `str![..]` and each literal of an `assert_eq!`/`assert_ne!` holding a
    line feed (an output's lines; a one-line literal is a value, and `--list repeated` sees
    its words). Empty texts are left out."""
    for rel, streams, given in cases():
        for stream, text in streams.items():
            yield Asserted("%s (%s)" % (rel, stream), rel, text, "case", given)
    yield from snapshot_texts()
    for a in rust_test_texts():
        if a.kind == "str" or "\n" in a.text.strip("\n"):
            yield a


def holds_a_message(text, ts):
    return any(all(p.search(text) for p in t.pieces) for t in ts)


def twice(ts=None):
    """The whole texts asserted more than once: groups of asserted texts that are the same
    after `normalised`, or that one with `[..]` matches line for line, and that hold a message
    (a template of the source); and the case files that run the same command on the same input
    (their texts are the same by construction, whatever they are). Returns (groups, allowed):
    `allowed` are the groups made only of case files with different inputs (two code paths
    that say the same words: a case cannot compare its run with another case's)."""
    texts = [a for a in whole_texts() if normalised(a.text)]
    norm = [normalised(a.text) for a in texts]
    parent = list(range(len(texts)))

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(a, b):
        parent[find(a)] = find(b)

    first = {}
    for k, n in enumerate(norm):
        if n in first:
            join(k, first[n])
        else:
            first[n] = k
    # A text with `[..]` stands for every text it matches, line for line.
    by_lines = {}
    for n, k in first.items():
        by_lines.setdefault(n.count("\n"), []).append((n, k))
    for n, k in first.items():
        if "[..]" not in n:
            continue
        pattern = re.compile("\n".join(".*".join(map(re.escape, line.split("[..]")))
                                       for line in n.split("\n")))
        for other, j in by_lines[n.count("\n")]:
            if j != k and pattern.fullmatch(other):
                join(k, j)
    # The same command on the same input, whatever it says (nothing, even).
    same_input = {}
    for rel, _, given in cases():
        same_input.setdefault(given, []).append(rel)
    groups = {}
    for k in range(len(texts)):
        groups.setdefault(find(k), []).append(k)
    out, allowed = [], []
    for members in groups.values():
        if len(members) < 2:
            continue
        ts = ts if ts is not None else templates()
        if not any(holds_a_message(texts[k].text, ts) for k in members):
            continue  # a file's content or a value, not a message
        group = [texts[k] for k in members]
        inputs = [a.input for a in group]
        if all(a.kind == "case" for a in group) and len(set(inputs)) == len(inputs):
            allowed.append(group)
        else:
            out.append(group)
    for files in same_input.values():
        if len(files) > 1:
            out.append([Asserted(f, f, "the same command on the same input", "case") for f in files])
    key = lambda g: sorted(a.where for a in g)
    return sorted(out, key=key), sorted(allowed, key=key)


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


def shown_group(group):
    lines = normalised(group[0].text).split("\n")
    head = lines[0] + (" (+%d lines)" % (len(lines) - 1) if len(lines) > 1 else "")
    print("%s\n    %s" % (head, "\n    ".join(
        a.where if a.kind in ("case", "snapshot") else "%s (%s)" % (a.where, a.test.rsplit("::", 1)[-1])
        for a in group)))


def once(check):
    groups, allowed = twice()
    for group in groups:
        shown_group(group)
    if allowed and not check:
        print("\n# allowed: the same words from case files with different inputs (two code paths;"
              " a case cannot compare its run with another's)")
        for group in allowed:
            shown_group(group)
    print("whole texts asserted twice: %d (%d more copies), case files sharing a text with "
          "different inputs: %d" % (len(groups), sum(len(g) - 1 for g in groups), len(allowed)))
    if check and groups:
        print("error: %d whole text(s) asserted more than once (above); \"once\" means a test asserts "
              "the words and the others compare their run with it" % len(groups))
        print("hint: keep the first whole assertion; make the others assert_eq!(again.stderr(), "
              "first.stderr()) (a second run of the same kind), or drop the copy where another "
              "test already asserts the same words for the same input; keep every other check")
        return 1
    return 0


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", choices=["unasserted", "repeated", "asserted", "twice"])
    parser.add_argument("--check", metavar="FILE")
    parser.add_argument("--check-once", action="store_true")
    parser.add_argument("--ratchet", metavar="FILE")
    args = parser.parse_args()

    if args.list == "twice" or args.check_once:
        return once(args.check_once)

    ts = inventory()
    unasserted = [t for t in ts if not t.tests]
    repeated = [t for t in ts if t.repeated]
    summary = ("templates: %d, asserted whole: %d, not asserted: %d, asserted in more than one test: %d "
               "(%d of them the same whole text)" % (
                   len(ts), len(ts) - len(unasserted), len(unasserted), len(repeated),
                   len([t for t in repeated if t.same_text])))

    if args.list == "unasserted":
        grouped(unasserted, lambda t: print("%s:%d: %s" % (t.rel, t.line, t.value.replace("\n", "\\n"))))
    elif args.list == "repeated":
        grouped(repeated, lambda t: print("%s:%d: %s%s\n    %s" % (
            t.rel, t.line, t.value.replace("\n", "\\n"),
            "  [the same whole text in two places]" if t.same_text else "",
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
        # The file is exact, both ways: a line it no longer needs fails too, so that it
        # only shrinks and always says what is left.
        stale = sorted(allowed - keys)
        for e in stale:
            print("error: %s: %s no longer needs this line (asserted whole now, moved or gone)" % (e, args.check))
        missing = []
        for t in unasserted:
            if t.key in allowed:
                continue
            if split_key(t.key)[1] in templates_allowed:
                print("error: %s: listed in %s under another file: update its path" % (t.key, args.check))
                stale.append(t.key)
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
        if stale:
            print("hint: scripts/messages.py --ratchet %s > /tmp/r && mv /tmp/r %s rewrites it" % (args.check, args.check))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
