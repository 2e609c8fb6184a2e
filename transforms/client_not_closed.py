"""client-not-closed: a goroutine-owning client kept on one path is dropped unclosed on another."""

from __future__ import annotations

import re

from gofixleaks import analysis as a
from gofixleaks.analysis.handles import EXITS, LEAVES
from gofixleaks.edits import REVIEW, SAFE, Fix
from gofixleaks.rule import Option, Pass, Rule

from . import _release as release

DOC = """\
## What it finds
A client that owns goroutines until its `Close()`, made in a function and held in a local
variable (`conn, err := grpc.Dial(...)`), that the function keeps on some path (returns
it, stores it in a field, map, slice or another variable, hands it to a function or a
goroutine) and drops on another: a later step fails and a `return` (or a `break`,
`continue`, the end of its block) is reached without closing it. The makers:
- `google.golang.org/grpc` `Dial`, `DialContext`, `NewClient` (a `*grpc.ClientConn`);
- `go.etcd.io/etcd/client/v3` `New` (a `*clientv3.Client`; also under the older
  `go.etcd.io/etcd/clientv3` and `github.com/coreos/etcd/clientv3`);
- `concurrency.NewSession` of the same etcd modules (a `*concurrency.Session`);
- `sarama.NewClient` (`github.com/IBM/sarama`, `github.com/Shopify/sarama`);
- `database/sql` `Open` and `OpenDB` (a `*sql.DB`);
- `github.com/fsnotify/fsnotify` `NewWatcher`, `NewBufferedWatcher` (a `*fsnotify.Watcher`);
- `github.com/nats-io/nats.go` `Connect` (a `*nats.Conn`);
- `github.com/rabbitmq/amqp091-go` (and `github.com/streadway/amqp`) `Dial`, `DialConfig`,
  `DialTLS` (an `*amqp.Connection`);
- the functions listed in the `client-makers` option, for a team's own clients;
- the package's own makers (model/owners.py): a function of the package returning a `T`
  (or `*T`, maybe with an error) that runs a method of `T` on a goroutine (`go v.loop()` on
  the value it returns) whose endless loop leaves only on a signal `T`'s `Close`, `Stop`
  or `Shutdown` fires (closes a receiver channel it receives from, calls a func field
  where it waits on a context field's `Done()`, writes a field, atomically or not, that it
  checks), following the receiver methods both call a few deep (a method other than the
  stop method and the loop counts only up to 30 lines: `closeLocked`, `isClosed`); or that stores such a
  maker's value in a field (`&T{pool: newPool()}`, nested literals too) that `T`'s stop
  method stops in turn (`t.pool.Close()`) or that `T` embeds, promoting its stop method
  (go-redis's `newSentinel`: its pool's rate limiter loops until `Close` sets a flag);
  also through a fluent method of `T` called on the result (`NewAccount(in).WithBuffer()`,
  a method returning its receiver); and the exported makers of same-module packages the
  package imports (`accounting.NewAccount`), from what they lend it (facts.imports: one
  level, their own makers and fields, not what they import). A file is read only if it
  holds one of `Dial`, `New`, `new`, `Open`, `Connect`: a maker named otherwise is seen
  only where one of them also shows. A name declared twice (build tags) is left out.
A gRPC stub made from it (`pb.NewFooClient(conn)`: any `New...Client(x)` of one
argument), etcd's `NewKV`, `NewLease`, `NewWatcher`, `NewMutex`, `NewElection`... and
sarama's `New...FromClient` borrow it: they do not close it, so passing it to them does not
hand it on.

## Why it leaks
These clients start goroutines when they are made and stop them only in `Close()`: a
`ClientConn` its resolver, balancer and idleness goroutines (and with `Dial`, connection
goroutines per address), an etcd client its gRPC connection and lease and watch streams, a
session the goroutine that keeps its lease alive, a sarama client its metadata updater, a
`sql.DB` its connection opener, an fsnotify watcher its event reader (and an inotify
descriptor), a NATS connection its read loop and flusher, an AMQP connection its frame
reader and heartbeater; the package's own makers the loop they start. A
client nobody can close any more keeps them, and the connections and leases they hold, for
the life of the process; each failed call leaks one more (dapr's placement client, etcd's
gRPC proxy registration: both fixed upstream by closing it before the error return).

## When it is not reported
- the client is closed (called or deferred, by a deferred func or a goroutine that closes
  it on every path), or handed on, on every path;
- it is never kept anywhere: a client used and dropped entirely is another question (the
  rule reports only where the function shows it knows the client must live on);
- the path that drops it is the maker's own failure (`if err != nil` right after the
  maker: there is no client), or `if conn == nil`;
- it is a parameter, a named result, a package-level variable or one of an enclosing
  function, or a field (`s.conn, err = grpc.Dial(...)`): its owner is elsewhere;
- test code (a `_test.go` file, or a function taking a `*testing.T`): a test binary is
  short-lived, and its drops follow failed assertions.

## When it is not fixed
- the package's own maker's stop method is not `Close` or `Stop` taking nothing and
  returning nothing or an `error` (`Shutdown(ctx)`): reported, to be stopped by hand;
- a value made from the client (a stub, a stream) is kept past the point where it would be
  closed, or returned there;
- a goroutine started here uses the client;
- the path that drops it is also reached without it, or it is overwritten or made again by
  a loop while held;
- the way out shares its line with other code, or is a `goto` or a `case`'s end.

## The fix
`x.Close()` right before each `return`, `break` or `continue` that drops it, and after the
last statement of a block that ends with it held. Safe when every such return reports an
error (the close's own error can be ignored there); review otherwise (a path that looks
like success drops the client: perhaps it is kept by other means). A path that already
closes it stays as it is.
"""

