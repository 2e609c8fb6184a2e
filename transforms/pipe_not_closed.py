"""pipe-not-closed: an end of an io.Pipe is not closed on every path while a goroutine works the other end."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import SAFE, Fix, insert_after_statement, insert_at_block_start, insert_before_statement
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
`pr, pw := io.Pipe()` where one side runs on a goroutine of the function and the code that
writes `pw` (that goroutine, or the function while a goroutine reads `pr`) can finish
without closing it: a path with no `pw.Close()` or `pw.CloseWithError(err)`, directly,
deferred, or in a function of the package that `pw` is handed to and that closes it on
every path.

The read end too: one goroutine of the function writes `pw` (`pw.Write`, or `pw` handed to
a call such as `io.Copy(pw, src)` or `json.NewEncoder(pw)`), the function itself reads `pr`,
and after the goroutine starts it closes `pr` on some path (`pr.Close()`,
`pr.CloseWithError(err)`: it knows it must) but returns without closing it on another
(minio's CopyObjectHandler: `PutObject(..., pipeReader, ...)` fails, the handler returns).

## Why it leaks
A read from a pipe waits until the writer writes or closes. When the writer returns
without closing (an early `return` on an error, or the end of its work), the reader waits
forever: a goroutine reading `pr` is stuck with everything it holds, and so is whoever
waits for it (an HTTP request streaming the body, an upload, a decoder).
A write waits until the reader has taken all of it, or closes its end. When the function
stops reading early (a decoder's error, a consumer that gives up, a check that fails) and
returns without closing `pr`, the writing goroutine blocks in `Write` forever, with
whatever it holds (a lock, an open object).

## When it is not reported
- `pw` is closed on every path of the writer (`go pw.Close()` and `errc <- pw.Close()`
  count), or a writer made around it is (`zw := flate.NewWriter(pw)`, `zw.Close()`: the
  stream then ends in-band, with a final block or a trailer the reader sees);
- `pw` or the goroutine's part is handed where it cannot be followed (returned, stored, a
  function of another package that is not a plain write), or written by several goroutines;
- nobody on a goroutine works the other end.

For the read end, it is not reported when:
- `pr` is closed on every path after the goroutine starts (`defer pr.Close()` before it),
  or on none (the rule asks for the function's own sign that it must be closed);
- `pr` is returned, stored, assigned, captured by a closure or a goroutine, or handed to a
  `go` or `defer` call, or to net/http (`http.NewRequest`, `NewRequestWithContext`,
  `Post`, `PostForm`: net/http closes a request body, even when the request fails), or a
  reader made around it (`bufio.NewReader(pr)`, `json.NewDecoder(pr)`, `io.NopCloser(pr)`,
  ...) is;
- `pw` is used outside that one goroutine, the goroutine is started in a loop, or it never
  writes `pw` (it only closes it: nothing waits on the pipe), or it writes through a writer
  made by a call whose name says Deadline or Timeout (minio's
  `xioutil.NewDeadlineWriter(pw, timeout)`: a stuck write gives up by itself).

## When it is not fixed
- the writer is a function started with `go f(pw)`: close `pw` in `f`, on every path;
- a `return` that skips the close is not an error path (`if err != nil { ... return }`):
  whether the reader should see the end of the stream or an error there is for a person to
  say;
- the writer closes `pw` itself, only under a condition (`if !tty { pw.Close() }`): the
  other way may leave it open on purpose (a TTY session that a closed stdin would end
  before its command completes), and a `defer pw.Close()` would close it there too.
- the read end's `pr, pw := io.Pipe()` shares its line with other code: add
  `defer pr.Close()` after it by hand;
- the read end is handed to a function or method that cannot be followed (`s.Put(name,
  pr)`, an interface method, a function of the package): it may keep reading after the
  return (kubo's `res.Emit(pipeR)` hands it to a goroutine that copies it out), and a close
  there would cut it off;
- the write end goes into a writer kept past its statement (`stdout = io.MultiWriter(buf,
  pw)`, then `cmd.Stdout = stdout`): whatever writes through it may go on after the function
  returns (kubo's test harness, whose callers may only start the command), and a close
  there would cut it off.

## The fix
The reader must always learn how the writing ended (`safe`: it only ends the wait):
`pw.CloseWithError(err)` before each `return` under `if err != nil`, so that the reader gets
the error rather than a stream that silently stops, and `defer pw.Close()` where the writer
starts (when it does not already close at its end) so that the reader sees EOF once
everything is written.

For the read end, `defer pr.Close()` right after `pr, pw := io.Pipe()`. Closing a pipe's
read end again changes nothing, and once the writer is done it changes nothing either;
while the writer still writes, its `Write` returns `io.ErrClosedPipe` and the goroutine
ends. `safe`: offered only when every reader `pr` is handed to is one the code can see
reads it before it returns (`io.Copy`, `io.ReadAll`, `io.ReadFull`, a `ReadFrom` method, a
decoder, scanner or decompressor made around it and used only in the function).
"""

