"""Run-time evidence of goroutine leaks: goroutine dumps and leak profiles read into data
(dump.py, profile_proto.py), grouped into ranked blocked sites (sites.py), tied to the static
findings that cover them (match.py), and gathered from a package's own tests through an
injected leak check (leakcheck.py). commands.py is what the CLI calls."""

# The findings targeted fixes make (targeted.py) carry this rule: it is no static rule, so
# `gofixleaks rules` and SARIF's rule descriptors describe it from here.
PROVEN_LEAK = "proven-leak"
PROVEN_LEAK_SUMMARY = "goroutines the tests or a live service showed blocked forever, with no rule's fix covering them"
PROVEN_LEAK_DOC = """\
A finding of `fix --evidence`, not of `scan`: run-time evidence (the tests' leak check, a
goroutine dump or Go's leak profile) names the exact operation goroutines block on forever,
and no static finding's fix covers it.

**The fix** (`review`; with `--evidence tests` a re-run of the tests keeps only a fix that
makes the leak disappear):
- a send on a local channel whose senders are goroutines started beside its `make`, with a
  number of sends the code bounds: buffer the channel for every sender;
- a bare send or receive with a stop signal in scope (a context some caller can cancel, or a
  done channel the function already selects on): a `select` that also watches it and returns.

**When it is not fixed**: locks, wait groups, condition variables, a receive on the
cancellation signal itself, an unbounded number of sends, a signal that has already fired
where the operation runs; each such site is reported with its reason in one line.
"""