# Goroutine-owning makers: (import path, function) -> (result position of the client, closer)
MAKERS: dict[tuple[str, str], tuple[int, str]] = {
    # *grpc.ClientConn: resolver and balancer wrappers with their serializer goroutines, the
    # idleness manager's timer, channelz; Dial/DialContext also connect at once (transport
    # reader and keepalive goroutines per address). Only ClientConn.Close stops them.
    ("google.golang.org/grpc", "Dial"): (0, "Close"),
    ("google.golang.org/grpc", "DialContext"): (0, "Close"),
    ("google.golang.org/grpc", "NewClient"): (0, "Close"),
}
_ETCD_CLIENTS = ("go.etcd.io/etcd/client/v3", "go.etcd.io/etcd/clientv3", "github.com/coreos/etcd/clientv3")
for _path in _ETCD_CLIENTS:
    # *clientv3.Client: its gRPC ClientConn (above), the auto-sync goroutine
    # (AutoSyncInterval), and the lease keep-alive and watch streams' goroutines; Close
    # cancels the client's context and closes the conn.
    MAKERS[(_path, "New")] = (0, "Close")
    # *concurrency.Session: a goroutine that drains the KeepAlive channel of its lease
    # (and the client's keep-alive loop for it) until Close revokes the lease and cancels it.
    MAKERS[(_path + "/concurrency", "NewSession")] = (0, "Close")
_SARAMA = ("github.com/IBM/sarama", "github.com/Shopify/sarama")
for _path in _SARAMA:
    # sarama.Client: its background metadata updater goroutine (every Metadata.RefreshFrequency,
    # 10 minutes by default) and the broker connections' goroutines, until Close.
    MAKERS[(_path, "NewClient")] = (0, "Close")

# *sql.DB: OpenDB starts the connection opener goroutine at once (Open calls it), which runs
# until DB.Close cancels its context; an unclosed DB also keeps its idle connections.
MAKERS[("database/sql", "Open")] = (0, "Close")
MAKERS[("database/sql", "OpenDB")] = (0, "Close")
# *fsnotify.Watcher: the backend's event-reading goroutine and its inotify/kqueue descriptor,
# until Close.
for _name in ("NewWatcher", "NewBufferedWatcher"):
    MAKERS[("github.com/fsnotify/fsnotify", _name)] = (0, "Close")
# *nats.Conn: the read loop, the flusher and the async callback dispatcher, until Close.
MAKERS[("github.com/nats-io/nats.go", "Connect")] = (0, "Close")
# *amqp.Connection: Open starts its frame reader at once and, once open, its heartbeater,
# until Close (a failed Dial returns its error: the maker's own failure, not reported).
_AMQP = ("github.com/rabbitmq/amqp091-go", "github.com/streadway/amqp")
for _path in _AMQP:
    for _name in ("Dial", "DialConfig", "DialTLS"):
        MAKERS[(_path, _name)] = (0, "Close")