_CLOSERS = ("Close", "CloseWithError")


def run(p: Pass) -> None:
    v = m.view(p)
    sf = p.file
    for call in m.calls_at(sf, b"Pipe()", "Pipe"):
        if not a.is_call_to(sf, call, "io", ("Pipe",)):
            continue
        stmt = call.parent.parent if call.parent is not None and call.parent.type == "expression_list" else None
        if stmt is None or stmt.type != "short_var_declaration" or len(a.left_names(stmt)) != 2:
            continue
        reader, writer = (a.tuple_binding(sf, stmt, i) for i in (0, 1))
        if reader is None or writer is None or "_" in (reader.name, writer.name):
            continue
        _check_reader(p, v, call, stmt, reader, writer)
        side = _writer_side(v, stmt, reader, writer)
        if side is None:
            continue
        region, owner, why = side
        if why is None and a.every_exit_passes(sf, region, lambda s: _closes(v, s, writer.name)):
            continue
        who = "the function writing it" if owner == writer.function else "the goroutine writing it"
        message = f"{writer.name} is not closed on every path of {who}: whoever reads {reader.name} then waits forever"
        kept = next((r for r in a.references(sf, writer) if _kept_wrapper(sf, r)), None)
        if why is None and kept is not None:
            why = (f"{writer.name} goes into a writer kept past line {sf.line_col(kept.start_byte)[0]}: whatever writes "
                   f"through it may go on after the function returns (a command started, not waited for), and closing "
                   f"{writer.name} here would cut it off; close it where the last write ends")
        if why is None:
            fix, why = _fix(v, region, owner, stmt, writer.name)
            if fix is not None:
                p.report(call, message, [fix])
                continue
        p.report(call, message, notes=[why])


def _writer_side(v: m.View, stmt: Node, reader: a.Binding, writer: a.Binding):
    """(the writer's statements, the func literal or function they belong to, why no fix or
    None) when one goroutine writes the pipe and the function reads it, or the function
    writes it while a goroutine reads it; None otherwise."""
    sf = v.sf
    fn = writer.function
    w_refs, r_refs = a.references(sf, writer), a.references(sf, reader)
    if not w_refs or not r_refs:
        return None
    w_where = {m.literal_around(r, fn) for r in w_refs}
    r_where = {m.literal_around(r, fn) for r in r_refs}
    if any(_escapes(sf, r) for r in w_refs):
        return None
    if len(w_where) == 1 and None not in w_where:
        (g,) = w_where
        if a.goroutine_literal(g) is None or a.loops_between(a.goroutine_literal(g), fn) or g in r_where:
            return None
        return a.statements(a.body(g)), g, None
    go_handoffs = [r for r in w_refs if r.parent.type == "argument_list" and r.parent.parent.parent.type == "go_statement"]
    if go_handoffs and len(w_refs) == 1:
        call = go_handoffs[0].parent.parent
        name = sf.text(call.child_by_field_name("function"))
        use = _handoff_use(v, call, go_handoffs[0])
        if use is not None and use.closes_always:
            return None
        return [], call, f"the goroutine {name} writes {writer.name}: close it there on every path (`defer {writer.name}.Close()`, `CloseWithError` on errors)"
    if w_where == {None} and any(w is not None and a.goroutine_literal(w) is not None for w in r_where) and None not in r_where:
        return a.following(stmt), fn, None
    return None


