"""Targeted fixes for proven leaks that no rule fixed: the evidence names the exact operation
a goroutine blocks on forever (file, line, wait state), and the existing fixers' edits are
aimed at it where their safety conditions hold (a `select` with one case and no default is
the send or receive Go compiles it to, reported on the case's line: the shapes below add a
case to it, or refuse it where that would be wrong):

- a send on a local channel whose senders are goroutines started beside its `make`, with a
  number of sends the code bounds (one per goroutine, `len(xs)` for one per element) ->
  buffer it for every sender (early-return-send's fix, here also when static analysis saw
  no way for the receiver to leave, or when a sender only closes the channel after its send);
- a send on a wake-up channel (`chan struct{}` with a buffer of one, received only by empty
  select cases) -> send without blocking, a wake-up already waits (stays review even when
  proven: a slow receiver sees one wake-up fewer);
- a send on an unexported channel field of the method's receiver whose values nobody reads
  (nothing in the package receives from it and waits; each select polling it with a default
  discards what it takes and does nothing with it) -> send without blocking, dropping the
  value once the buffer is full (cockroach's 35931 and 35073; unread.py; stays review even
  when proven: what follows the send no longer waits for a poll to make room);
- a bare send or receive while a stop signal is in scope (a context that some caller can
  cancel, a done channel the function already selects on, or any channel a select case of
  the function already stops on, `case <-s.ShouldStop(): return`) -> a `select` that also
  watches it and returns (send-without-cancel's fix, here also in a function the goroutine
  calls rather than runs; stays review even when proven: where the signal has fired and
  the partner is ready too, the select may drop a value a reader still waits for, or a
  release a semaphore needs, which no re-run shows); safe once proven only where the
  operation ends a `go func` literal and its channel is an unbuffered local, never closed
  nor handed on, that every other send and receive takes in a select returning on the
  same signal (everyone who could want the value leaves when it fires). Refused where the
  corpus found it wrong: a buffered channel sent on once per run, a partner that waits
  bare or with only a timeout, a semaphore's release, the test's own goroutine, a context
  nothing cancels (through ``WithValue``, fields, every caller in the package), a context
  its own cancel ends on every way to the operation (also before the func literal holding
  it), a join of a goroutine just told to stop (``close(s.dying); <-s.dead``), a reply a
  received request returned whose asker waits for it bare; where the
  function's own case on the signal does more than return, the new case does the same;
- a stop token (``struct{}{}``, a bool) sent on a channel field behind ``if r.f != nil``,
  whose every receiver, followed through getters, locals and parameters across the
  package, discards the value and leaves (returns or breaks out of its loop) and runs on a
  goroutine started once outside a loop -> ``close(r.f)``, kept nil after where the code
  sets it so, else renewed with the ``make`` it is given (moby's PR 28462; tokens.py;
  stays review even when proven: callers must serialise the guard and the close);
- a bare send right after ``cancel()`` (or ``r.cancel()``) of the very context it could
  watch (the locals of one ``context.WithCancel``, or the receiver's fields every keyed
  literal fills from them), which someone else can cancel too -> a `select` that also
  watches ``ctx.Done()``, the cancel moved after it (kubernetes' PR 25331; stays review
  even when proven: the cancel now waits for the send, which deadlocks a receiver that
  waits for the goroutines the cancel stops; cancels.py);
- a bare receive in a goroutine that does nothing but drain, started in a select's case on
  a method's ``ctx.Done()``, from channels of a field of its receiver whose every send is a
  select case that returns on the done of the same context (the same parameter, or the same
  argument of the one call of each method on one receiver) -> a `select` that also watches
  that done and returns (cockroach's PR 10790; drains.py; stays review even when proven:
  that the contexts are the same is read from the calls);
- a send on a channel field of the method's receiver whose only receiving method closes a
  done field as it returns -> a `select` that also watches that field and returns (zero
  values when the function has results);
- a send on a channel field of the method's receiver (no results, nothing after it) whose
  type has one once-only stop (`if !r.stopped { r.stopped = true; ...; close(r.ch) }`, or
  a sync.Once.Do closing a channel field) and is built only by keyed literals of the file
  -> a new `done` field, made in each literal, closed by that stop, and the send returns
  once it is closed, checked first without blocking so no value goes out after the stop
  (stops.py; stays review even when proven: a reader still reading after the stop loses
  the values it would have had);
- a send ending a method, on a channel field that only one other method of the type
  receives from, which can return while senders remain and runs once per value (its one
  call in the package is on a value made just before it; unexported, or in package main)
  -> a new `done` field, made in each keyed literal, closed by that method by defer, and a
  select that gives up the send once it is closed (signals.py; stays review even when
  proven: that the method runs once is read from the code);
- a send held under a lock of its method's receiver, on a channel field of another struct
  of the file whose every close takes that lock first, in methods called only from one
  method of that struct (its stop) -> a `done` field and a `doneOnce` sync.Once for that
  struct, the stop closing done once before it goes on to the lock, and a select that
  gives up the send once done is closed (kubernetes' PR 1321; signals.py; stays review
  even when proven: a reader still reading after the stop loses what it gave up);
- a wait on a local done channel that is only handed to one goroutine whose function
  ignores it -> that function closes it as it returns;
- a bare exchange on a channel field ending a locked stretch, whose partner takes that
  lock -> the release before the exchange (stays review even when proven); also one call
  deep: a method doing nothing but the exchange, called once as the last act of a plain
  locked stretch on a field of the locker, whose partner calls back into a func that takes
  the lock -> the field copied under the lock, the release, then the copy called (review);
- a wake-up (`<-r.f`, `f` an unbuffered `chan struct{}` field) received holding the lock its
  only senders, non-blocking `select` cases with an empty body, take -> a buffer of one, a
  drain of a stale wake-up and the release before the wait (stays review even when proven);
- a wait on a stop signal (`<-stop`, `<-ctx.Done()`, its value unused) followed only by a
  bare `return`, holding a lock the function took and defer-released in its top-level
  block and touches nowhere else, which a method of its type or a goroutine of the file
  takes -> released for the wait and taken again before the return (stays review even
  when proven: others can take the lock during the wait);
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
- a Lock taken right before `close(ch)`, `ch` a copy of a channel field `x.f` taken before
  it, while a method of the type holding that lock is blocked sending on `x.f` (nobody
  receives it any more: the closer has left its receiving) -> a goroutine draining `ch`
  started before the Lock (spdystream's fix): the sender finishes, the close ends the
  drain; only where nothing else receives from `x.f`, every sender holds the lock and the
  closer sets `x.f` to nil before it unlocks;
- a Lock the blocked goroutine holds itself further up its own stack (a frame of a method of
  the same type, on the same value, inside a locked stretch), where that frame calls a
  callback (a function-typed field of the type) as the stretch's last act -> the field
  copied under the lock, the lock released, the copy called (stays review even when proven:
  the check and the call no longer happen under one holding); without a fix, the reason
  says which frame holds the lock and through which calls it is taken again (holders);
  where that frame's call is in a `for _, v := range r.f` that is the whole locked stretch
  -> the elements copied under the lock, the lock released, the copy looped over (review);
  where that frame reaches the Lock's method through functions the package calls only
  there, handing its own value down by name, with no lock call between -> the last one's
  call goes to the method's `fooLocked` variant (cockroach's PR 16167; chains.py; review
  however proven: a later caller of those functions must hold the lock too);
- a Lock waited on while a frame of the goroutine holds another lock its method opens with
  (`X.Lock(); defer X.Unlock()`), in a lock-order deadlock -> the release moved right after
  the last statement reading the receiver, or the field the call acts on copied under the
  lock and called after the release, where nothing after reads what the lock guards
  (ordering.py; review however proven: the read and its use are no longer atomic);
- a lock-order deadlock no early release breaks (swaps.py; all review however proven): a
  method holding its receiver's lock that locks an item it looked up for the rest of it,
  while what follows takes the receiver's lock again -> the lookup, the release, the item's
  lock, then the receiver's (moby's PR 4951); a whole locked stretch that is a counted loop
  over a slice of the lock's own struct -> the count read under the lock, the loop after
  the release (cockroach's PR 10214); a send ending a func literal's locked stretch on a
  captured mutex, received after a Lock of it -> the release before the send; without a
  fix, a send or receive whose own goroutine holds a lock its frame took is diagnosed so
  (etcd's PR 7902: a follower waits for the next round holding the lock the leader needs);
- a key's Lock in a keyed-lock registry (`r.m[k].Lock()` after an `if` that makes an
  absent key's mutex), taken holding the registry lock whose release follows it, where
  the method returns holding the key's mutex and its release needs the registry lock (or
  the registry Lock the others wait on) -> the key's mutex read into a local under the
  registry lock, the release, then the local locked (hugo's form); only for a map of sync
  mutexes that only grows (no delete, no other write, no other file naming it);
- a blocked ``if !t.Stop() { <-t.C }`` drain -> a drain that does not block;
- a ``<-ctx.Done()`` in a method of a type whose value alone keeps that context's cancel
  func, in a field, where a caller makes or starts the value and drops it -> the method
  that does nothing but cancel, deferred at that call site (closers.py);
- a ``<-r.ctx.Done()`` in a goroutine a function started on a value ``v := &T{...}`` it
  built, gave a context of its own (``v.ctx, v.cancel = context.WithCancel(...)``) and
  keeps to itself (never returned, stored nor passed), the waited context being ``v``'s or
  a child a method of T made from it -> ``defer v.cancel()`` after the WithCancel (grpc's
  PR 862; protocols.py; stays review even when proven: the goroutines' work with that
  context is cut short when the function returns);
- a `wg.Wait()` ending the body of the loop that starts one goroutine per item, after a
  `wg.Add` before the loop counted them all (`wg.Add(len(xs))`): the first Wait waits for
  Dones of goroutines not started yet -> the Wait after the loop;
- a ``c.Wait()`` that is the whole body of ``for COND``, in a method that returns its
  type's error field right after the loop, COND not reading it -> ``COND && r.err == nil``
  (review however proven: a retry that clears the error).
- a ``c.Wait()`` that is the whole body of ``for COND`` after the waiter's Lock of ``c.L``,
  whose signaller (a method of the type) sets what COND reads and signals without that
  lock -> the lock around the state change and the signal (conds.py; review however proven:
  the signaller now waits for the lock);
- no fix, a diagnosis (conds.py): a ``c.Wait()`` guarded by no condition (a Signal before it
  is lost; said with it, a func literal waiting on a goroutine that does not hold ``c.L``,
  and the signallers that take no lock), and a Lock waited on through a ``sync.Once`` (a Do
  waiting for another's first call, or a Lock inside a Once's function: a Once/mutex cycle).

A range over a channel nobody closes is range-not-closed's to fix (it sees the channel's
senders across the package). Anything else (other locks, wait groups and condition
variables, a receive on a cancellation signal nobody owns, an unbounded number of sends,
lock-order deadlocks) gets no fix and a one-line reason per class; where the code or the
goroutine's stack proves more, a diagnosis instead (a channel field nothing signals; a
send on a channel field nothing in the package receives from, or only polls with a
default, handoffs.never_received; a receive waiting for a close that an outer frame of its
own goroutine defers; a stop signal that never fires: its only close follows a Wait that
cannot return, it is the goroutine's own deferred close handed back through a callback,
the goroutine that closes it last can leave before, or it takes the lock the blocked
sender holds, signals.never_fires; with all the sites' stacks, commands.target tells a cycle of Locks,
each held up the stack of the goroutine the previous one waits for: a lock-order deadlock,
holders.lock_order). A targeted fix is
`review`: only a run of the tests after it proves it (see commands.target).

The shapes live by what blocks: `channels` (a bare send or receive), `closers` (a wait on a
cancellation signal the goroutine's own value owns), `locks` (a Lock some stretch keeps),
`exchanges` (a lock held across a channel operation), `holders` (a lock the blocked
goroutine holds itself, told from its stack), `chains` (the same, taken again several calls
down), `registries` (a keyed-lock registry),
`waits` (a WaitGroup.Wait, a Cond.Wait), `unread` (a channel whose values nobody reads),
`drains` (a drain started once a context is done), `swaps` (a lock-order deadlock), `protocols` (a
context an abandoned value owns), `signals` (a stop signal a once-run receiver or a stop
can own), `conds` (a Cond's lost wake-up, a Once/mutex cycle); `aim` tries them in order."""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass
from typing import Callable

