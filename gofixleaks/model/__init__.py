"""The package-wide model of goroutines and channels that rules ask about.

Two layers, after go/analysis's facts:

- per function, from its own file's syntax (``summary``, plain data cached with the file's
  facts): what it does with the channels it is given and the channel fields it touches,
  whether it is a generator (returns a channel its goroutine feeds), which named functions
  it runs on goroutines, whether it waits on anything; per file, the struct types with
  context, stop-channel, channel or cancel fields;
- per package (``index``, built from PackageFacts on demand): those answers followed across
  functions and files (a bounded depth, cycles cut), launchers (found, or configured with
  the ``launchers`` key), where each function is started.

On a rule's file (``view(p)``) the model answers in terms of the file's nodes: goroutine
entry points and their lifetimes (``goroutines``), stop signals in scope (``signals``),
channels made here with every partner (``channels``).
"""

import importlib

# The per-package layer (summary, index) sits under gofixleaks.facts, and the per-file layer
# above it: names are exported lazily so that facts can import the lower layer.
_EXPORTS = {
    "ChanOp": "channels", "LocalChannel": "channels", "local_channel": "channels", "make_of": "channels",
    "literal_around": "channels", "calls_at": "channels", "channel_makes": "channels",
    "drained_by_callers": "channels",
    "ENDS": "routines", "Goroutine": "routines", "goroutines": "routines", "lifetime": "routines",
    "runs_once": "routines",
    "Launcher": "index", "PackageIndex": "index",
    "Signal": "signals", "stop_signals": "signals", "never_fires": "signals", "request_context": "signals", "test_context": "signals",
    "MANY": "summary", "ChanUse": "summary", "may_be_channel": "summary", "named_callee": "summary",
    "View": "file", "view": "file",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # asked once: rules call these in their loops
    return value