def _escapes(sf, ref: Node) -> bool:
    use = a.classify(sf, ref)
    return use.kind in ("returned", "stored", "assigned", "address") or _foreign_handoff(sf, ref)


def _kept_wrapper(sf, ref: Node) -> bool:
    """``ref`` goes into a writer made around it (``io.MultiWriter(buf, pw)``,
    ``bufio.NewWriter(pw)``) that is kept past its statement: assigned to a variable declared
    before, stored, returned, or a local that is (kubo's test harness: `stdout =
    io.MultiWriter(outbuf, ow)`, then `cmd.Stdout = stdout` for a command its caller may only
    start). Whoever holds the wrapper writes the pipe where it cannot be followed."""
    if a.classify(sf, ref).kind != "argument":
        return False
    call = ref.parent.parent
    fn = call.child_by_field_name("function")
    name = sf.text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn)
    if not (name.startswith("New") or name == "MultiWriter"):
        return False
    use = a.classify(sf, call)
    if use.kind == "argument":
        return _kept_wrapper(sf, call)
    if use.kind != "stored":
        return use.kind in ("returned", "address")
    if call.parent.parent.type != "short_var_declaration":
        return True
    binding = a.assignments(sf, call)
    return binding is None or any(_escapes(sf, r) or _kept_wrapper(sf, r) for r in a.references(sf, binding))


# standard packages whose functions only write to (or wrap) a writer they are given, never close it
_WRITERS = frozenset({
    "io", "fmt", "bufio", "encoding/json", "encoding/xml", "encoding/gob", "encoding/csv", "encoding/binary",
    "encoding/pem", "encoding/base64", "encoding/hex", "compress/gzip", "compress/flate", "compress/zlib",
    "archive/tar", "archive/zip", "mime/multipart", "text/template", "html/template", "os", "log",
})


def _foreign_handoff(sf, ref: Node) -> bool:
    """``ref`` is an argument of a function of another package that is not known only to
    write (nomad's ``snapshot.CopySnapshot(file, w)``, which closes it): whether it closes
    the pipe cannot be told here."""
    call = ref.parent.parent if ref.parent is not None and ref.parent.type == "argument_list" else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    operand = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
    path = sf.imports.get(sf.text(operand)) if operand is not None and operand.type == "identifier" else None
    return path is not None and path not in _WRITERS


def _handoff_use(v: m.View, call: Node, arg: Node):
    if v.index is None:
        return None
    fn = call.child_by_field_name("function")
    index = next(i for i, x in enumerate(a.arguments(call)) if x == arg)
    if fn.type == "identifier":
        return v.index.param_use(v.package, v.sf.text(fn), False, index)
    if fn.type == "selector_expression":
        return v.index.param_use(v.package, v.sf.text(fn.child_by_field_name("field")), True, index)
    return None


_SIMPLE = ("expression_statement", "send_statement", "short_var_declaration", "assignment_statement", "return_statement")


def _closes(v: m.View, stmt: Node, name: str) -> bool:
    """A statement that always closes ``name``: ``name.Close()``/``CloseWithError`` called by
    it (`pw.Close()`, `errc <- pw.Close()`, `return pw.CloseWithError(err)`, an `if`'s
    header) or deferred by it, or ``name`` handed to a function of the package that closes
    it on every path."""
    sf = v.sf
    if stmt.type == "if_statement":
        parts = [stmt.child_by_field_name(f) for f in ("initializer", "condition")]
    elif stmt.type in ("defer_statement", "go_statement") or stmt.type in _SIMPLE:
        parts = [stmt]
    else:
        return False
    deferred = stmt.type in ("defer_statement", "go_statement")
    for part in (p for p in parts if p is not None):
        for call in a.of_type(part, "call_expression", skip_functions=not deferred):
            mc = a.method_call(sf, call)
            if mc is not None and mc[1] in _CLOSERS and (sf.text(mc[0]) == name or _wraps(sf, mc[0], name, stmt)):
                return True
            for arg in a.arguments(call):
                if sf.text(arg) == name:
                    use = _handoff_use(v, call, arg)
                    if use is not None and use.closes_always:
                        return True
    return False