from ... import analysis as a
from ... import gomod
from ...discover import is_generated
from ...edits import Fix, TextEdit
from ...rule import Finding
from ...source import SourceError, SourceFile
from .. import PROVEN_LEAK
from ..match import Covered
from . import cancels, chains, channels, closers, conds, drains, exchanges, handoffs, holders, locks, ordering, protocols, registries, signals, stops, swaps, tokens, unread, waits
from ._base import another_function, operation

RULE = PROVEN_LEAK
_CHANNEL_STATES = ("chan send", "chan receive")
LOCKS = ("sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock")  # a lock an earlier holder kept, or its own
WAITS = ("sync.WaitGroup.Wait",)
CONDS = ("sync.Cond.Wait",)
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
    if state not in (*_CHANNEL_STATES, *LOCKS, *WAITS, *CONDS):
        return Aimed(c, abspath, None, not_channel)
    if abspath.endswith("_test.go"):
        return Aimed(c, abspath, None, "in a test file: not fixed")
    sf = source()
    if isinstance(sf, str):
        return Aimed(c, abspath, None, sf)
    stale = another_function(sf, c.site.blocked.line, c.site.blocked.function)
    if stale is not None:
        return Aimed(c, abspath, None, stale)
    if state in (*LOCKS, *WAITS, *CONDS):
        line = c.site.blocked.line
        never = waits.never_done(sf, line, abspath)[1] if state in WAITS else None
        if never is not None:  # the class's usual reason (the owing goroutine is blocked) would mislead
            return Aimed(c, abspath, None, f"blocked on {what}: {never}")
        if state in WAITS:
            shapes = ((lambda: waits.wait_after_loop(sf, line), True),)
        elif state in CONDS:
            shapes = ((lambda: waits.wait_for_error(sf, line), False),  # a retry may clear the error
                      (lambda: conds.signal_under_lock(sf, line, abspath), False),  # the signaller now waits for the lock
                      (lambda: conds.lost_wakeup(sf, line, abspath, c), True))
        else:
            shapes = tuple((shape, True) for shape in (
                lambda: locks.taken_twice(sf, line),
                lambda: locks.lock_per_pass(sf, line),
                lambda: locks.unlock_before_leaving(sf, line),
                lambda: locks.locked_variant(sf, line, abspath),
                lambda: exchanges.drain_before_close(sf, line, abspath),
                lambda: registries.registry_before_key(sf, line, abspath),
                lambda: conds.once_held(sf, line, abspath, c)))
        fix, proof_suffices, whys = _first(shapes)
        if fix is None and state in LOCKS:
            fix, proof_suffices, own = _first((
                (lambda: holders.callback_under_lock(sf, line, abspath, c), False),  # check and call no longer atomic
                (lambda: holders.range_under_lock(sf, line, abspath, c), False),  # nor the loop over the field
                # a later caller of the chain's functions must hold the lock too
                (lambda: chains.locked_down_the_chain(sf, line, abspath, c), False)))
            if fix is None and holders.holder(sf, line, abspath, c) is not None:
                # its own frame holds the lock: the class's reason ("held by a goroutine that is
                # blocked itself") would mislead; the diagnosis says who holds it instead
                return Aimed(c, abspath, None, f"blocked on {what}: " + "; ".join([*whys, *own]))
            whys += own
            if fix is None:  # the read and what follows it no longer happen under one holding
                fix, proof_suffices, own = _first(((lambda: ordering.release_first(sf, line, abspath, c), False),
                                                   (lambda: swaps.item_lock_first(sf, line, abspath), False),  # the item may go meanwhile
                                                   (lambda: swaps.count_before_release(sf, line, abspath, c), False)))
                whys += own
        if fix is None:
            return Aimed(c, abspath, None, "; ".join([not_channel, *whys]))
        stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.line_col(n.start_byte)[0] == line)
        finding = Finding.at(sf, stmt, RULE, "error", f"goroutines block here forever ({c.site.state_text})", [fix])
        return Aimed(c, abspath, finding, fix.message, proof_suffices)
    stmt = channels.operation_at(sf, c.site.blocked.line, state)
    if stmt is None:
        return Aimed(c, abspath, None, f"no {state} statement of its own on line {c.site.blocked.line}")
    if stmt.type == "for_statement":
        # closing where the last sender is done is range-not-closed's fix, which sees a
        # channel's senders across the package; a site it did not fix has none it can place
        return Aimed(c, abspath, None, "a range over a channel nobody closes, whose last sender range-not-closed "
                                       "cannot place: close it where its senders are done by hand")
    # each shape in turn, the first fix wins; with it, whether a re-run of the tests suffices
    shapes = (
        (lambda: channels.buffer(sf, stmt) if state == "chan send" else (None, None), True),
        (lambda: channels.drain_without_blocking(sf, stmt, state), True),
        (lambda: exchanges.release_before_exchange(sf, stmt, state, abspath), False),  # others may take the lock during the wait
        (lambda: swaps.release_before_send(sf, stmt, state), False),  # the same
        (lambda: exchanges.release_across_stop_wait(sf, stmt, state), False),  # the same
        (lambda: exchanges.wake_up_under_lock(sf, stmt, state, abspath), False),  # a new wait protocol
        (lambda: channels.wake_up(sf, stmt, state, abspath), False),  # a slow receiver sees fewer wake-ups
        # what follows the send no longer waits for a poll to make room, which no re-run shows
        (lambda: unread.drop_unread(sf, stmt, state, abspath), False),
        # callers must still serialise the guard and the close, which no re-run shows
        (lambda: tokens.close_token(sf, stmt, state, abspath), False),
        # a cancel that stopped siblings now waits for the send: a receiver waiting for them deadlocks
        (lambda: cancels.cancel_then_send(sf, stmt, state, abspath), False),
        (lambda: channels.watch_where_partners_leave(sf, stmt, state, abspath, c), True),
        # elsewhere a re-run cannot see a value the new case drops while its reader still
        # waits (the corpus judges 5 of its 65 answers wrong, bench/corpus/shape-verdicts.csv)
        (lambda: channels.watch(sf, stmt, state, abspath, c), False),
        # that the senders' context is the drain's is read from the calls; values go unsent
        (lambda: drains.done_in_drain(sf, stmt, state, abspath), False),
        (lambda: closers.close_owner(sf, stmt, state, abspath), True),
        # the goroutines lose the context when the function returns: work they still do with it is cut short
        (lambda: protocols.cancel_dropped(sf, stmt, state, abspath, c), False),
        (lambda: channels.done_field(sf, stmt, state, abspath), True),
        # values after the stop are dropped: a reader that still wanted them is out of the proof's view
        (lambda: stops.done_by_stop(sf, stmt, state, abspath), False),
        # that the receiver runs once per value is read from the code: no re-run shows it
        (lambda: signals.done_when_receiver_returns(sf, stmt, state, abspath), False),
        # a value given up after the stop is lost to a reader still reading: out of the proof's view
        (lambda: signals.stopped_before_the_lock(sf, stmt, state, abspath), False),
        (lambda: channels.closed_by_its_goroutine(sf, stmt, state, abspath), True),
    )
    fix, proof_suffices, reasons = _first(shapes)
    if fix is not None:
        # on the blocked line: a single-case select's case, not its `select {`
        finding = Finding.at(sf, operation(stmt), RULE, "error", f"goroutines block here forever ({c.site.state_text})", [fix])
        return Aimed(c, abspath, finding, fix.message, proof_suffices)
    never = channels.never_signalled(sf, stmt, state, abspath) or handoffs.never_received(sf, stmt, state, abspath) \
        or holders.waits_for_own_close(sf, stmt, state, abspath, c) or signals.never_fires(sf, stmt, state, abspath)
    held = swaps.held_across(sf, stmt, state, c)  # what the stack proves, then why each shape did not fit
    return Aimed(c, abspath, None, "; ".join([never] if never else [held, *reasons] if held else reasons) or "no targeted fix applies")


def _first(shapes: tuple[tuple[Callable[[], tuple[Fix | None, str | None]], bool], ...]) -> tuple[Fix | None, bool, list[str]]:
    """Each shape in turn: the first fix, whether a re-run of the tests suffices to prove it,
    and the reasons of the shapes that gave none before it."""
    reasons = []
    for shape, proof_suffices in shapes:
        fix, why = shape()
        if fix is not None:
            return fix, proof_suffices, reasons
        reasons += [why] if why else []
    return None, True, reasons


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