# Calls that borrow a client (they keep using it, never close it): a gRPC stub (generated
# `NewFooClient(cc)`, the client its only argument), etcd's interfaces over a client and
# what a session backs, sarama's producers and consumers made from a client (its docs: the
# client must still be closed).
_STUB = re.compile(r"^New\w*Client$")
_BORROWERS = {
    *((p, n) for p in _ETCD_CLIENTS for n in ("NewKV", "NewLease", "NewWatcher", "NewCluster", "NewMaintenance", "NewAuth")),
    *((p + "/concurrency", n) for p in _ETCD_CLIENTS for n in ("NewMutex", "NewLocker", "NewElection", "ResumeElection")),
    *((p, n) for p in _SARAMA for n in ("NewSyncProducerFromClient", "NewAsyncProducerFromClient", "NewConsumerFromClient",
                                       "NewConsumerGroupFromClient", "NewClusterAdminFromClient", "NewOffsetManagerFromClient")),
}

_OPTION = "client-makers"


def _extra_makers(p: Pass) -> dict[tuple[str, str], tuple[int, str]]:
    """The ``client-makers`` option: ``import/path.Func`` entries (``:Method`` after one
    names its closer, ``Close`` by default), separated by commas or spaces."""
    out = {}
    for entry in re.split(r"[,\s]+", str(p.option(_OPTION)).strip()):
        entry, _, closer = entry.partition(":")
        path, dot, name = entry.rpartition(".")
        if dot and path and name.isidentifier():
            out[(path, name)] = (0, closer if closer.isidentifier() else "Close")
    return out


def _borrows(sf, u: a.Use) -> bool:
    """``u`` passes the client to a call that only borrows it."""
    if u.kind != "argument":
        return False
    call = u.ident.parent.parent
    c = a.callee(sf, call)
    name = c[1] if c is not None else u.detail.rsplit(".", 1)[-1]
    return (c is not None and c in _BORROWERS) or (bool(_STUB.match(name)) and len(a.arguments(call)) == 1)


def _failed_branch(sf, made, err: str | None):
    """The maker failed, so there is no client: 0 for the then-branch of ``if err != nil``
    right after ``made``, 1 for ``if err == nil``."""

    def by_branch(sf, if_stmt) -> int | None:
        return None if err is None else a.failed_branch(sf, if_stmt, made, err)

    return a.Settled((), lambda u: False, by_branch)


def _check(p: Pass, call, maker: str, at: int, closer: str, owns: str, unfixed: str = "") -> None:
    sf = p.file
    rhs = call.parent
    stmt = rhs.parent if rhs is not None and rhs.type == "expression_list" else None
    if stmt is None or len(rhs.named_children) != 1 or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return
    lefts = a.left_names(stmt)
    if at >= len(lefts) or lefts[at].type != "identifier" or sf.text(lefts[at]) == "_":
        return
    holder = a.var_declaration_of(stmt) if stmt.type == "var_spec" else stmt
    if holder.parent is None or holder.parent.type != "statement_list" or a.in_test(sf, stmt):
        return
    function = a.enclosing_function(stmt)
    if function is None:
        return
    if stmt.type == "assignment_statement":
        if sf.text(stmt.child_by_field_name("operator")) != "=":
            return
        binding = a.binding_of(sf, lefts[at])
    else:
        binding = a.tuple_binding(sf, stmt, at)
    if binding is None or binding.function != function:
        return  # a parameter, result, package variable or one of an enclosing function
    err = lefts[-1] if len(lefts) > 1 and lefts[-1].type == "identifier" and sf.text(lefts[-1]) != "_" else None

    def is_release(u: a.Use) -> bool:
        return u.kind in ("method", "deferred-method", "go-method") and u.detail == closer

    def hands_on(u: a.Use) -> bool:
        return a.escapes(u) and not _borrows(sf, u)

    settled = _failed_branch(sf, holder, sf.text(err) if err is not None else None)
    life = a.follow(sf, binding, holder, function, is_release, hands_on, settled)
    if not life.handed_on or not life.drops:
        return  # never kept (used and dropped: another question), or never dropped
    name = binding.name
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    kept = ", ".join(str(line(n)) for n in life.handed_on)
    dropped = ", ".join(str(line(d.at)) for d in life.drops)
    message = (f"{name} from {maker} is kept on one path (line {kept}) but dropped without "
               f"{name}.{closer}({'...' if unfixed else ''}) at line {dropped}: {owns}")
    text = f"{name}.{closer}()"
    if unfixed:
        return p.report(call, message, notes=[unfixed])
    if life.shared:
        return p.report(call, message, notes=[f"a goroutine uses {name}: close it where that goroutine ends"])
    if any(d.how not in (EXITS, LEAVES) for d in life.drops):
        return p.report(call, message, notes=[f"{name} is overwritten or made again while held: close the old one first, by hand"])
    names = a.derived(sf, function, {name})
    edits, why = release.at_drops(sf, life, names, name, text, name)
    if edits is None:
        return p.report(call, message, notes=[why])
    errors = all(d.at.type == "return_statement" and a.error_return(sf, d.at) for d in life.drops)
    p.report(call, message, [Fix(f"call `{text}` where it is dropped (line {dropped})", edits,
                                 applicability=SAFE if errors else REVIEW)])


