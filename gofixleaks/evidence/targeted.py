"""Targeted fixes for proven leaks that no rule fixed: the evidence names the exact operation
a goroutine blocks on forever (file, line, wait state), and the existing fixers' edits are
aimed at it where their safety conditions hold:

- a send on a local channel whose senders are goroutines started beside its `make`, with a
  number of sends the code bounds (one per goroutine, `len(xs)` for one per element) ->
  buffer it for every sender (early-return-send's fix, here also when static analysis saw
  no way for the receiver to leave, or when a sender only closes the channel after its send);
- a send on a wake-up channel (`chan struct{}` with a buffer of one, received only by empty
  select cases) -> send without blocking, a wake-up already waits (stays review even when
  proven: a slow receiver sees one wake-up fewer);
- a bare send or receive while a stop signal is in scope (a context that some caller can
  cancel, a done channel the function already selects on, or any channel a select case of
  the function already stops on, `case <-s.ShouldStop(): return`) -> a `select` that also
  watches it and returns (send-without-cancel's fix, here also in a function the goroutine
  calls rather than runs);
- a send on a channel field of the method's receiver whose only receiving method closes a
  done field as it returns -> a `select` that also watches that field and returns (zero
  values when the function has results);
- a wait on a local done channel that is only handed to one goroutine whose function
  ignores it -> that function closes it as it returns;
- a Lock waited on forever, where a function of the same type locks that lock and leaves
  the locked stretch before its Unlock (a `return` reading nothing the lock guards, a loop
  body's `break` or `continue`; also a read lock, and a method reaching the lock through a
  field of its type) -> the Unlock right before it leaves;
- a Lock opening a loop body, released only after the loop -> a release in every pass;
- a Lock taken twice by one function with no release between -> the second becomes the
  release before the `return` after it, or goes when a release follows;
- a Lock (or RLock) that opens a method, `defer`-released, which another method of the type
  calls while it holds that lock (a sync mutex is not reentrant: the goroutine waits for
  itself) -> the body moves to a `fooLocked` method the holding callers call, and the
  method locks and calls it (the split Go code uses for "the caller holds the lock");
- a blocked ``if !t.Stop() { <-t.C }`` drain -> a drain that does not block;
- a `wg.Wait()` ending the body of the loop that starts one goroutine per item, after a
  `wg.Add` before the loop counted them all (`wg.Add(len(xs))`): the first Wait waits for
  Dones of goroutines not started yet -> the Wait after the loop.

A range over a channel nobody closes is range-not-closed's to fix (it sees the channel's
senders across the package). Anything else (locks, wait groups, condition variables, a
receive on the cancellation signal itself, an unbounded number of sends, lock-order
deadlocks) gets no fix and a one-line reason per class. A targeted fix is `review`: only a run of the tests after it proves it
(see commands.target)."""

from __future__ import annotations

import bisect
import difflib
import os
import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
    from gofixleaks.transforms._chan import result_channel
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_
    from transforms._chan import result_channel

from .. import analysis as a
from .. import gomod
from ..discover import is_generated
from ..edits import REVIEW, Fix, TextEdit, delete_line, insert_after_statement, insert_at_block_start, insert_before_statement
from ..rule import Finding
from ..source import SourceError, SourceFile
from . import PROVEN_LEAK
from .match import Covered

RULE = PROVEN_LEAK
_NEVER_DONE = ("Background", "TODO", "WithoutCancel")  # contexts nobody can cancel
_CHANNEL_STATES = ("chan send", "chan receive")
LOCKS = ("sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock")  # a lock an earlier holder kept, or its own
WAITS = ("sync.WaitGroup.Wait",)
# why a goroutine blocked elsewhere than on a channel gets no targeted fix, by wait state
_NOT_CHANNELS = (
    ("sync.Mutex", "its lock is held by a goroutine that is blocked itself (a lock-order deadlock, or a lock held across "
                   "a channel operation or a Wait): where to release or reorder is a design decision, made by a person"),
    ("sync.RWMutex", "its lock is held by a goroutine that is blocked itself (a lock-order deadlock, a lock held across "
                     "a blocking call, or a read lock taken again under a waiting writer): reorder or release by hand"),
    ("sync.WaitGroup", "the Done it waits for never comes: the goroutine that owes it is blocked itself (see its own "
                       "site) or never started; fix that goroutine"),
    ("sync.Cond", "no Signal or Broadcast reaches it after its condition changes: the signalling code needs a person"),
    ("", "targeted fixes only unblock channel sends and receives (a lock, wait group or condition needs its missing "
         "Unlock/Done/Signal found by a person)"),
)


@dataclass(frozen=True)
class Aimed:
    """One proven leak site and what a targeted fix makes of it."""

    covered: Covered
    abspath: str | None  # the scanned file the site lies in
    finding: Finding | None  # rule proven-leak with one review fix; None: no fix
    reason: str  # without a fix: why, in one line
    # a re-run of the tests proves the fix safe; False: it also changes what happens when
    # the partner is only slow (a dropped wake-up), so it stays review however proven
    proof_suffices: bool = True


def load(abspath: str, display: str) -> SourceFile | str:
    """The file a site lies in, parsed at its module's Go version, or why it cannot be."""
    try:
        with open(abspath, "rb") as fh:
            data = fh.read()
        if is_generated(data):
            return "a generated file: fix its generator"
        return SourceFile.load(display, data, gomod.resolve(abspath, None).version)
    except (OSError, SourceError) as e:
        return f"cannot read the file: {e}"


def aim(c: Covered, abspath: str | None, source: Callable[[], SourceFile | str]) -> Aimed:
    """The targeted fix for the blocked operation of site ``c`` in file ``abspath``, whose
    parsed text ``source()`` gives (see load)."""
    state = (c.site.state or "").removesuffix(" (leaked)")
    if abspath is None:
        return Aimed(c, None, None, "not in the scanned code")
    if state.startswith("select"):
        return Aimed(c, abspath, None, "blocked in a select: targeted fixes rewrite only bare sends and receives")
    what = state or "an operation the dump does not name"
    not_channel = f"blocked on {what}: " + next(why for prefix, why in _NOT_CHANNELS if state.startswith(prefix))
    if state not in (*_CHANNEL_STATES, *LOCKS, *WAITS):
        return Aimed(c, abspath, None, not_channel)
    if abspath.endswith("_test.go"):
        return Aimed(c, abspath, None, "in a test file: not fixed")
    sf = source()
    if isinstance(sf, str):
        return Aimed(c, abspath, None, sf)
    if state in (*LOCKS, *WAITS):
        line = c.site.blocked.line
        shapes = (lambda: _wait_after_loop(sf, line),) if state in WAITS else (
            lambda: _taken_twice(sf, line),
            lambda: _lock_per_pass(sf, line),
            lambda: _unlock_before_leaving(sf, line),
            lambda: _locked_variant(sf, line, abspath))
        whys = []
        for shape in shapes:
            fix, why = shape()
            if fix is not None:
                stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.line_col(n.start_byte)[0] == line)
                return Aimed(c, abspath, Finding.at(sf, stmt, RULE, "error", f"goroutines block here forever ({c.site.state_text})",
                                                    [fix]), fix.message)
            whys += [why] if why else []
        return Aimed(c, abspath, None, "; ".join([not_channel, *whys]))
    stmt = _operation_at(sf, c.site.blocked.line, state)
    if stmt is None:
        return Aimed(c, abspath, None, f"no {state} statement of its own on line {c.site.blocked.line}")
    if stmt.type == "for_statement":
        # closing where the last sender is done is range-not-closed's fix, which sees a
        # channel's senders across the package; a site it did not fix has none it can place
        return Aimed(c, abspath, None, "a range over a channel nobody closes, whose last sender range-not-closed "
                                       "cannot place: close it where its senders are done by hand")
    # each shape in turn, the first fix wins; with it, whether a re-run of the tests suffices
    shapes = (
        (lambda: _buffer(sf, stmt) if state == "chan send" else (None, None), True),
        (lambda: _drain_without_blocking(sf, stmt, state), True),
        (lambda: _release_before_exchange(sf, stmt, state), False),  # others may take the lock during the wait
        (lambda: _wake_up(sf, stmt, state, abspath), False),  # a slow receiver sees fewer wake-ups
        (lambda: _watch(sf, stmt, state), True),
        (lambda: _done_field(sf, stmt, state, abspath), True),
        (lambda: _closed_by_its_goroutine(sf, stmt, state, abspath), True),
    )
    reasons = []
    for shape, proof_suffices in shapes:
        fix, why = shape()
        if fix is not None:
            finding = Finding.at(sf, stmt, RULE, "error", f"goroutines block here forever ({c.site.state_text})", [fix])
            return Aimed(c, abspath, finding, fix.message, proof_suffices)
        reasons += [why] if why else []
    return Aimed(c, abspath, None, "; ".join(reasons) or "no targeted fix applies")