def _wraps(sf, writer: Node, name: str, at: Node) -> bool:
    """``writer`` is a local made around ``name`` (``zw, err := flate.NewWriter(pw, ...)``):
    closing it ends the stream in-band (a final block, a trailer), which the reader sees."""
    if writer.type != "identifier":
        return False
    fn = a.enclosing_function(at)
    for d in a.of_type(a.body(fn), "short_var_declaration", "assignment_statement"):
        if d.start_byte < at.start_byte and sf.text(writer) in [sf.text(n) for n in a.left_names(d)]:
            return any(sf.text(x) == name for c in a.of_type(d, "call_expression") for x in a.arguments(c))
    return False


def _fix(v: m.View, region: list[Node], owner: Node, pipe: Node, name: str) -> tuple[Fix | None, str | None]:
    sf = v.sf
    edits = []
    for ret in (r for s in region for r in a.of_type(s, "return_statement", skip_functions=True)):
        if _closed_before(v, ret, name):
            continue
        err = _error_tested(sf, ret)
        if err is None:
            return None, f"a return at line {sf.line_col(ret.start_byte)[0]} skips closing {name} and is not an error path: close it there with the right error"
        edit = insert_before_statement(sf, ret, [f"{name}.CloseWithError({err})"])
        if edit is None:
            return None, "a return shares its line with other code: close the pipe there by hand"
        edits.append(edit)
    last = region[-1] if region else None
    if last is None or not (_closes(v, last, name) or last.type == "return_statement"):
        # a close under a condition (`if !tty { pw.Close() }`) leaves the other way open on
        # purpose: a close at the end would end that stream too early (nomad's TTY stdin)
        kept = next((c for st in region for c in a.of_type(st, "call_expression", skip_functions=True)
                     if (mc := a.method_call(sf, c)) is not None and mc[1] in _CLOSERS and sf.text(mc[0]) == name), None)
        if kept is not None:
            return None, (f"{name} is closed only under a condition (line {sf.line_col(kept.start_byte)[0]}): the other way "
                          "may leave it open on purpose; say where its stream ends by hand")
        if owner.type == "func_literal":
            edit = insert_at_block_start(sf, a.body(owner), f"defer {name}.Close()")
        else:
            edit = insert_after_statement(sf, pipe, f"defer {name}.Close()")
        if edit is None:
            return None, "the writer is not laid out one statement a line: close the pipe by hand"
        edits.append(edit)
    if not edits:
        return None, f"close {name} on every path by hand"
    return Fix(f"close {name} on every path, with the error where there is one", tuple(edits), applicability=SAFE), None


def _closed_before(v: m.View, ret: Node, name: str) -> bool:
    """A close of ``name`` earlier in the block of ``ret`` (or of a block around it)."""
    node = ret
    while node.parent is not None and node.type != "func_literal" and node.type not in a.FUNCTION_TYPES:
        parent = node.parent
        if parent.type == "statement_list":
            if any(_closes(v, s, name) for s in parent.named_children if s.end_byte <= node.start_byte):
                return True
        node = parent
    return False


def _error_tested(sf, ret: Node) -> str | None:
    """``err`` when ``ret`` sits in the block of ``if err != nil`` (any error-named variable)."""
    block = ret.parent.parent if ret.parent is not None and ret.parent.type == "statement_list" else None
    cond_if = block.parent if block is not None and block.type == "block" else None
    if cond_if is None or cond_if.type != "if_statement" or cond_if.child_by_field_name("consequence") != block:
        return None
    cond = a.unparen(cond_if.child_by_field_name("condition"))
    if cond.type != "binary_expression" or sf.text(cond.child_by_field_name("operator")) != "!=":
        return None
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if right.type != "nil" or left.type != "identifier" or "err" not in sf.text(left).lower():
        return None
    return sf.text(left)


