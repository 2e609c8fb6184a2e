"""Run-time evidence of goroutine leaks: goroutine dumps and leak profiles read into data
(dump.py, profile_proto.py), grouped into ranked blocked sites (sites.py), tied to the static
findings that cover them (match.py), and gathered from a package's own tests through an
injected leak check (leakcheck.py). commands.py is what the CLI calls."""

# 1000 goroutines parked on one operation: far above what a healthy service keeps waiting on a
# single line (workers, connection loops), low enough to catch a leak days before it hurts.
DEFAULT_THRESHOLD = 1000

# The findings targeted fixes make (targeted/) carry this rule: it is no static rule, so
# `gofixleaks rules` and SARIF's rule descriptors describe it from here.
PROVEN_LEAK = "proven-leak"
PROVEN_LEAK_SUMMARY = "goroutines the tests or a live service showed blocked forever, with no rule's fix covering them"
PROVEN_LEAK_DOC = """\
A finding of `fix --evidence`, not of `scan`: run-time evidence (the tests' leak check, a
goroutine dump or Go's leak profile) names the exact operation goroutines block on forever,
and no static finding's fix covers it.

**The fix** (`review`; with `--evidence tests` a re-run of the tests keeps only a fix that
makes the leak disappear; a `select` with one case and no default counts as the bare
send or receive Go compiles it to, and gets a case added where that is right):
- a send on a local channel whose senders are goroutines started beside its `make`, with a
  number of sends the code bounds: buffer the channel for every sender;
- a bare send or receive with a stop signal in scope (a context some caller can cancel, a
  done channel the function already selects on, or a channel a select case of the function
  already stops on with a bare `return`): a `select` that also watches it and returns;
- a send on a channel field of the method's receiver whose only receiving method of the
  type closes a done field as it returns (etcd's node.Status): a `select` that also watches
  that done field and returns, with zero values for the results;
- a wait on a local done channel only handed to one goroutine whose function ignores it
  (grpc's lbWatcher): that function closes it as it returns (`defer close(done)`), when it
  is called nowhere else;
- a send on a wake-up channel (`chan struct{}` made with a buffer of one, received only by
  empty select cases): a send that does not block, since a wake-up already waits. It stays
  `review` even when proven: a receiver that is only slow sees one wake-up fewer;
- a Lock goroutines wait on forever, where a function of the same type (a method, or a
  func literal in one) locks it and leaves the stretch before its Unlock in the same block
  by a `return` whose results read nothing the lock guards, or by a loop body's `break`
  (nothing after the loop unlocking) or `continue`: the Unlock right before it leaves.
  Not when an Unlock is in a function that does not lock (a hand-off), or deferred in the
  same function. A read lock kept the same way (a writer waits forever) gets its RUnlock,
  also when the method reaches the lock through a field of the lock's type;
- a Lock that opens a loop's body and is released only once after the loop (a pass that
  goes round takes it again): a release in every pass, before each `break` and `continue`
  and at the end of the body, and none after the loop. Not when the loop's condition reads
  more than locals or the loop is left otherwise;
- a Lock a function takes a second time with no release between (a Lock written for an
  Unlock): the release, before the `return` that follows; or no second Lock, when a
  release follows;
- a Lock or RLock that opens a method (released by a `defer` after it, or as its last
  statement), which another method of the type calls while holding that lock: a sync
  mutex is not reentrant, so the goroutine waits for itself. The body moves to
  `fooLocked`, for a caller that holds the lock; `foo` locks and calls it, and the callers
  that hold the lock call `fooLocked`. Not when a caller holds only the read lock and the
  method takes the write lock (the body would write under a read lock);
- a key's Lock in a keyed-lock registry (`r.m[k].Lock()` right after the `if` that makes an
  absent key's mutex), taken holding the registry lock the method releases right after it,
  while the key's holder needs that lock to release it (hugo's getJSON): the key's mutex is
  read into a local under the registry lock, the registry lock released, the local locked.
  The same fix is aimed from the registry Lock the others wait on. Not when entries can be
  deleted or replaced (a mutex read before the release could be made again for its key),
  the map is named in another file of the package, or code runs between the key's Lock and
  the release;
- a Lock taken right before `close(ch)`, `ch` a copy of a channel field taken before it,
  while a method holding that lock is blocked sending on the field nobody receives any
  more (spdystream's monitor): a goroutine draining `ch` started before the Lock, so the
  sender finishes and the close ends the drain. Not when anything else receives from the
  field, a sender does not hold the lock, or the closer does not set the field to nil;
- a `<-ctx.Done()` in a method of a type whose value alone keeps that context's cancel
  func in a field, where a caller makes or starts the value and drops it (a transaction
  nobody rolls back, rows nobody closes): the type's method that does nothing but cancel,
  deferred right after that call. Not when the method does more (a real rollback or flush
  is the owner's to place), the value escapes, or it is closed already;
- a blocked drain `if !t.Stop() { <-t.C }` (the value was taken already, and since Go
  1.23 a stopped timer keeps none): a drain that does not block, `select` with a default;
- a bare send or receive on a channel field ending a method's locked stretch, whose
  partner (a goroutine or method that receives from it, or closes or sends on it) calls a
  method of the type that takes the same lock (a stop waiting for its worker, a status sent
  to a loop that locks after each receive): the release before the exchange. It stays
  `review` even when proven: others can take the lock before the exchange now;
- a wait on a stop signal (`<-stop`, `<-ctx.Done()`, its value unused) followed by nothing
  but a bare `return`, holding a lock the function took with a deferred release and
  touches nowhere else, which a method of the type or a goroutine takes (a listener that
  waits for its stop holding the lock its stopper needs first): the lock is released for
  the wait and taken again before the return. It stays `review` even when proven: others
  can take the lock during the wait;
- a `wg.Wait()` ending the body of a loop that starts one goroutine per pass, when a
  `wg.Add` before the loop counted them all (`wg.Add(len(xs))` for `range xs`): the first
  pass waits for goroutines not started yet. The Wait moves after the loop. Not when work
  follows it in the body, the loop can leave early or adds itself, or (before Go 1.22) the
  goroutine uses the loop's variables.
- a `c.Wait()` that is the whole body of `for COND`, in a method that returns its type's
  error field right after the loop (an activation that failed, moby's plugins): the loop
  also stops on that error, `COND && r.err == nil`. It stays `review` even when proven: a
  retry that clears the error would see waiters leave with the old one.

**When it is not fixed**: other locks (a lock-order deadlock, or a lock held across a
blocking operation: where to release is a design decision), other wait groups (the goroutine
owing the Done is blocked itself: fix that one; or nothing calls Done at all, which is said),
other condition variables, a receive on a cancellation signal nobody owns (a channel field
nothing sends on or closes is said so), an unbounded number of sends, a signal that has
already fired where the operation runs, a channel field used in another file of the
package; each such site is reported with its reason in one line.
"""