_OWNS = {
    "google.golang.org/grpc": "its resolver, balancer and transport goroutines run until it is closed",
    "concurrency": "the goroutine keeping its lease alive runs, and the lease lives, until it is closed",
    "etcd": "its gRPC connection and keep-alive and watch goroutines run until it is closed",
    "sarama": "its metadata updater and broker goroutines run until it is closed",
    "database/sql": "its connection opener goroutine runs, and its idle connections stay open, until it is closed",
    "github.com/fsnotify/fsnotify": "its event-reading goroutine runs, and its watch descriptor stays open, until it is closed",
    "github.com/nats-io/nats.go": "its read loop, flusher and callback goroutines run, and its connection stays open, "
                                  "until it is closed",
    "amqp": "its frame reader and heartbeater goroutines run, and its connection stays open, until it is closed",
}


def _owns(path: str) -> str:
    if path in ("google.golang.org/grpc", "database/sql", "github.com/fsnotify/fsnotify", "github.com/nats-io/nats.go"):
        return _OWNS[path]
    if path.endswith("/concurrency") and any(path.startswith(e) for e in _ETCD_CLIENTS):
        return _OWNS["concurrency"]
    if path in _ETCD_CLIENTS:
        return _OWNS["etcd"]
    if path in _SARAMA:
        return _OWNS["sarama"]
    if path in _AMQP:
        return _OWNS["amqp"]
    return "the goroutines it owns run until it is closed"


def _own_makers(p: Pass) -> None:
    """The makers of the package and of the same-module packages it imports (model/owners.py),
    through the fluent methods of their type called on the result (``NewAccount(in).WithBuffer()``)."""
    if p.package is None:
        return
    sf = p.file
    owners = p.package.owner_makers(sf.package_name)
    for call in a.calls_named(sf, {k.rpartition(":")[2] for k in owners}) if owners else ():
        c = a.callee(sf, call)
        owner = owners.get(c[1] if c[0] is None else f"{c[0]}:{c[1]}") if c is not None else None
        if owner is None:
            continue
        outer = call
        while (sel := outer.parent).type == "selector_expression" and sel.parent.type == "call_expression" \
                and sf.text(sel.child_by_field_name("field")) in owner.fluent:
            outer = sel.parent
        owns = f"its {owner.loop} goroutine runs until {owner.type}.{owner.stop} ends it"
        unfixed = "" if owner.plain else (f"{owner.type}.{owner.stop} is not a plain `Close() error` or `Stop()`: "
                                          "stop it by hand")
        _check(p, outer, sf.text(call.child_by_field_name("function")), 0, owner.stop, owns, unfixed)


def run(p: Pass) -> None:
    makers = {**MAKERS, **_extra_makers(p)}
    for call in a.calls_named(p.file, {name for _, name in makers}):
        c = a.callee(p.file, call)
        found = makers.get(c) if c is not None and c[0] is not None else None
        if found is not None:
            fn = call.child_by_field_name("function")
            _check(p, call, p.file.text(fn), *found, _owns(c[0]))
    _own_makers(p)


RULE = Rule(
    name="client-not-closed",
    summary="a goroutine-owning client (grpc.Dial, etcd's clientv3.New and NewSession, sarama.NewClient, sql.Open, "
            "fsnotify.NewWatcher, nats.Connect, amqp.Dial, the package's own makers of values whose loop "
            "goroutine runs until their Close) kept on one path "
            "is dropped unclosed on another -> close it there",
    doc=DOC,
    run=run,
    # the makers' names (`New` covers NewClient and NewSession); a configured maker's name
    # must hold one of these for its files to be read (see the option's help)
    # (and `new`: the package's own makers, newSentinel)
    triggers=(b"Dial", b"New", b"Open", b"Connect", b"new"),
    skips_tests=True,
    needs_package=True,
    options=(Option(_OPTION, "", "more goroutine-owning makers, comma-separated: `import/path.Func` (closed by "
                                 "`Close()`), or `import/path.Func:Method` to name the closer"),),
)