# ---------------------------------------------------------------------------- the read end

# functions that read what they are given before they return, and keep nothing of it
_READS = frozenset({
    ("io", "Copy"), ("io", "CopyN"), ("io", "CopyBuffer"), ("io", "ReadAll"), ("io", "ReadFull"),
    ("io", "ReadAtLeast"), ("io/ioutil", "ReadAll"),
})
# functions that wrap a reader in another one: what is done with theirs is done with the pipe
_WRAPS = frozenset({
    ("io", "LimitReader"), ("io", "TeeReader"), ("io", "MultiReader"), ("io", "NopCloser"), ("io/ioutil", "NopCloser"),
    ("bufio", "NewReader"), ("bufio", "NewReaderSize"), ("bufio", "NewScanner"),
    ("encoding/json", "NewDecoder"), ("encoding/xml", "NewDecoder"), ("encoding/gob", "NewDecoder"),
    ("encoding/csv", "NewReader"), ("encoding/base64", "NewDecoder"), ("encoding/hex", "NewDecoder"),
    ("compress/gzip", "NewReader"), ("compress/zlib", "NewReader"), ("compress/flate", "NewReader"),
    ("compress/bzip2", "NewReader"), ("archive/tar", "NewReader"), ("mime/multipart", "NewReader"),
})
# methods that hand a request body to net/http, which closes it (even when the request fails)
_TAKES_BODY = frozenset({"NewRequest", "NewRequestWithContext", "Post", "PostForm"})
_ESCAPES, _CLOSE, _READ = "escapes", "close", "read"


def _check_reader(p: Pass, v: m.View, call: Node, pipe: Node, reader: a.Binding, writer: a.Binding) -> None:
    """The read end: one goroutine of the function writes ``pw``, the function itself reads
    ``pr`` and closes it on some path after the goroutine starts, but not on every one."""
    sf = v.sf
    fn = reader.function
    w_refs, r_refs = a.references(sf, writer), a.references(sf, reader)
    if not w_refs or not r_refs:
        return
    lits = {m.literal_around(r, fn) for r in w_refs}
    if len(lits) != 1 or None in lits:
        return
    (g,) = lits
    go = a.goroutine_literal(g)
    if go is None or a.loops_between(go, fn) or not any(_writes(sf, r) for r in w_refs):
        return
    if any(_bounded_writer(sf, r) for r in w_refs):
        return  # its writes give up by themselves (minio's xioutil.NewDeadlineWriter(pw, timeout))
    if any(m.literal_around(r, fn) is not None for r in r_refs):
        return  # a closure or a goroutine has it: it may outlive the function
    consumers: list[str] = []
    closes = 0
    for r in r_refs:
        kind = _reader_use(sf, r, fn, consumers, 0)
        if kind == _ESCAPES:
            return
        if kind == _CLOSE:
            if a.classify(sf, r).kind == "deferred-method" and r.start_byte < go.start_byte:
                return  # `defer pr.Close()` before the goroutine starts
            closes += 1
    if not closes:
        return
    life = a.follow(sf, reader, go, fn, lambda u: u.kind in ("method", "deferred-method") and u.detail in _CLOSERS,
                    hands_on=lambda u: False)
    if not life.releases or not life.drops:
        return
    lines = sorted({sf.line_col(d.at.start_byte)[0] for d in life.drops})
    where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
    message = (f"{reader.name} is left open at {where} while the goroutine writes {writer.name}: "
               "once the reading stops early, that goroutine blocks in Write forever")
    edit = insert_after_statement(sf, pipe, f"defer {reader.name}.Close()")
    if edit is None:
        p.report(call, message, notes=[f"the pipe's line holds other code: add `defer {reader.name}.Close()` after it by hand"])
        return
    if consumers:
        # kubo's `ipfs dag export`: `res.Emit(pipeR)` hands the reader to another goroutine,
        # which copies it out after the function returns; a close there cut the copy short
        names = ", ".join(dict.fromkeys(consumers))
        p.report(call, message, notes=[
            f"{reader.name} is handed to {names}, which cannot be followed: if it keeps reading after the return, "
            f"closing {reader.name} there would cut it off; close it where its reading ends"])
        return
    p.report(call, message, [Fix(f"close {reader.name} when the function returns", (edit,), applicability=SAFE)])