def _operation_at(sf: SourceFile, line: int, state: str) -> Node | None:
    """The one statement on ``line`` that is a bare send (state "chan send") or receive, or
    a `for range` over a channel."""
    found = []
    for kind in ("send_statement", "expression_statement", "short_var_declaration", "assignment_statement", "for_statement"):
        for n in a.of_type(sf.root, kind):
            if sf.line_col(n.start_byte)[0] == line and n.parent is not None and n.parent.type == "statement_list":
                if (state == "chan send") == (n.type == "send_statement") and _channel(sf, n) is not None:
                    found.append(n)
    return found[0] if len(found) == 1 else None


def _channel(sf: SourceFile, stmt: Node) -> Node | None:
    """The channel of a statement that is a bare send or receive (`<-ch`, `v = <-ch`), or
    the identifier a `for range` ranges over (whether a channel or not)."""
    if stmt.type == "send_statement":
        return stmt.child_by_field_name("channel")
    if stmt.type == "for_statement":
        clause = next((c for c in stmt.named_children if c.type == "range_clause"), None)
        right = clause.child_by_field_name("right") if clause is not None else None
        return right if right is not None and right.type == "identifier" else None
    if stmt.type == "expression_statement":
        expr = a.unparen(stmt.named_children[0])
    else:
        right = stmt.child_by_field_name("right")
        if right is None or right.named_child_count != 1:
            return None
        expr = a.unparen(right.named_children[0])
    return a.unparen(expr.child_by_field_name("operand")) if a.is_receive(sf, expr) else None


# ---------------------------------------------------------------------------- buffer


def _buffer(sf: SourceFile, send: Node) -> tuple[Fix | None, str | None]:
    """A buffer for every sender of the local channel ``send`` sends on, or (None, why not)."""
    chan = _channel(sf, send)
    if chan.type != "identifier":
        return None, None
    decl = a.local_declaration(sf, sf.text(chan), send)
    make = next((n for n in a.of_type(decl, "call_expression") if a.callee(sf, n) == (None, "make")), None) if decl else None
    rc = result_channel(sf, make) if make is not None else None
    if rc is None or rc.binding.name != sf.text(chan):
        return None, None
    name = rc.binding.name
    if rc.capacity is None:
        return None, f"the number of sends on {name} is not bounded in the code (a send in a loop, or goroutines started in a loop of unknown length)"
    if rc.sender_goes_on and not all(_only_closes_after(sf, s, name) for s in rc.sends):
        return None, f"a sender of {name} goes on after its send: with a buffer that code would run after the receiver left"
    args = a.arguments(rc.make)
    if len(args) == 2:  # make(chan T, 0)
        edit = TextEdit(args[1].start_byte, args[1].end_byte, rc.capacity.encode())
    else:
        edit = TextEdit(args[0].end_byte, args[0].end_byte, f", {rc.capacity}".encode())
    return Fix(f"buffer {name} with capacity {rc.capacity} so every sender can finish", (edit,), applicability=REVIEW), None


def _only_closes_after(sf: SourceFile, send: Node, name: str) -> bool:
    """Whether all a sender does after ``send`` is to close the channel and return: a buffer
    then changes nothing else it does (a closed buffered channel still delivers its values)."""
    top = a.body(a.enclosing_function(send))
    node = send
    while node != top:
        parent = node.parent
        if parent.type != "statement_list" and parent != top:
            return False
        for sib in a.following(node) if parent.type == "statement_list" else ():
            bare_return = sib.type == "return_statement" and not sib.named_children
            # a further send is counted among the sends the buffer has room for
            again = sib.type == "send_statement" and sf.text(sib.child_by_field_name("channel")) == name
            if not (sib.type == "comment" or bare_return or again or _closes(sf, sib, name)):
                return False
        node = parent
    return True


def _closes(sf: SourceFile, stmt: Node, name: str) -> bool:
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and a.callee(sf, call) == (None, "close") and [sf.text(x) for x in a.arguments(call)] == [name]


# ---------------------------------------------------------------------------- timer drain