def _writes(sf, ref: Node) -> bool:
    """``ref`` (the write end) is written there: a method other than a close, or handed to a call."""
    use = a.classify(sf, ref)
    return (use.kind == "method" and use.detail not in _CLOSERS) or use.kind == "argument"


def _bounded_writer(sf, ref: Node) -> bool:
    """``ref`` (the write end) is handed to a call whose name says it gives up on a deadline
    or a timeout (``NewDeadlineWriter(pw, d)``): a write stuck on the pipe then ends by itself."""
    if a.classify(sf, ref).kind != "argument":
        return False
    fn = ref.parent.parent.child_by_field_name("function")
    name = sf.text(fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn).lower()
    return "deadline" in name or "timeout" in name


def _reader_use(sf, node: Node, fn: Node, consumers: list[str], depth: int) -> str | None:
    """What the expression ``node`` (the read end, or a reader wrapped around it) is used
    for: _CLOSE (the pipe's own Close/CloseWithError), _READ (read here, synchronously),
    _ESCAPES (kept past the return, or handed to net/http, which closes it), or None
    (handed to a call that cannot be followed: its text is added to ``consumers``)."""
    parent = node.parent
    if parent is None:
        return _ESCAPES
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == node:
        holder = parent.parent
        if holder is None or holder.type != "call_expression" or holder.child_by_field_name("function") != parent:
            return _ESCAPES  # a method value: it may be called later
        if holder.parent is not None and holder.parent.type == "go_statement":
            return _ESCAPES
        if depth == 0 and sf.text(parent.child_by_field_name("field")) in _CLOSERS:
            return _CLOSE
        return _READ
    if parent.type != "argument_list":
        return _ESCAPES  # returned, stored, assigned, compared, converted...
    call = parent.parent
    if call.parent is not None and call.parent.type in ("go_statement", "defer_statement"):
        return _ESCAPES
    target = a.callee(sf, call)
    mc = a.method_call(sf, call)
    if (target is not None and target[0] == "net/http") or (mc is not None and mc[1] in _TAKES_BODY):
        return _ESCAPES
    if target in _READS or (mc is not None and mc[1] == "ReadFrom"):
        return _READ
    if target in _WRAPS and depth < 3:
        return _wrapper_use(sf, call, fn, consumers, depth + 1)
    consumers.append(sf.text(call.child_by_field_name("function")))
    return None


def _wrapper_use(sf, call: Node, fn: Node, consumers: list[str], depth: int) -> str | None:
    """What is done with the reader ``call`` makes around the pipe (``json.NewDecoder(pr)``):
    worst first, of every use of the local it goes into, or of the call itself."""
    holder = call.parent
    if holder is not None and holder.type == "expression_list" and holder.parent is not None \
            and holder.parent.type == "short_var_declaration" and holder == holder.parent.child_by_field_name("right"):
        binding = a.assignments(sf, call)
        if binding is None:
            return _ESCAPES
        kinds = []
        for ref in a.references(sf, binding):
            if m.literal_around(ref, fn) is not None:
                return _ESCAPES
            kinds.append(_reader_use(sf, ref, fn, consumers, depth))
        return _ESCAPES if _ESCAPES in kinds else None if None in kinds else _READ
    return _reader_use(sf, call, fn, consumers, depth)


RULE = Rule(
    name="pipe-not-closed",
    summary="an io.Pipe's end not closed on every path while a goroutine works the other end -> CloseWithError / defer Close",
    doc=DOC,
    run=run,
    triggers=(b"Pipe()",),
    needs_package=True,
)