def _drain_without_blocking(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """``if !t.Stop() { <-t.C }``, the drain before a Reset, blocked: the value was already
    received (a select case on ``t.C`` took it), and since Go 1.23 a stopped timer's
    channel holds nothing anyway, so the receive waits forever (istio's 18454). A drain that
    does not block (``select`` with a default) takes a stale value when there is one, and
    goes on when there is none."""
    chan = _channel(sf, stmt)
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else None
    cond = block.parent.child_by_field_name("condition") if block is not None and block.parent.type == "if_statement" else None
    if state != "chan receive" or stmt.type != "expression_statement" or chan.type != "selector_expression" \
            or sf.text(chan.child_by_field_name("field")) != "C" or cond is None:
        return None, None
    timer = sf.text(chan.child_by_field_name("operand"))
    if " ".join(sf.text(a.unparen(cond)).split()) != f"!{timer}.Stop()" or [n for n in a.statements(block) if n.type != "comment"] != [stmt]:
        return None, None
    if not g_.own_line(sf, stmt) or g_.trailing_comment(sf, stmt) is not None:
        return None, "the drain shares its line: make it non-blocking by hand"
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    new = b"select {" + nl + indent + f"case <-{timer}.C:".encode() + nl + indent + b"default:" + nl + indent + b"}"
    return Fix(f"drain {timer}.C without blocking: its value was taken already, or (Go 1.23 on) was never kept",
               (TextEdit(stmt.start_byte, stmt.end_byte, new),)), None


# ---------------------------------------------------------------------------- a wait holding the waited-for's lock


def _release_before_exchange(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """A bare send on, or receive from, a channel field ``r.ch`` ending a method's locked
    stretch (``r.mu.Lock(); defer r.mu.Unlock()`` before it, or ``r.mu.Unlock()`` right after
    it), whose partner takes that lock: a goroutine or method of the type that receives from
    ``r.ch`` (for a send) or closes or sends on it (for a receive), and calls a method of the
    type that locks ``r.mu`` (or locks it itself). The exchange waits on a partner waiting
    for the lock it holds: a stop waiting for its worker (etcd's PR 6873), a status sent to
    a loop that locks after each receive (kubernetes' 10182). The release moves before the
    exchange. It stays `review` however proven: others can now take the lock before the
    exchange, and see what the stretch did before it. A send's value must be a name or a
    literal (read under the lock now, it would be read after)."""
    chan = _channel(sf, stmt)
    method = a.enclosing(stmt, "method_declaration")
    if chan is None or chan.type != "selector_expression" or method is None or a.enclosing_function(stmt) != method \
            or stmt.parent.parent != a.body(method) or stmt.type not in ("expression_statement", "send_statement"):
        return None, None
    recv, field = a.receiver_name(sf, method), sf.text(chan.child_by_field_name("field"))
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    at = code.index(stmt)
    lock = next((n for n in reversed(code[:at]) if _lock_call(sf, n, ("Lock",))), None)
    key = _lock_key(sf, lock, method) if lock is not None else None
    if key is None or sf.text(chan.child_by_field_name("operand")) != recv:
        return None, None
    between = code[code.index(lock) + 1:at]
    deferred = bool(between) and _defers(sf, between[0], recv + key, "Unlock")
    after = code[at + 1] if at + 1 < len(code) else None
    plain = after is not None and _lock_key(sf, after, method) == key and _named_call(sf, after, "Unlock")
    if not (deferred and after is None) and not (plain and not deferred):
        return None, None
    if stmt.type == "send_statement" and not all(x.type in _PLAIN_RESULTS for x in a.walk(stmt.child_by_field_name("value"))):
        return None, "the value sent reads more than names and literals: it would be read after the release"
    if any(_lock_key(sf, n, method) == key for n in between[1 if deferred else 0:]) or any(
            next(a.of_type(n, "return_statement", skip_functions=True), None) for n in between):
        return None, "the stretch before the exchange returns or touches the lock again: release it by hand"
    type_name = a.function_key(sf, method)[1]
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name]
    lockers = {sf.text(m.child_by_field_name("name")) for m in methods if any(
        _lock_key(sf, n, m) == key and _lock_call(sf, n, ("Lock", "RLock")) for n in a.of_type(m, "expression_statement"))}
    goroutines = [g for g in a.of_type(sf.root, "func_literal") if g.parent is not None and g.parent.type == "call_expression"
                  and g.parent.parent is not None and g.parent.parent.type == "go_statement"]
    partner = (lambda n: _receives_field(sf, n, field)) if stmt.type == "send_statement" else (
        lambda n: _closes_field(sf, n, field) or any(_names_field(sf, x.child_by_field_name("channel"), field)
                                                      for x in a.of_type(n, "send_statement")))
    if not any(partner(p) and (any((mc := a.method_call(sf, c)) is not None and mc[1] in lockers for c in a.of_type(p, "call_expression"))
                               or sf.text(p.parent.child_by_field_name("name") or p) in lockers)
               for p in [*goroutines, *(m for m in methods if m != method)]):
        return None, f"no partner of {field} takes the lock: the exchange is not what holds it up"
    release = insert_before_statement(sf, stmt, [f"{recv}{key}.Unlock()"])
    gone = delete_line(sf, between[0] if deferred else after)
    if release is None or gone is None:
        return None, "the release shares its line: move it by hand"
    return Fix(f"release {recv}{key} before the exchange on {recv}.{field}: its partner takes that lock first",
               tuple(sorted((release, gone), key=lambda e: e.start))), None


def _closes_field(sf: SourceFile, node: Node, field: str) -> bool:
    return any(a.callee(sf, c) == (None, "close") and len(a.arguments(c)) == 1 and _names_field(sf, a.arguments(c)[0], field)
               for c in a.of_type(node, "call_expression"))


def _receives_field(sf: SourceFile, node: Node, field: str) -> bool:
    return any(a.is_receive(sf, u) and _names_field(sf, a.unparen(u.child_by_field_name("operand")), field)
               for u in a.of_type(node, "unary_expression"))


# ---------------------------------------------------------------------------- select


def _watch(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """``stmt`` as a select that also returns on a stop signal in scope, or (None, why not)."""
    chan = _channel(sf, stmt)
    fn = a.enclosing_function(stmt)
    if chan.type == "call_expression" or (state == "chan receive" and a.names_a_signal(sf.text(chan).rsplit(".", 1)[-1])):
        return None, "it waits on a cancellation signal itself: whoever owns that signal must fire it"
    if stmt.type == "short_var_declaration":
        return None, "a `:=` receive needs its variables declared before a select: rewrite it by hand"
    sig = _stop_signal(sf, stmt, fn)
    if sig is None:
        return None, "no stop signal in scope (a context some caller can cancel, or a done channel the function already selects on)"
    if sf.text(chan) == sig.name:
        return None, "it waits on a cancellation signal itself: whoever owns that signal must fire it"
    blocker = g_.return_blocker(sf, g_.Goroutine(fn, None), stmt)
    if blocker is not None:
        return None, blocker
    if not g_.own_line(sf, stmt):
        return None, "the operation shares its line: rewrite it by hand"
    late = _after_cancellation(sf, fn, stmt, sig)
    if late is not None:
        return None, late
    comment = g_.trailing_comment(sf, stmt)
    comm = sf.text(stmt) if stmt.type != "expression_statement" else sf.text(stmt.named_children[0])
    new = g_.select_over(sf, comm, sig, sf.indent_at(stmt.start_byte), sf.text(comment) if comment else "")
    end = comment.end_byte if comment is not None else stmt.end_byte
    return Fix(f"select on {sig.done_expr()} too, and return when it fires", (TextEdit(stmt.start_byte, end, new),)), None


def _stop_signal(sf: SourceFile, stmt: Node, fn: Node) -> a.Cancellation | None:
    """A context in scope that is not Background/TODO, or a done channel ``fn`` already
    receives from in a select and never closes or sends on itself; else a channel ``fn``
    already stops on: a select case of its that receives from it and only returns."""
    for c in a.cancellation_in_scope(sf, stmt):
        if c.kind == "context":
            values = a.defined_values(sf, c.name, stmt) if "." not in c.name else []
            if not (len(values) == 1 and a.is_call_to(sf, values[0], "context", _NEVER_DONE)):
                return c
        elif _selects_on(sf, fn, c.name) and not _signals_itself(sf, fn, c.name):
            return c
    return _stops_on(sf, fn)


def _stops_on(sf: SourceFile, fn: Node) -> a.Cancellation | None:
    """``X`` of a case ``<-X: return`` of a select in ``fn``, ``X`` a name, a field or an
    argument-less method call on them named as a stop signal (``lt.stopper.ShouldStop()``):
    the code already treats it as its stop signal, so a blocked operation of ``fn`` may stop
    on it too."""
    for case in a.of_type(fn, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        expr = None
        if comm is not None and comm.type == "receive_statement" and comm.child_by_field_name("left") is None:
            expr = a.unparen(comm.child_by_field_name("right"))
        elif comm is not None and comm.type == "expression_statement":
            expr = a.unparen(comm.named_children[0])
        body = a.statements(case)
        if not (a.is_receive(sf, expr) and len(body) == 1 and body[0].type == "return_statement" and not body[0].named_children):
            continue
        chan = a.unparen(expr.child_by_field_name("operand"))
        # ctx.Done(): a context is cancellation_in_scope's to judge (Background is never done)
        done_call = chan.type == "call_expression" and sf.text(chan).endswith(".Done()")
        # named as a stop signal: a timer's channel stops a wait at a deadline, not for good
        named = a.names_a_signal(sf.text(chan).removesuffix("()").rsplit(".", 1)[-1])
        if _plain(chan) and named and not done_call and not _signals_itself(sf, fn, sf.text(chan)):
            return a.Cancellation(sf.text(chan), "channel")
    return None


def _plain(expr: Node) -> bool:
    """A name, a field chain, or an argument-less method call on one."""
    if expr.type == "call_expression":
        return not a.arguments(expr) and expr.child_by_field_name("function").type == "selector_expression" \
            and _plain(expr.child_by_field_name("function"))
    if expr.type == "selector_expression":
        return _plain(expr.child_by_field_name("operand"))
    return expr.type == "identifier"


def _selects_on(sf: SourceFile, fn: Node, name: str) -> bool:
    for case in a.of_type(fn, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        if comm is not None and sf.text(comm).replace(" ", "") in (f"<-{name}", f"_=<-{name}"):
            return True
    return False


def _signals_itself(sf: SourceFile, fn: Node, name: str) -> bool:
    for n in a.of_type(fn, "send_statement", "call_expression", skip_functions=True):
        if n.type == "send_statement" and sf.text(n.child_by_field_name("channel")) == name:
            return True
        if n.type == "call_expression" and a.callee(sf, n) == (None, "close") and [sf.text(x) for x in a.arguments(n)] == [name]:
            return True
    return False


def _after_cancellation(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why ``stmt`` runs once the signal has fired, so that the new case would fire at once
    and drop the operation (the code goes on after cancellation on purpose), or None: it
    sits in a case that waits on the signal (in its own function or one that starts it),
    follows such a wait in ``fn`` that does not return, or follows a cancel call in ``fn``."""
    for case in (x for x in a.ancestors(stmt) if x.type == "communication_case"):
        if _waits_on(sf, case.child_by_field_name("communication"), sig):
            return "it runs after the signal fired (in a case that waits on it): the new case would drop it"
    for n in a.of_type(fn, "communication_case", "expression_statement", skip_functions=True):
        if n.start_byte >= stmt.start_byte:
            break
        if n.type == "expression_statement" and _cancels(sf, n):
            return "the function cancels before it: the new case would fire at once and drop it"
        head = n.child_by_field_name("communication") if n.type == "communication_case" else n
        body = a.statements(n) if n.type == "communication_case" else []
        if _waits_on(sf, head, sig) and not (body and body[-1].type == "return_statement"):
            return "it follows a wait on the signal that goes on: the new case would fire at once and drop it"
    return None


def _waits_on(sf: SourceFile, node: Node | None, sig: a.Cancellation) -> bool:
    """``<-ctx.Done()``, or ``<-done`` for a local ``done := ctx.Done()``."""
    if node is None or node.type not in ("expression_statement", "receive_statement") or not node.named_children:
        return False
    expr = a.unparen(node.child_by_field_name("right") if node.type == "receive_statement" else node.named_children[0])
    if not a.is_receive(sf, expr):
        return False
    chan = a.unparen(expr.child_by_field_name("operand"))
    if sf.text(chan).replace(" ", "") == sig.done_expr():
        return True
    values = a.defined_values(sf, sf.text(chan), chan) if chan.type == "identifier" else []
    return len(values) == 1 and sf.text(values[0]).replace(" ", "") == sig.done_expr()


def _cancels(sf: SourceFile, stmt: Node) -> bool:
    """A call such as ``cancel()`` or ``wc.cancel()``: by its name, it cancels a context."""
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    last = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    return last is not None and last.type in ("identifier", "field_identifier") and "cancel" in sf.text(last).lower()


# ---------------------------------------------------------------------------- done field


def _done_field(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A send on a channel field of the method's receiver (``n.status <- c``) whose only
    receiver is one method of the type that closes a done field (``n.done``) as it returns:
    once that is closed nobody can take the value, so the send selects on it too and
    returns (zero values when the function has results), as etcd's PR 6857 did."""
    chan = _channel(sf, stmt)
    method = a.enclosing(stmt, "method_declaration")
    if state != "chan send" or chan.type != "selector_expression" or method is None:
        return None, None
    recv, field = chan.child_by_field_name("operand"), sf.text(chan.child_by_field_name("field"))
    key = a.function_key(sf, method)
    if recv.type != "identifier" or key is None or sf.text(recv) != a.receiver_name(sf, method):
        return None, None
    fields = _struct_fields(sf, key[1])
    if fields is None or fields.get(field, "").split(" ")[0] not in ("chan", "chan<-"):
        return None, None
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == key[1]]
    done, why = _closed_at_exit(sf, methods, field, fields)
    if done is None:
        return None, why
    shared = _used_elsewhere(abspath, [rb"\." + f.encode() + rb"\b" for f in (field, done)])
    if shared:
        return None, shared
    fn = a.enclosing_function(stmt)
    ret = _zero_return(sf, fn)
    if ret is None:
        return None, "the function's results have no zero value this fix can spell: return from it by hand"
    if any(n.start_byte > stmt.end_byte for n in a.of_type(a.body(fn), "expression_statement", skip_functions=True)):
        return None, "the function goes on with other calls after the send: a return would skip them"
    if not g_.own_line(sf, stmt):
        return None, "the operation shares its line: rewrite it by hand"
    comment = g_.trailing_comment(sf, stmt)
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    case = f"case {sf.text(stmt)}:" + (f" {sf.text(comment)}" if comment else "")
    stop = f"case <-{sf.text(recv)}.{done}:"
    new = b"select {" + nl + b"".join(indent + ln.encode() + nl for ln in (case, stop, "\t" + ret)) + indent + b"}"
    end = comment.end_byte if comment is not None else stmt.end_byte
    return Fix(f"select on {sf.text(recv)}.{done} too (closed when the receiver of {field} returns), and return",
               (TextEdit(stmt.start_byte, end, new),)), None


def _struct_fields(sf: SourceFile, type_name: str) -> dict[str, str] | None:
    """Field name -> its type's text, of the struct type ``type_name`` declared in the file."""
    for spec in a.of_type(sf.root, "type_spec"):
        st = spec.child_by_field_name("type")
        if sf.text(spec.child_by_field_name("name")) == type_name and st is not None and st.type == "struct_type":
            return {sf.text(n): " ".join(sf.text(fd.child_by_field_name("type")).split())
                    for fd in a.of_type(st, "field_declaration") for n in fd.children_by_field_name("name")}
    return None


def _closed_at_exit(sf: SourceFile, methods: list[Node], field: str, fields: dict[str, str]) -> tuple[str | None, str]:
    """(the done field the one method receiving from ``field`` closes as it returns, by a
    defer or right before a `return`, and closes nowhere else, ""), or (None, why none)."""
    receivers = {m for m in methods for n in a.of_type(m, "unary_expression") if a.is_receive(sf, n)
                 and _is_field(sf, a.unparen(n.child_by_field_name("operand")), m, field)}
    if len(receivers) != 1:
        return None, f"{field} is received from in {len(receivers)} methods of its type: no one receiver whose exit a done field marks"
    loop = next(iter(receivers))
    closes = [(m, n) for m in methods for n in a.of_type(m, "call_expression") if a.callee(sf, n) == (None, "close")
              and len(a.arguments(n)) == 1 and a.arguments(n)[0].type == "selector_expression"]
    for m, call in closes:
        arg = a.arguments(call)[0]
        done = sf.text(arg.child_by_field_name("field"))
        if m != loop or not _is_field(sf, arg, m, done) or fields.get(done) != "chan struct{}" or not a.names_a_signal(done):
            continue
        if all(c[0] == loop for c in closes if sf.text(a.arguments(c[1])[0].child_by_field_name("field")) == done) \
                and _at_exit(call, loop):
            return done, ""
    return None, f"the receiver of {field} closes no done field of its type as it returns"


def _is_field(sf: SourceFile, node: Node, method: Node, field: str) -> bool:
    """``r.field`` with ``r`` the receiver of ``method``."""
    return (node.type == "selector_expression" and sf.text(node.child_by_field_name("field")) == field
            and sf.text(node.child_by_field_name("operand")) == a.receiver_name(sf, method))


def _at_exit(call: Node, method: Node) -> bool:
    """``defer close(x)`` in the method's body, or ``close(x)`` just before a `return`."""
    stmt = call.parent
    if stmt.type == "defer_statement":
        return stmt.parent is not None and stmt.parent.parent == a.body(method)
    nxt = stmt.next_named_sibling if stmt.type == "expression_statement" else None
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt is not None and nxt.type == "return_statement" and a.enclosing_function(call) == method


def _used_elsewhere(abspath: str, patterns: list[bytes]) -> str | None:
    """Why what file ``abspath`` declares may be used beyond what it shows: another Go file
    of its package matches one of ``patterns`` (its uses would be out of view), or None."""
    folder = os.path.dirname(abspath)
    try:
        others = [f for f in os.listdir(folder) if f.endswith(".go") and f != os.path.basename(abspath)]
    except OSError:
        return "its package's other files cannot be read"
    for name in others:
        try:
            with open(os.path.join(folder, name), "rb") as fh:
                text = fh.read()
        except OSError:
            return "its package's other files cannot be read"
        if any(re.search(p, text) for p in patterns):
            return f"{name} of its package names them too: uses there are out of view"
    return None


# ---------------------------------------------------------------------------- wake-up


def _wake_up(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """``x.f <- struct{}{}`` on a wake-up channel: a ``chan struct{}`` field every `make` of
    this file gives capacity 1, that nobody closes, and whose every receive is an empty
    select case (``case <-x.f:``, only waking a loop). A blocked send finds a wake-up already
    waiting in the buffer, which the receiver will see: sending without blocking (select
    with default) loses nothing, as cockroach's PR 24808 did."""
    chan = _channel(sf, stmt)
    value = stmt.child_by_field_name("value")
    if state != "chan send" or chan.type != "selector_expression" or sf.text(value).replace(" ", "") != "struct{}{}":
        return None, None
    field = sf.text(chan.child_by_field_name("field"))
    makes, receives = [], []
    for n in a.of_type(sf.root, "keyed_element", "assignment_statement", "unary_expression", "call_expression"):
        if n.type == "keyed_element" and n.named_child_count == 2 and sf.text(n.named_children[0]) == field:
            makes.append(a.unparen(n.named_children[1]))
        elif n.type == "assignment_statement" and sf.text(n.child_by_field_name("left")).endswith("." + field):
            makes.extend(a.unparen(v) for v in n.child_by_field_name("right").named_children)
        elif a.is_receive(sf, n) and _names_field(sf, n.child_by_field_name("operand"), field):
            receives.append(n)
        elif n.type == "call_expression" and a.callee(sf, n) == (None, "close") and any(
                _names_field(sf, x, field) for x in a.arguments(n)):
            return None, f"{field} is closed: not a plain wake-up channel"
    if not makes or not all(sf.text(m).replace(" ", "") == "make(chanstruct{},1)" for m in makes):
        return None, f"{field} is not made here with a buffer of one (a wake-up channel's): a send may not be dropped"
    for r in receives:
        bare = r.parent.type == "expression_statement" or (
            r.parent.type == "receive_statement" and r.parent.child_by_field_name("left") is None)
        case = r.parent.parent if bare else None
        if case is None or case.type != "communication_case" or a.statements(case):
            return None, (f"a receive from {field} is not an empty select case (a semaphore's release, "
                          "a value that counts): no send may be dropped")
    if not receives or not g_.own_line(sf, stmt):
        return None, "no receiver in view, or the send shares its line"
    shared = _used_elsewhere(abspath, [rb"\." + field.encode() + rb"\b"])
    if shared:
        return None, shared
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    new = b"select {" + nl + indent + f"case {sf.text(stmt)}:".encode() + nl + indent + b"default:" + nl + indent + b"}"
    return Fix(f"send without blocking on wake-up channel {field}: a wake-up already waits in its buffer of one",
               (TextEdit(stmt.start_byte, stmt.end_byte, new),)), None


def _names_field(sf: SourceFile, node: Node | None, field: str) -> bool:
    return node is not None and node.type == "selector_expression" and sf.text(node.child_by_field_name("field")) == field


# ---------------------------------------------------------------------------- close when done


def _closed_by_its_goroutine(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A wait ``<-done`` on a local channel nobody can ever send on or close: besides the
    receives, it is only handed to one goroutine, ``go f(done)``, whose function ignores
    that parameter. The wait reads as "until f is done" and never ends: f closes it as it
    returns (``defer close(done)``), f being called nowhere else."""
    chan = _channel(sf, stmt)
    if state != "chan receive" or stmt.type != "expression_statement" or chan.type != "identifier":
        return None, None
    name = sf.text(chan)
    decl = a.local_declaration(sf, name, stmt)
    if decl is None or decl.type != "short_var_declaration" or not any(
            a.callee(sf, n) == (None, "make") for n in a.of_type(decl, "call_expression")):
        return None, None
    uses = [n for n in a.of_type(a.enclosing_function(decl), "identifier")
            if sf.text(n) == name and not a.is_within(n, decl.child_by_field_name("left"))]
    handed = [n for n in uses if n.parent.type == "argument_list" and n.parent.parent.parent.type == "go_statement"]
    received = [n for n in uses if n.parent.type == "unary_expression" and a.is_receive(sf, n.parent)]
    if len(handed) != 1 or len(handed) + len(received) != len(uses):
        return None, f"{name} is used otherwise than waited on and handed to one goroutine: its signaller is not plain"
    call = handed[0].parent.parent
    index = a.arguments(call).index(handed[0])
    f = call.child_by_field_name("function")
    callee = f.child_by_field_name("field") if f.type == "selector_expression" else f
    called = sf.text(callee)
    kind = "method_declaration" if f.type == "selector_expression" else "function_declaration"
    decls = [d for d in a.of_type(sf.root, kind) if sf.text(d.child_by_field_name("name")) == called]
    params = [(p, n) for d in decls for p in a.of_type(d.child_by_field_name("parameters"), "parameter_declaration")
              for n in p.children_by_field_name("name")]
    if len(decls) != 1 or index >= len(params) or a.body(decls[0]) is None:
        return None, f"the goroutine's function {called} is not one function of this file whose parameters are plain"
    body, (param, ident) = a.body(decls[0]), params[index]
    if " ".join(sf.text(param.child_by_field_name("type")).split()).split(" ")[0] != "chan":
        return None, f"{called} takes {name} as a channel it may not close"
    if any(sf.text(n) == sf.text(ident) for n in a.of_type(body, "identifier")):
        return None, f"{called} uses {name}: when it signals is its own logic"
    mentions = [n for n in a.of_type(sf.root, "identifier", "field_identifier") if sf.text(n) == called]
    if len(mentions) != 2:  # its declaration and this go statement
        return None, f"{called} is called or named elsewhere too: closing {name} in it would close others' channels"
    shared = _used_elsewhere(abspath, [rb"\b" + called.encode() + rb"\b"])
    if shared:
        return None, shared
    edit = insert_at_block_start(sf, body, f"defer close({sf.text(ident)})")
    if edit is None:
        return None, f"{called}'s body is on one line: add `defer close({sf.text(ident)})` by hand"
    return Fix(f"close {sf.text(ident)} when {called} returns, ending the wait on it", (edit,)), None


_ZERO = {"string": '""', "bool": "false", "error": "nil", "any": "nil"}
_NUMBERS = ("int", "uint", "float", "complex", "byte", "rune")


def _zero_return(sf: SourceFile, fn: Node) -> str | None:
    """`return` with each result's zero value: 0, "", false, nil, ``T{}`` for a struct or
    array type (a type of this file named for a struct); None when one has no zero literal
    this can spell (a named type of another kind, a type parameter)."""
    result = fn.child_by_field_name("result")
    if result is None:
        return "return"
    types = [result] if result.type != "parameter_list" else [
        d.child_by_field_name("type") for d in a.of_type(result, "parameter_declaration")
        for _ in (d.children_by_field_name("name") or [None])]
    zeros = []
    for t in types:
        text = sf.text(t)
        if t.type in ("pointer_type", "slice_type", "map_type", "channel_type", "function_type", "interface_type"):
            zeros.append("nil")
        elif text in _ZERO:
            zeros.append(_ZERO[text])
        elif text.startswith(_NUMBERS) and t.type == "type_identifier" and text.rstrip("0123456789") in (*_NUMBERS, "uintptr"):
            zeros.append("0")
        elif t.type in ("struct_type", "array_type") or (t.type == "type_identifier" and _struct_fields(sf, text) is not None):
            zeros.append(f"{text}{{}}")
        else:
            return None
    return "return " + ", ".join(zeros)


# ---------------------------------------------------------------------------- unlock


def _unlock_before_leaving(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line``: where a function of this file
    on the same receiver type (a func literal in one included; or a method of another type
    reaching the lock through a field of this type, ``r.client.mu``) locks ``r.mu`` (or
    read-locks it) and releases it later in the same block, a statement between the two that
    leaves the block with the lock held gets the release right before it (etcd's 5509: a read
    lock kept blocks every writer after): a `return` (whose results read nothing the lock
    may guard: none, literals, locals; moby's PR 17176, grpc's 3017), or in a loop body a
    `continue` or a `break` (cockroach's PR 584; a `break` only when nothing after the loop
    unlocks). The next Lock, of the next iteration or the next caller, would wait forever.
    Only when every Unlock is in a function that locks too (none returns the lock held for
    its caller to release) and none is deferred. A loop holding the lock across iterations
    (moby's 7559: released after the loop, not in its body) is left alone: an Unlock before
    its `continue` would unlock twice when the loop ends."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and _lock_call(sf, n, ("Lock", "RLock"))), None)
    if blocked is None:
        return None, None
    scope = _lock_scope(sf, blocked)
    if scope is None:
        return None, "the lock is not a receiver's field or a local: its other users are out of view"
    key, owners, type_name = scope
    calls = [(a.enclosing_function(n), n) for owner in owners for n in a.of_type(owner, "expression_statement", "defer_statement")
             if _lock_key(sf, n, owner) == key] + _through_fields(sf, type_name, key)
    if any((n.type == "defer_statement" or _lock_call(sf, n, ("Unlock", "RUnlock"))) and not any(
            f == fn and _lock_call(sf, m, ("Lock", "RLock")) for f, m in calls) for fn, n in calls):
        return None, "a function unlocks what another locked: the lock's hand-off is a design decision"
    edits, seen = [], set()
    for fn, lock in calls:
        release = "RUnlock" if _lock_call(sf, lock, ("RLock",)) else "Unlock"
        unlocks = [n for f, n in calls if f == fn and n.start_byte > lock.end_byte and _lock_call(sf, n, (release,))]
        in_block = next((n for n in unlocks if n.parent == lock.parent), None)
        if not _lock_call(sf, lock, ("Lock", "RLock")) or in_block is None or any(f == fn and n.type == "defer_statement" for f, n in calls):
            continue  # not released in its own block (held across iterations may be the design), or by a defer too
        loop = lock.parent.parent.parent if lock.parent.parent is not None else None
        for leave in a.of_type(lock.parent, "return_statement", "continue_statement", "break_statement", skip_functions=True):
            if not (lock.end_byte <= leave.start_byte < in_block.start_byte) or leave.id in seen or any(
                    lock.end_byte <= u.start_byte < leave.start_byte for f, u in calls if f == fn and u.type == "expression_statement"):
                continue  # outside the locked stretch, or unlocked (or locked twice: _taken_twice's) before it
            if leave.type == "return_statement":
                if not all(x.type in _PLAIN_RESULTS for r in leave.named_children for x in a.walk(r)):
                    continue  # its results would be read after the Unlock
            elif leave.named_children or loop is None or loop.type != "for_statement" or _innermost(leave, leave.type) != loop \
                    or (leave.type == "break_statement" and any(u.start_byte > loop.end_byte for u in unlocks)):
                continue  # labelled, not this loop's, or a break the code after the loop unlocks for
            edit = insert_before_statement(sf, leave, [sf.text(in_block.named_children[0])])
            if edit is None:
                return None, "a statement that leaves the locked stretch shares its line: unlock before it by hand"
            seen.add(leave.id)
            edits.append(edit)
    if not edits:
        return None, None
    return Fix(f"unlock before each return, break or continue that leaves a locked stretch holding the lock ({len(edits)})",
               tuple(edits)), None


# what a `return` moved after an Unlock may evaluate: nothing the lock could guard
_PLAIN_RESULTS = ("expression_list", "identifier", "nil", "true", "false", "int_literal", "float_literal",
                  "interpreted_string_literal", "raw_string_literal", "rune_literal")


def _lock_call(sf: SourceFile, stmt: Node, methods: tuple[str, ...]) -> bool:
    """``x.mu.Lock()`` (a method of ``methods``, no arguments) as a statement."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] in methods and not a.arguments(call)


def _lock_key(sf: SourceFile, stmt: Node, fn: Node) -> str | None:
    """The lock a Lock/Unlock statement (deferred or not) of ``fn`` works on, with the
    receiver's name taken out (``.mu`` for ``g.mu.Lock()`` in a method on ``g``), or None
    for another statement."""
    if stmt.type == "defer_statement":
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        mc = a.method_call(sf, call) if call is not None else None
        if mc is None or mc[1] not in ("Unlock", "RUnlock"):
            return None
        operand = sf.text(mc[0])
    elif not _lock_call(sf, stmt, ("Lock", "Unlock", "RLock", "RUnlock")):
        return None
    else:
        operand = sf.text(a.method_call(sf, a.unparen(stmt.named_children[0]))[0])
    recv = a.receiver_name(sf, fn) if fn.type == "method_declaration" else None
    if recv and (operand == recv or operand.startswith(recv + ".")):
        return operand[len(recv):]  # "" for a mutex the type embeds
    return operand if fn.type != "method_declaration" else None


def _lock_scope(sf: SourceFile, blocked: Node) -> tuple[str, list[Node], str] | None:
    """The blocked lock's key (see _lock_key), the methods of the type whose value it is a
    lock of (the receiver's type, or the type of a local made here: ``x := &T{...}``), and
    that type's name."""
    fn = a.enclosing(blocked, "method_declaration") or a.enclosing_function(blocked)
    key = _lock_key(sf, blocked, fn)
    if key is None:
        return None
    if fn.type == "method_declaration":
        type_name = a.function_key(sf, fn)[1]
    else:
        name, _, rest = key.partition(".")
        values = a.defined_values(sf, name, blocked)
        lit = a.unparen(values[0]) if len(values) == 1 else None
        lit = lit.named_children[0] if lit is not None and lit.type == "unary_expression" and lit.named_children else lit
        if lit is None or lit.type != "composite_literal" or _struct_fields(sf, sf.text(lit.child_by_field_name("type"))) is None:
            return None
        type_name, key = sf.text(lit.child_by_field_name("type")), "." + rest if rest else ""
    return key, [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name], type_name


def _through_fields(sf: SourceFile, type_name: str, key: str) -> list[tuple[Node, Node]]:
    """(method, statement) for the lock statements of other types' methods that reach the
    lock through a field of type ``type_name`` (``r.client.mu.RLock()`` in a method on
    ``remoteClient``, whose field ``client`` is a ``*Client``: etcd's 5509)."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        owner, recv = (a.function_key(sf, m) or ("", ""))[1], a.receiver_name(sf, m)
        fields = _struct_fields(sf, owner) if owner != type_name and recv else None
        for field, kind in (fields or {}).items():
            if kind.lstrip("*") != type_name:
                continue
            for n in a.of_type(m, "expression_statement", "defer_statement"):
                through = _lock_key(sf, n, m)
                if through is not None and through == f".{field}{key}":
                    out.append((a.enclosing_function(n), n))
    return out


def _innermost(leave: Node, kind: str) -> Node | None:
    """The statement a `break` or `continue` leaves: its innermost loop (or, for a `break`,
    switch or select)."""
    stops = ("for_statement",) if kind == "continue_statement" else (
        "for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
    return a.enclosing(leave, *stops, stop_at=a.FUNCTION_TYPES)


# ---------------------------------------------------------------------------- a lock re-entered


def _locked_variant(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line`` opens method ``m`` (after
    nothing but ``runtime.Gosched()``), released by the ``defer`` right after it or as its
    last statement, and another method of the type calls ``r.m(...)`` while it holds
    ``r.mu`` (locked earlier in a block around the call, not released in between): a sync
    mutex is not reentrant, so that goroutine waits for itself (moby's PR 36114; a second
    RLock waits too once a writer queues, syncthing's 4829). ``m``'s body moves to
    ``mLocked``, ``m`` locks and calls it, and the holding callers call ``mLocked``: every
    other caller is unchanged, and the holding ones run the body under the lock they hold.
    Where ``m`` only wraps an existing method in the lock, the holders call that. Every
    other method of the type opening with the same lock that the same holders call under it
    is split alike (kubernetes' 62464): its deadlock only waits for another schedule. Not
    when a holder has only a read lock and a method takes the write lock: the body would
    then write under a read lock."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and _lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or _lock_key(sf, blocked, method) is None:
        return None, None
    first = _split(sf, method, blocked, abspath)
    if isinstance(first, str):
        return None, first
    key, type_name = _lock_key(sf, blocked, method), a.function_key(sf, method)[1]
    holders = {id(c) for c in first.holders}
    splits = [first]
    for other in a.of_type(sf.root, "method_declaration"):
        opening = next((n for n in a.statements(a.body(other)) if n.type != "comment" and not _yields(sf, n)), None)
        if other == method or (a.function_key(sf, other) or ("", ""))[1] != type_name or opening is None \
                or not _lock_call(sf, opening, ("Lock", "RLock")) or _lock_key(sf, opening, other) != key:
            continue
        more = _split(sf, other, opening, abspath)
        if not isinstance(more, str) and any(a.enclosing_function(c) in {a.enclosing_function(h) for h in first.holders}
                                             for c in more.holders) and not holders & {id(c) for c in more.holders}:
            splits.append(more)
    edits = tuple(sorted((e for sp in splits for e in sp.edits), key=lambda e: e.start))
    names = ", ".join(sp.message for sp in splits)
    return Fix(f"{names}, for the callers already holding the lock", edits), None


@dataclass(frozen=True)
class _Split:
    """A method's Locked variant: the edits that make it and point the holders at it."""

    edits: tuple[TextEdit, ...]
    holders: tuple[Node, ...]  # the calls made holding the lock
    message: str


def _split(sf: SourceFile, method: Node, lock: Node, abspath: str) -> _Split | str:
    """``method`` (opening with ``lock``) split for the callers that hold that lock, or why not."""
    key, recv = _lock_key(sf, lock, method), a.receiver_name(sf, method)
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    code = code[code.index(lock):] if lock in code and all(_yields(sf, n) for n in code[:code.index(lock)]) else []
    wants = a.method_call(sf, a.unparen(lock.named_children[0]))[1]
    release = "Unlock" if wants == "Lock" else "RUnlock"
    results = method.child_by_field_name("result") is not None
    if len(code) < 2:
        return "the lock does not open its method: split the method by hand"
    if _defers(sf, code[1], recv + key, release):
        kept, rest, upto = code[1], code[2:], a.body(method).end_byte - 1  # the body's closing brace
    elif code[-1].type == "expression_statement" and _lock_key(sf, code[-1], method) == key and _named_call(sf, code[-1], release) \
            and not results and not any(next(a.of_type(n, "return_statement", skip_functions=True), None) for n in code):
        kept, rest, upto = code[0], code[1:-1], code[-1].start_byte
    else:
        return "the lock is not released by a defer after it or as the method's last statement: split it by hand"
    if any(_lock_key(sf, n, method) == key for r in rest for n in a.of_type(r, "expression_statement", "defer_statement")):
        return "the method releases or takes the lock again: split it by hand"
    type_name, name = a.function_key(sf, method)[1], sf.text(method.child_by_field_name("name"))
    held = _held_calls(sf, type_name, name, key)
    if not held:
        return f"no method of {type_name} calls {name} holding the lock: it waits for another goroutine"
    if wants == "Lock" and any(mode == "RLock" for _, mode in held):
        return f"a caller holds only the read lock and {name} takes the write lock: an upgrade needs a person"
    holders = tuple(c for c, _ in held)
    fields = [c.child_by_field_name("function").child_by_field_name("field") for c in holders]
    args = _forwarded(sf, method)
    wrapped = _wrapped(sf, rest, recv, args)
    if wrapped is not None:  # it only locks around a method that exists already: call that
        return _Split(tuple(TextEdit(f.start_byte, f.end_byte, wrapped.encode()) for f in fields), holders,
                      f"call {wrapped} (which {name} wraps in the lock)")
    locked = name[0].lower() + name[1:] + "Locked"
    if any(sf.text(n) == locked for n in a.of_type(sf.root, "identifier", "field_identifier")) \
            or _used_elsewhere(abspath, [rb"\b" + locked.encode() + rb"\b"]):
        return f"{locked} is already a name in its package: split the method by hand"
    if args is None:
        return f"{name} has a parameter without a name it could pass on: split the method by hand"
    close = a.body(method).end_byte - 1
    if sf.data[sf.line_start(upto):upto].strip() or sf.data[sf.line_start(close):close].strip() or any(
            sf.line_col(x.start_byte)[0] == sf.line_col(y.end_byte)[0] for x, y in zip(code[1:], code)):
        return "the method is not laid out one statement per line: split it by hand"
    nl, indent = sf.newline, sf.indent_at(lock.start_byte)
    call = ("return " if results else "") + f"{recv}.{locked}({args})"
    start = sf.data.find(b"\n", kept.end_byte) + 1  # the moved statements' leading comments go with them
    moved = sf.data[start:sf.line_start(upto)]
    while moved.startswith(nl):  # no blank line opens the new body
        moved = moved[len(nl):]
    name_node = method.child_by_field_name("name")
    signature = sf.data[method.start_byte:name_node.start_byte] + locked.encode() + sf.data[name_node.end_byte:a.body(method).start_byte]
    doc = f"// {locked} is {name} for a caller that holds {recv}'s lock.".encode()
    edits = [TextEdit(start, sf.line_start(upto), indent + call.encode() + nl),
             TextEdit(method.end_byte, method.end_byte, nl + nl + doc + nl + signature + b"{" + nl + moved + b"}")]
    edits += [TextEdit(f.start_byte, f.end_byte, locked.encode()) for f in fields]
    return _Split(tuple(edits), holders, f"move {name}'s body to {locked}")


def _yields(sf: SourceFile, stmt: Node) -> bool:
    """``runtime.Gosched()``: a statement a method may run before its lock and keep there."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and a.is_call_to(sf, call, "runtime", ("Gosched",))


def _wrapped(sf: SourceFile, rest: list[Node], recv: str, args: str | None) -> str | None:
    """The name of ``recv.x`` when ``rest`` is only ``return recv.x(args)`` or ``recv.x(args)``
    with the method's own parameters passed on (cockroach's ``String`` around
    ``stringLocked``)."""
    if len(rest) != 1 or args is None or rest[0].type not in ("return_statement", "expression_statement"):
        return None
    call = a.unparen(rest[0].named_children[0]) if rest[0].named_children else None
    if call is not None and call.type == "expression_list" and call.named_child_count == 1:
        call = a.unparen(call.named_children[0])
    mc = a.method_call(sf, call) if call is not None else None
    if mc is None or sf.text(mc[0]) != recv or ", ".join(" ".join(sf.text(x).split()) for x in a.arguments(call)) != args:
        return None
    return mc[1]


def _defers(sf: SourceFile, stmt: Node, operand: str, method: str) -> bool:
    """``defer operand.method()``."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None) if stmt.type == "defer_statement" else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] == method and sf.text(mc[0]) == operand and not a.arguments(call)


def _held_calls(sf: SourceFile, type_name: str, name: str, key: str) -> list[tuple[Node, str]]:
    """The calls ``r.name(...)`` made directly (not in a func literal) in methods of
    ``type_name`` while ``r``'s lock ``key`` is held, with how: "Lock" or "RLock"."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        if (a.function_key(sf, m) or ("", ""))[1] != type_name or sf.text(m.child_by_field_name("name")) == name \
                or _released_in_closure(sf, m, key):
            continue
        recv = a.receiver_name(sf, m)
        stmts = [n for n in a.of_type(m, "expression_statement", skip_functions=True) if _lock_key(sf, n, m) == key]
        for call in a.of_type(m, "call_expression", skip_functions=True):
            mc = a.method_call(sf, call)
            if mc is None or mc[1] != name or sf.text(mc[0]) != recv:
                continue
            before = [n for n in stmts if n.end_byte <= call.start_byte]
            last = before[-1] if before else None
            if last is None or not a.is_within(call, last.parent):
                continue
            mode = a.method_call(sf, a.unparen(last.named_children[0]))[1]
            if mode in ("Lock", "RLock"):
                out.append((call, mode))
    return out


def _forwarded(sf: SourceFile, method: Node) -> str | None:
    """The method's parameters as the arguments of a call passing them on (``a, b, rest...``),
    or None when one has no name (or is ``_``)."""
    names = []
    for p in a.of_type(method.child_by_field_name("parameters"), "parameter_declaration", "variadic_parameter_declaration"):
        given = [sf.text(n) for n in p.children_by_field_name("name")]
        if not given or "_" in given:
            return None
        names += [g + "..." if p.type == "variadic_parameter_declaration" else g for g in given]
    return ", ".join(names)


def _released_in_closure(sf: SourceFile, fn: Node, key: str) -> bool:
    """Whether a func literal inside ``fn`` releases the lock ``key`` (a goroutine that
    unlocks what ``fn`` locked: nats' tests hand a lock to one)."""
    return any(_lock_key(sf, n, fn) == key and a.enclosing_function(n) != fn and (n.type == "defer_statement" or _named_call(
        sf, n, "Unlock") or _named_call(sf, n, "RUnlock")) for n in a.of_type(fn, "expression_statement", "defer_statement"))


def _lock_per_pass(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` opens a loop's body and the loop's only
    release is the ``r.mu.Unlock()`` right after the loop: a pass that goes round again holds
    the lock into the next pass's Lock (moby's PR 7559, a `continue` past the release). Each
    pass releases instead: before each `break` and `continue` of the loop and at the end of
    the body, and the release after the loop goes. A run that leaves after one pass does the
    same; one that went round waited forever. Only when nothing else in the body touches
    the lock, nothing leaves the loop otherwise (`return`, `goto`, labels), and the loop's
    condition and post statement read only locals (they now run unlocked)."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and _lock_call(sf, n, ("Lock",))), None)
    loop = blocked.parent.parent.parent if blocked is not None and blocked.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement" or blocked.parent.parent != loop.child_by_field_name("body"):
        return None, None
    fn = a.enclosing_function(loop)
    key = _lock_key(sf, blocked, fn)
    body = [n for n in a.statements(loop.child_by_field_name("body")) if n.type != "comment"]
    after = next((n for n in a.following(loop) if n.type != "comment"), None)
    if key is None or body[0] != blocked or after is None or after.type != "expression_statement" \
            or _lock_key(sf, after, fn) != key or not _named_call(sf, after, "Unlock"):
        return None, None
    if any(_lock_key(sf, n, fn) == key for n in a.of_type(fn, "expression_statement", "defer_statement")
           if n not in (blocked, after)):
        return None, "the function takes or releases the lock elsewhere too: release it per pass by hand"
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    for part in (clause.child_by_field_name(f) for f in ("condition", "update")) if clause is not None else ():
        if part is not None and next(a.of_type(part, "selector_expression", "call_expression", "index_expression"), None):
            return None, "the loop's condition reads more than locals: it ran under the lock"
    leaves = list(a.of_type(loop.child_by_field_name("body"), "return_statement", "goto_statement", "break_statement",
                            "continue_statement", skip_functions=True))
    mine = [x for x in leaves if x.type in ("break_statement", "continue_statement") and not x.named_children
            and _innermost(x, x.type) == loop]
    if any(x.type in ("return_statement", "goto_statement") or x.named_children for x in leaves):
        return None, "the loop is left by a return, goto or label: release it per pass by hand"
    unlock = sf.text(after.named_children[0])
    edits = [insert_before_statement(sf, x, [unlock]) for x in mine]
    if body[-1] not in mine:
        edits.append(insert_after_statement(sf, body[-1], unlock))
    edits.append(delete_line(sf, after))
    if any(e is None for e in edits):
        return None, "a statement the release goes beside shares its line: release it per pass by hand"
    return Fix("release the lock in every pass (before each break and continue, and at the end of the body) "
               "rather than once after the loop", tuple(edits)), None


def _taken_twice(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` follows a ``r.mu.Lock()`` of its own function,
    in a block around it, with no release between (or an ``RLock`` followed by this
    ``Lock``): every run that gets here waits for itself (grpc's PR 795, a Lock written for
    an Unlock). When a `return` follows it in its block with no release before and nothing
    deferred releases, it becomes the release; when a release follows it in its block
    before any `return`, or a deferred one waits at the return, it goes. A call between the
    two Locks that might release is the re-run's to rule out."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and _lock_call(sf, n, ("Lock", "RLock"))), None)
    fn = a.enclosing_function(blocked) if blocked is not None else None
    key = _lock_key(sf, blocked, fn) if fn is not None else None
    if key is None:
        return None, None
    mine = [n for n in a.of_type(fn, "expression_statement", "defer_statement", skip_functions=True) if _lock_key(sf, n, fn) == key]
    if _released_in_closure(sf, fn, key):
        return None, "a func literal of the function releases the lock: another goroutine may hand it back"
    before = [n for n in mine if n.end_byte <= blocked.start_byte and n.type == "expression_statement"]
    if not before or not a.is_within(blocked, before[-1].parent) or any(
            x.type == "for_statement" for x in a.ancestors(blocked) if x.start_byte > before[-1].start_byte and a.is_within(x, fn)):
        return None, None
    held = a.method_call(sf, a.unparen(before[-1].named_children[0]))[1]
    wants = a.method_call(sf, a.unparen(blocked.named_children[0]))[1]
    if not (held == "Lock" or (held == "RLock" and wants == "Lock")):
        return None, None
    release = "Unlock" if held == "Lock" else "RUnlock"
    deferred = any(n.type == "defer_statement" for n in mine)
    for nxt in (n for n in a.following(blocked) if n.type != "comment"):
        if nxt.type == "expression_statement" and _lock_key(sf, nxt, fn) == key and _named_call(sf, nxt, release):
            break  # released further on: the second Lock goes
        if nxt.type == "return_statement":
            if deferred:
                break
            field = a.unparen(blocked.named_children[0]).child_by_field_name("function").child_by_field_name("field")
            return Fix(f"{release} where the function locked a second time before returning: it held the lock already",
                       (TextEdit(field.start_byte, field.end_byte, release.encode()),)), None
    else:
        if not deferred:
            return None, "the lock is taken twice and the code after it goes on: release it by hand"
    edit = delete_line(sf, blocked)
    if edit is None:
        return None, "the second Lock shares its line: remove it by hand"
    return Fix("remove the second Lock: the function holds the lock already, and releases it after", (edit,)), None


# ---------------------------------------------------------------------------- a Wait in the launching loop


def _wait_after_loop(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``wg.Wait()`` on ``line`` ends the body of a loop that starts one goroutine
    per pass (``go func(...) { defer wg.Done(); ... }(...)``, unconditionally, nothing leaving
    the loop early), after ``wg.Add(len(xs))`` (``for ... range xs``), or ``wg.Add(n)`` (``for
    i := 0; i < n; i++``, ``for range n``), counted every goroutine before the loop: the first
    pass waits for Dones of goroutines not started yet, and never returns once there are two
    items (moby's PR 25384). After the loop the Wait waits for them all, as the Add meant. For
    one item or none nothing changes; for more the loop ran only once before. Before Go 1.22
    the goroutine must not use the loop's variables (one per loop then, shared)."""
    wait = next((n for n in a.of_type(sf.root, "expression_statement")
                 if sf.line_col(n.start_byte)[0] == line and _named_call(sf, n, "Wait")), None)
    loop = wait.parent.parent.parent if wait is not None and wait.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement":
        return None, None
    group = sf.text(a.method_call(sf, a.unparen(wait.named_children[0]))[0])
    code = [n for n in a.statements(loop.child_by_field_name("body")) if n.type != "comment"]
    if code[-1] != wait:
        return None, "the Wait is not the last statement of its loop's body: moving it would reorder what follows"
    launches = [n for n in code if n.type == "go_statement"]
    if len(launches) != 1 or next(a.of_type(loop.child_by_field_name("body"), "return_statement", "break_statement",
                                            "continue_statement", "goto_statement", skip_functions=True), None):
        return None, "the loop does not start exactly one goroutine on every pass: count its Dones by hand"
    lit = launches[0].named_children[0].child_by_field_name("function")
    if lit is None or lit.type != "func_literal" or sum(1 for c in a.of_type(lit, "call_expression")
                                                         if _is_group_call(sf, c, group, "Done")) != 1:
        return None, f"the goroutine is not a literal that calls {group}.Done() once"
    if any(_is_group_call(sf, c, group, m) for c in a.of_type(loop, "call_expression") for m in ("Add", "Go")):
        return None, f"the loop adds to {group} itself: its count is not the one before the loop"
    added = _added_before(sf, loop, group)
    if added is None or added not in _passes(sf, loop):
        return None, f"no {group}.Add before the loop counts its passes: the Wait may be meant per pass"
    if (sf.go_version or (1, 22)) < (1, 22) and _loop_vars(sf, loop) & {sf.text(n) for n in a.of_type(lit, "identifier")}:
        return None, "before Go 1.22 the goroutines would share the loop's variables once they run side by side"
    comment = g_.trailing_comment(sf, wait)
    end = comment.end_byte if comment is not None else wait.end_byte
    removed = delete_line(sf, wait) if comment is None else _delete_through(sf, wait, end)
    added_edit = insert_after_statement(sf, loop, sf.data[wait.start_byte:end].decode())
    if removed is None or added_edit is None:
        return None, "the Wait or the loop shares its line: move the Wait by hand"
    return Fix(f"wait for {group} after the loop: {added} goroutines were added before it, one starts per pass",
               (removed, added_edit)), None


def _named_call(sf: SourceFile, stmt: Node, method: str) -> bool:
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] == method and not a.arguments(call)


def _is_group_call(sf: SourceFile, call: Node, group: str, method: str) -> bool:
    mc = a.method_call(sf, call)
    return mc is not None and mc[1] == method and sf.text(mc[0]).lstrip("&") == group.lstrip("&")


def _add_call(sf: SourceFile, loop: Node, group: str) -> Node | None:
    """The ``group.Add(n)`` statement's call right before ``loop`` (other statements between
    do not name the group)."""
    prev = loop.prev_named_sibling
    while prev is not None:
        call = a.unparen(prev.named_children[0]) if prev.type == "expression_statement" and prev.named_children else None
        if call is not None and call.type == "call_expression" and _is_group_call(sf, call, group, "Add"):
            return call
        if prev.type != "comment" and re.search(rb"\b" + re.escape(group.encode()) + rb"\b", sf.data[prev.start_byte:prev.end_byte]):
            return None
        prev = prev.prev_named_sibling
    return None


def _added_before(sf: SourceFile, loop: Node, group: str) -> str | None:
    call = _add_call(sf, loop, group)
    args = a.arguments(call) if call is not None else []
    return " ".join(sf.text(args[0]).split()) if len(args) == 1 else None


def _passes(sf: SourceFile, loop: Node) -> tuple[str, ...]:
    """How an Add before the loop spells its number of passes: ``len(xs)`` for ``range xs``
    (or ``xs`` itself, which an Add takes only when it is an int: ``for range n``), ``n``
    for ``i := 0; i < n; i++``."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return ()
    if clause.type == "range_clause":
        right = " ".join(sf.text(clause.child_by_field_name("right")).split())
        return f"len({right})", right
    cond, init = clause.child_by_field_name("condition"), clause.child_by_field_name("initializer")
    if a.loop_kind(sf, loop) != "counted" or cond is None or init is None or cond.type != "binary_expression" \
            or sf.text(cond.child_by_field_name("operator")) != "<" or not re.fullmatch(r"\w+\s*:=\s*0", sf.text(init)):
        return ()
    return (" ".join(sf.text(cond.child_by_field_name("right")).split()),)


def _loop_vars(sf: SourceFile, loop: Node) -> set[str]:
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    left = clause.child_by_field_name("left") if clause is not None and clause.type == "range_clause" else \
        clause.child_by_field_name("initializer") if clause is not None else None
    return {sf.text(n) for n in a.of_type(left, "identifier")} if left is not None else set()


def _delete_through(sf: SourceFile, stmt: Node, end: int) -> TextEdit | None:
    """The line holding only ``stmt`` and its trailing comment (ending at ``end``)."""
    start = sf.line_start(stmt.start_byte)
    nl = sf.data.find(b"\n", end)
    if sf.data[start:stmt.start_byte].strip() or nl == -1 or sf.data[end:nl].strip():
        return None
    return TextEdit(start, nl + 1, b"")


# ---------------------------------------------------------------------------- merging


def carry(original: bytes, current: bytes, edits: tuple[TextEdit, ...]) -> list[TextEdit] | None:
    """``edits`` (on ``original``) moved onto ``current``, the same file after the rules'
    fixes; None when one of them touches a line those fixes changed."""
    if original == current:
        return list(edits)
    old, new = original.splitlines(keepends=True), current.splitlines(keepends=True)
    old_at, new_at = _offsets(old), _offsets(new)
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
    moved = []
    for e in edits:
        first = _line_of(old_at, e.start)
        last = _line_of(old_at, max(e.start, e.end - 1))
        block = next(((i, j) for i, j, n in blocks if i <= first and last < i + n), None)
        if block is None:
            return None
        shift = new_at[block[1]] - old_at[block[0]]
        moved.append(TextEdit(e.start + shift, e.end + shift, e.new))
    return moved


def _offsets(lines: list[bytes]) -> list[int]:
    out, pos = [], 0
    for ln in lines:
        out.append(pos)
        pos += len(ln)
    return out


def _line_of(starts: list[int], offset: int) -> int:
    return max(bisect.bisect_right(starts, offset) - 1, 0)
