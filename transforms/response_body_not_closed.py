"""response-body-not-closed: an *http.Response whose Body is not closed on every path."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import SAFE, Fix, delete_line, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

DOC = """\
## What it finds
An `*http.Response` from `http.Get`, `http.Head`, `http.Post` or `http.PostForm` (under any
import name of "net/http"), or from `Do`/`Get`/`Head`/`Post`/`PostForm` on a client it can
see is an `*http.Client` (`http.DefaultClient`, `&http.Client{...}`, `new(http.Client)`,
an `httptest` server's `Client()`, a local, parameter or struct field declared as one),
whose `Body` is not closed on every path on which the request succeeded, or whose response
is thrown away (`_, err := http.Get(url)`, a bare `http.Get(url)`).

## Why it leaks
Until its body is closed, a response holds its connection: the transport cannot reuse it
or give it back, and the connection's reader and writer goroutines stay blocked for as long
as the server keeps it open. Reading the body to EOF happens to free the connection, but an
error, an early return or a decoder that stops short of EOF leaves it pinned: only `Close`
always releases it. Every such call leaks a connection and two goroutines.

## When it is not reported
- the body is closed (directly, deferred, or in a deferred `func(){...}()`) or read to EOF
  with `io.ReadAll(resp.Body)` (the transport then takes the connection back by itself) on
  every path after the error check; a branch taken only when the request failed has nothing
  to close: `if err != nil`, `else if resp == nil`, `if assert.Error(t, err)` (testify's
  assert returns true only when err is set), and a conjunction with one of those
  (`if err != nil && ctx.Err() != nil { return }`), at any depth (a test of `resp` counts
  even after `err` was reused for another call: `if resp != nil { resp.Body.Close() }`
  closes it on every path where a body exists), and the rest of a path
  past a test's assertion that it failed (`if tc.wantErr { require.Error(t, err); return }`);
- the response is returned, stored, passed to a function (`closeBody(resp)`), or its body
  is handed to a function that is not known only to read it (`drainAndClose(resp.Body)`),
  on every path that does not close it: the new owner closes it from there on (reading
  functions such as `io.ReadAll`, `io.Copy`, `json.NewDecoder` or `bufio.NewReader` never
  close it, so handing the body to them hands nothing on). A path that returns before any
  such hand-over (`return nil, errNotModified` ahead of `return resp, nil`) is reported;
  a closure that closes or hands it on, run who knows when, keeps the whole call quiet;
- the client is a value whose type cannot be seen (`c.Do(req)` on an unknown `c`), or is
  built on a `Transport` that is not visibly net/http's (a test double may never answer);
- a test checks that the request fails (`if err == nil { t.Fatal(...) }`,
  `if !errors.Is(err, ...)`, `err.Error()` used unguarded (in an `if` condition, or a
  statement of its own such as `assert.Contains(err.Error(), ...)`), `require.Error(t, err)`,
  `assert.ErrorIs(t, err, ...)`, `test.NotNil(t, err)`): a response would only exist in
  a test that has already failed;
- the response is assigned with `=` to a variable declared elsewhere, or declared in an
  `if`/`for`/`switch` header;
- the response has no body, so nothing waits on it (net/http hands back `http.NoBody` and
  puts the connection back in its pool once the headers are read): a HEAD request
  (`http.Head`, `client.Head`, or `Do(req)` for a `req` made by a call given
  `http.MethodHead` or `"HEAD"` as one of its first two arguments, such as
  `http.NewRequest(http.MethodHead, ...)` or a test's request builder), or, in a test, one of
  the two statements after the request asserts a 204 or 304 status
  (`require.Equal(t, http.StatusNoContent, resp.StatusCode)`, `if resp.StatusCode != 204 {
  t.Fatal(...) }`): a response with a body exists only in a run that already failed. A
  test's other responses are still reported, whatever its handler writes: a body-less 200
  cannot be told from the client's side;
- there is no response at all: the URL is `ln.Addr()` of a listener that the function
  declaring the request (or a goroutine of it) accepts on itself with `ln.Accept()`, and
  nothing there writes or serves (`Write`, `WriteString`, `Copy`, `Serve`, `Fprint...`): a
  test probing a raw listener, whose request only fails;
- the request ends with the function: it was made with `http.NewRequestWithContext(ctx,
  ...)` for a `ctx, cancel := context.With...(...)` whose `defer cancel()` comes before the
  call. Once the function returns the context is done and the transport closes the
  connection, so nothing outlives it (the connection is not reused: a cost, not a leak).
  A client's `Timeout` is no such end: it bounds the pin to the timeout, and under load
  every request still holds a connection and two goroutines that long.

## When it is not fixed
Without an error check right after the request, inside a loop (a `defer` would pile up),
with an explicit `Close` on some paths only, for a discarded response, or when the
response is handed on on some paths (a deferred close would close it under its new owner). An error check
is `if err != nil { return ... }` (or `t.Fatal`, any call that does not return),
`require.NoError(t, err)` (testify's require, or a `require.New(t)`), or
`if !assert.NoError(t, err) { return }`; an `else if resp == nil { ... }` after the check
has no body to close. Applicability: `safe` (closing the body only releases it).

## The fix
`defer resp.Body.Close()` right after the error check, or first thing in the
branch where the request succeeded (`if err == nil { ... }`, or the `else` of
`if err != nil`) when that branch holds every use of the response; a
`defer resp.Body.Close()` that an early return skips moves up there.
"""

HTTP = "net/http"
_REQUESTS = ("Get", "Head", "Post", "PostForm")
_CLIENT_REQUESTS = ("Do",) + _REQUESTS
_ANY_REQUEST = frozenset(_CLIENT_REQUESTS)

# Functions that read from (or wrap) a reader without ever closing it: handing them the
# body hands nothing on. Anything else that takes the body is assumed to close it.
_READERS = {
    "io": {"ReadAll", "Copy", "CopyN", "CopyBuffer", "ReadFull", "ReadAtLeast", "LimitReader",
           "TeeReader", "MultiReader", "NopCloser"},
    "io/ioutil": {"ReadAll"},
    "bufio": {"NewReader", "NewReaderSize", "NewScanner"},
    "encoding/json": {"NewDecoder"},
    "encoding/xml": {"NewDecoder"},
    "encoding/gob": {"NewDecoder"},
    "encoding/csv": {"NewReader"},
    "encoding/base64": {"NewDecoder"},
    "encoding/hex": {"NewDecoder"},
    "compress/gzip": {"NewReader"},
    "compress/zlib": {"NewReader"},
    "compress/flate": {"NewReader"},
    "compress/bzip2": {"NewReader"},
    "compress/lzw": {"NewReader"},
    "archive/tar": {"NewReader"},
    "mime/multipart": {"NewReader"},
    "fmt": {"Fscan", "Fscanf", "Fscanln"},
    "image": {"Decode", "DecodeConfig"},
    "image/png": {"Decode", "DecodeConfig"},
    "image/jpeg": {"Decode", "DecodeConfig"},
    "image/gif": {"Decode", "DecodeConfig", "DecodeAll"},
}
_READER_METHODS = ("ReadFrom",)  # io.ReaderFrom: buf.ReadFrom(resp.Body)
# *http.Response methods that leave the body alone (Write closes it: that hands it on).
_RESPONSE_METHODS = ("Cookies", "Location", "ProtoAtLeast")

_HTTPTEST_SERVERS = ("NewServer", "NewTLSServer", "NewUnstartedServer")


# ---------------------------------------------------------------------------- clients


def _dot_imported(sf: SourceFile) -> bool:
    """``import . "net/http"`` (net/http's own tests): its names appear unqualified."""
    return any(
        spec.child_by_field_name("name") is not None
        and sf.text(spec.child_by_field_name("name")) == "."
        and sf.text(spec.child_by_field_name("path")).strip('"`') == HTTP
        for spec in a.of_type(sf.root, "import_spec", skip_functions=True)
    )


def _is_http_name(sf: SourceFile, node: Node | None, name: str) -> bool:
    """``http.<name>`` (type or value) under any import name of net/http, or a bare ``<name>``
    where net/http is dot-imported."""
    if node is None:
        return False
    if node.type in ("qualified_type", "selector_expression"):
        pkg = node.child_by_field_name("package" if node.type == "qualified_type" else "operand")
        member = node.child_by_field_name("name" if node.type == "qualified_type" else "field")
        return pkg.type in ("package_identifier", "identifier") and sf.imports.get(sf.text(pkg)) == HTTP and sf.text(member) == name
    return node.type in ("type_identifier", "identifier") and sf.text(node) == name and _dot_imported(sf)


def _is_http_type(sf: SourceFile, node: Node | None, name: str) -> bool:
    """``http.<name>`` or ``*http.<name>``."""
    if node is not None and node.type == "pointer_type":
        node = node.named_children[0] if node.named_children else None
    return _is_http_name(sf, node, name)


def _is_client(sf: SourceFile, expr: Node, depth: int = 0) -> bool:
    """Whether ``expr`` is visibly an ``*http.Client`` (or an addressable ``http.Client``)."""
    expr = a.unparen(expr)
    if depth > 3:
        return False
    t = expr.type
    if _is_http_name(sf, expr, "DefaultClient"):
        return True
    if t == "selector_expression":
        operand = expr.child_by_field_name("operand")
        field = sf.text(expr.child_by_field_name("field"))
        return operand.type == "identifier" and sf.imports.get(sf.text(operand)) != HTTP and _is_client_field(sf, operand, field)
    lit = _http_literal(sf, expr, "Client")
    if lit is not None:
        # a Transport we cannot see may be a fake that never returns a response with a body
        transport = _field_value(sf, lit, "Transport")
        return transport is None or _is_transport(sf, transport)
    if t == "call_expression":
        fn = expr.child_by_field_name("function")
        args = a.arguments(expr)
        if sf.text(fn) == "new" and len(args) == 1:
            return _is_http_type(sf, args[0], "Client")
        m = a.method_call(sf, expr)  # ts.Client() on an httptest server
        if m is not None and m[1] == "Client" and m[0].type == "identifier" and not args:
            value = _declared_value(sf, m[0])
            return value is not None and a.is_call_to(sf, value, "net/http/httptest", _HTTPTEST_SERVERS)
        return False
    return t == "identifier" and _declared_as(sf, expr, "Client", _is_client, depth)


def _http_literal(sf: SourceFile, expr: Node, name: str) -> Node | None:
    """The composite literal of ``&http.<name>{...}``."""
    if expr.type != "unary_expression" or sf.text(expr.child_by_field_name("operator")) != "&":
        return None
    lit = a.unparen(expr.child_by_field_name("operand"))
    return lit if lit.type == "composite_literal" and _is_http_type(sf, lit.child_by_field_name("type"), name) else None


def _declared_as(sf: SourceFile, ident: Node, name: str, is_value, depth: int) -> bool:
    """Whether ``ident`` is declared as an ``http.<name>`` (or a pointer to one), or without
    a type from a value for which ``is_value(sf, value, depth + 1)`` holds."""
    decl = _declaration(sf, ident)
    if decl is None:
        return False
    typ, value = decl
    if typ is not None:
        return _is_http_type(sf, typ, name)
    return value is not None and is_value(sf, value, depth + 1)


def _field_value(sf: SourceFile, lit: Node, key: str) -> Node | None:
    """The value of ``key: value`` in composite literal ``lit``."""
    body = lit.child_by_field_name("body")
    for kv in body.named_children if body is not None else ():
        if kv.type == "keyed_element" and len(kv.named_children) == 2 and sf.text(kv.named_children[0]) == key:
            value = kv.named_children[1]
            return value.named_children[0] if value.type == "literal_element" and value.named_children else value
    return None


def _is_transport(sf: SourceFile, expr: Node, depth: int = 0) -> bool:
    """Whether ``expr`` is visibly net/http's own transport: ``&http.Transport{...}``,
    ``http.DefaultTransport`` (``.(*http.Transport)``, ``.Clone()``), or a variable of those."""
    expr = a.unparen(expr)
    if depth > 3:
        return False
    t = expr.type
    if _is_http_name(sf, expr, "DefaultTransport") or _http_literal(sf, expr, "Transport") is not None:
        return True
    if t == "type_assertion_expression":
        return _is_http_type(sf, expr.child_by_field_name("type"), "Transport")
    if t == "call_expression":
        m = a.method_call(sf, expr)
        return m is not None and m[1] == "Clone" and _is_transport(sf, m[0], depth + 1)
    return t == "identifier" and _declared_as(sf, expr, "Transport", _is_transport, depth)


def _declaration(sf: SourceFile, ident: Node) -> tuple[Node | None, Node | None] | None:
    """(declared type, initial value) of the nearest declaration of ``ident`` before it:
    a parameter, a local, or a package-level variable of this file."""
    name = sf.text(ident)
    for fn in (x for x in a.ancestors(ident) if x.type in a.FUNCTION_TYPES):
        found = None
        b = a.body(fn)
        for d in a.of_type(b, "short_var_declaration", "var_spec", skip_functions=True) if b is not None else ():
            if d.start_byte < ident.start_byte and a.is_within(ident, a.statement_of(d).parent):
                got = _declares(sf, d, name)
                if got is not None:
                    found = got  # keep the last one before the use
        if found is not None:
            return found
        for field in ("receiver", "parameters"):
            plist = fn.child_by_field_name(field)
            for p in a.of_type(plist, "parameter_declaration") if plist is not None else ():
                if any(sf.text(n) == name for n in p.children_by_field_name("name")):
                    return p.child_by_field_name("type"), None
    for decl in sf.root.named_children:
        if decl.type == "var_declaration":
            for spec in decl.named_children:
                got = _declares(sf, spec, name)
                if got is not None:
                    return got
    return None


def _declares(sf: SourceFile, d: Node, name: str) -> tuple[Node | None, Node | None] | None:
    names = a.left_names(d)
    typ = d.child_by_field_name("type") if d.type == "var_spec" else None
    value = d.child_by_field_name("value" if d.type == "var_spec" else "right")
    for i, n in enumerate(names):
        if sf.text(n) == name:
            values = value.named_children if value is not None else []
            return typ, values[i] if len(values) == len(names) else None
    return None


def _declared_value(sf: SourceFile, ident: Node) -> Node | None:
    decl = _declaration(sf, ident)
    return decl[1] if decl is not None else None


def _is_client_field(sf: SourceFile, operand: Node, field: str) -> bool:
    """``s.client`` where ``s`` is declared as ``T`` or ``*T`` and struct T (in this file)
    has a field ``client *http.Client``."""
    decl = _declaration(sf, operand)
    if decl is None or decl[0] is None:
        return False
    typ = decl[0]
    if typ.type == "pointer_type" and typ.named_children:
        typ = typ.named_children[0]
    if typ.type != "type_identifier":
        return False
    for spec in a.of_type(sf.root, "type_spec", skip_functions=True):
        if sf.text(spec.child_by_field_name("name")) != sf.text(typ):
            continue
        st = spec.child_by_field_name("type")
        for fd in a.of_type(st, "field_declaration") if st is not None and st.type == "struct_type" else ():
            if any(sf.text(n) == field for n in fd.children_by_field_name("name")):
                return _is_http_type(sf, fd.child_by_field_name("type"), "Client")
    return False


def request_call(sf: SourceFile, call: Node) -> str | None:
    """The text naming the call (``http.Get``, ``client.Do``) when ``call`` returns an
    *http.Response the caller must close."""
    fn = call.child_by_field_name("function")
    member = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    if member is None or sf.text(member) not in _ANY_REQUEST:
        return None  # the common case, decided without resolving anything
    if any(_is_http_name(sf, fn, r) for r in _REQUESTS):
        return sf.text(fn)
    m = a.method_call(sf, call)
    if m is not None and m[1] in _CLIENT_REQUESTS and _is_client(sf, m[0]):
        return sf.text(call.child_by_field_name("function"))
    return None


def _bounded(sf: SourceFile, call: Node) -> bool:
    """Whether the request ends with the function, body unread or not: it was made with
    ``http.NewRequestWithContext(ctx, ...)`` for a ``ctx, cancel := context.With...(...)``
    whose ``defer cancel()`` runs before the call. A done request context makes the
    transport close the connection, so nothing outlives the function. (A client's
    ``Timeout`` bounds the pin too, but only to the timeout: under load, every request
    still holds a connection and two goroutines that long.)"""
    m = a.method_call(sf, call)
    args = a.arguments(call)
    req = a.defined_value(sf, sf.text(args[0]), call) \
        if m is not None and m[1] == "Do" and len(args) == 1 and args[0].type == "identifier" else None
    ctx = a.arguments(req)[0] if req is not None and a.is_call_to(sf, req, HTTP, ("NewRequestWithContext",)) else None
    made = a.local_binding(sf, sf.text(ctx), req) if ctx is not None and ctx.type == "identifier" else None
    decl = made.statement if made is not None and made.index == 0 else None
    lefts = a.left_names(decl) if decl is not None and decl.type == "short_var_declaration" else []
    right = decl.child_by_field_name("right").named_children if lefts else []
    if len(lefts) != 2 or len(right) != 1 or not a.is_call_to(sf, right[0], "context", a.CANCELLABLE):
        return False
    cancel, fn = sf.text(lefts[1]), a.enclosing_function(call)
    return any(
        d.start_byte < call.start_byte and a.is_within(call, d.parent) and a.enclosing_function(d) == fn
        and sf.text(d).replace(" ", "") == f"defer{cancel}()"
        for d in a.of_type(a.body(fn), "defer_statement", skip_functions=True))


# statuses whose responses never have a body (RFC 9110 6.4.1): net/http gives them http.NoBody
_NO_BODY = ("StatusNoContent", "StatusNotModified")
_EQUALS = ("Equal", "Equalf", "EqualValues", "EqualValuesf", "Exactly", "Exactlyf", "Equals", "Assert")


def _bodiless(sf: SourceFile, call: Node, stmt: Node | None, resp: str) -> bool:
    """Whether the response can have no body, so that nothing waits on it: net/http hands
    back ``http.NoBody`` and puts the connection back in its pool as soon as the headers
    are read. That is so for a HEAD request, and in a test whose next statements assert a
    204 or 304 status (a response with a body exists only in a run that already failed);
    and there is no response at all when the request goes to a raw listener nobody answers."""
    return _head_request(sf, call) or _unanswered(sf, call) or (
        stmt is not None and resp != "_" and _asserts_no_body(sf, stmt, resp))


_ANSWERS = ("Write", "WriteString", "Copy", "Serve", "ServeTLS", "Fprint", "Fprintf", "Fprintln")


def _unanswered(sf: SourceFile, call: Node) -> bool:
    """A request to ``"http://" + ln.Addr().String()`` where the function declaring it (or
    one of its goroutines) takes the connection itself with ``ln.Accept()`` and nothing
    there writes or serves HTTP (no ``Write``, ``Copy``, ``Serve``, ``Fprint...``): the test probes
    the listener, no response ever comes, and the request only fails (etcd's listener
    tests)."""
    args = a.arguments(call)
    addrs = [m[0] for c in a.of_type(args[0], "call_expression")
             if (m := a.method_call(sf, c)) is not None and m[1] == "Addr" and m[0].type == "identifier"] if args else []
    decl = next((f for f in a.ancestors(call) if f.type in ("function_declaration", "method_declaration")), None)
    if not addrs or decl is None:
        return False
    methods = [m for c in a.of_type(decl, "call_expression") if (m := a.method_call(sf, c)) is not None]  # fmt.Fprintf too
    accepts = any(m[1] == "Accept" and sf.text(m[0]) == sf.text(addrs[0]) for m in methods)
    return accepts and not any(m[1] in _ANSWERS for m in methods)


def _head_request(sf: SourceFile, call: Node) -> bool:
    """``http.Head(url)``, ``client.Head(url)``, or ``client.Do(req)`` for a ``req`` made by
    a call given the method HEAD as one of its first two arguments
    (``http.NewRequestWithContext(ctx, http.MethodHead, ...)``, a test's request builder)."""
    fn = call.child_by_field_name("function")
    if fn.type == "selector_expression" and sf.text(fn.child_by_field_name("field")) == "Head":
        return True
    args = a.arguments(call)
    req = a.defined_value(sf, sf.text(args[0]), call) if len(args) == 1 and args[0].type == "identifier" else None
    return req is not None and req.type == "call_expression" and any(
        _is_head(sf, x) for x in a.arguments(req)[:2])


def _is_head(sf: SourceFile, node: Node) -> bool:
    return _is_http_name(sf, node, "MethodHead") or sf.text(node) == '"HEAD"'


def _asserts_no_body(sf: SourceFile, stmt: Node, resp: str) -> bool:
    """One of the two statements after the request asserts that ``resp.StatusCode`` is 204
    or 304 (``require.Equal(t, http.StatusNoContent, resp.StatusCode)``, ``if
    resp.StatusCode != http.StatusNoContent { t.Fatal(...) }``)."""
    status = f"{resp}.StatusCode"

    def no_body(node: Node) -> bool:
        return any(_is_http_name(sf, node, n) for n in _NO_BODY) or sf.text(node) in ("204", "304")

    s = _next_statement(stmt)
    for _ in range(2):
        if s is None or not a.in_test(sf, s):
            return False
        call = a.unparen(s.named_children[0]) if s.type == "expression_statement" and s.named_children else None
        m = a.method_call(sf, call) if call is not None and call.type == "call_expression" else None
        args = a.arguments(call) if m is not None and m[1] in _EQUALS else []
        # gocheck's `c.Assert(resp.StatusCode, check.Not(check.Equals), 204)` says the opposite
        if any(sf.text(x) == status for x in args) and any(no_body(x) for x in args) and "Not" not in sf.text(call):
            return True
        cond = a.unparen(s.child_by_field_name("condition")) if s.type == "if_statement" else None
        if cond is not None and cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "!=":
            sides = [cond.child_by_field_name(f) for f in ("left", "right")]
            if any(sf.text(x) == status for x in sides) and any(no_body(x) for x in sides) and a.always_fails(
                    sf, a.statements(s.child_by_field_name("consequence"))):
                return True
        s = _next_statement(s)
    return False


# ---------------------------------------------------------------------------- uses


def _body_close(sf: SourceFile, ident: Node) -> Node | None:
    """The call ``resp.Body.Close()`` when ``ident`` is its ``resp``."""
    body = ident.parent
    if body is None or body.type != "selector_expression" or sf.text(body.child_by_field_name("field")) != "Body":
        return None
    close = body.parent
    if close is None or close.type != "selector_expression" or sf.text(close.child_by_field_name("field")) != "Close":
        return None
    call = close.parent
    return call if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == close else None


def _drained(sf: SourceFile, ident: Node) -> bool:
    """``io.ReadAll(resp.Body)`` (or ioutil's): it reads to EOF, where the transport gives the
    connection back by itself, as a Close would."""
    body = ident.parent
    if body.type != "selector_expression" or sf.text(body.child_by_field_name("field")) != "Body":
        return False
    args = body.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    return call is not None and a.callee(sf, call) in (("io", "ReadAll"), ("io/ioutil", "ReadAll")) and a.arguments(call) == [body]


def _hands_on_body(sf: SourceFile, body: Node) -> bool:
    """Whether this use of ``resp.Body`` may give it to someone who closes it."""
    parent = body.parent
    pt = parent.type
    if pt == "selector_expression":
        return False  # resp.Body.Read(...) and the like
    if pt == "argument_list":
        call = parent.parent
        c = a.callee(sf, call)
        if c is not None and c[0] is not None and c[1] in _READERS.get(c[0], ()):
            return False
        m = a.method_call(sf, call)
        return not (m is not None and m[1] in _READER_METHODS)
    if pt == "type_switch_statement":
        # switch resp.Body.(type) only looks; switch b := resp.Body.(type) may hand b on
        return parent.child_by_field_name("alias") is not None
    # compared or inspected (resp.Body != nil, resp.Body.(io.Seeker)): kept here; anything
    # else (returned, stored, assigned, put in a literal) has an owner that may close it
    return pt not in ("binary_expression", "if_statement", "expression_switch_statement", "type_assertion_expression")


def _hands_on(sf: SourceFile, use: a.Use) -> bool:
    """Whether this use of ``resp`` may give the response to someone who closes its body."""
    if use.kind == "field":
        return use.detail == "Body" and _hands_on_body(sf, use.ident.parent)
    if use.kind in ("method", "deferred-method", "go-method"):
        return use.detail not in _RESPONSE_METHODS
    return a.escapes(use)


# ---------------------------------------------------------------------------- the rule


def _error_check(sf: SourceFile, stmt: Node, resp: str, err: str | None, op: str) -> bool:
    """Whether if-statement ``stmt`` has no initializer and tests ``err <op> nil`` (or
    ``resp`` against nil the other way round) and nothing else; ``err`` None: it no longer
    holds the request's error, and only a test of ``resp`` counts."""
    return (
        stmt.type == "if_statement"
        and stmt.child_by_field_name("initializer") is None
        and _tests_nil(sf, stmt.child_by_field_name("condition"), resp, err, op)
    )


def _tests_nil(sf: SourceFile, cond: Node, resp: str, err: str | None, op: str) -> bool:
    cond = a.unparen(cond)
    if cond.type != "binary_expression":
        return False
    sides = {sf.text(cond.child_by_field_name("left")), sf.text(cond.child_by_field_name("right"))}
    operator = sf.text(cond.child_by_field_name("operator"))
    other = "==" if op == "!=" else "!="
    return (err is not None and operator == op and sides == {err, "nil"}) or (operator == other and sides == {resp, "nil"})


def _implies_failure(sf: SourceFile, cond: Node, resp: str, err: str | None) -> bool:
    """Whether ``cond`` holds only when the request failed: ``err != nil``, ``resp == nil``,
    or an ``&&`` with one of those among its operands."""
    cond = a.unparen(cond)
    if cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "&&":
        return any(_implies_failure(sf, cond.child_by_field_name(side), resp, err) for side in ("left", "right"))
    return _tests_nil(sf, cond, resp, err, "!=")


_FAILURES = ("Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow")


def _expects_failure(sf: SourceFile, stmt: Node, resp: str, err: str) -> bool:
    """Whether a test checks that this request fails: one of the next two statements is an
    ``if`` that reports a test failure (``t.Error``/``t.Fatal``...) whenever the request
    succeeded. A response then exists only in a test that has already failed."""
    s = stmt.parent if stmt.parent is not None and stmt.parent.type == "if_statement" else _next_statement(stmt)
    for _ in range(2):
        if s is None:
            return False
        if s.type == "if_statement" and _true_on_success(sf, s, resp, err) and any(
            (m := a.method_call(sf, c)) is not None and m[1] in _FAILURES
            for c in a.of_type(s.child_by_field_name("consequence"), "call_expression")
        ):
            return True
        # `assert.Contains(err.Error(), ...)` on a statement of its own: a nil err panics there
        if a.asserts_error(sf, s, err) or (s.type == "expression_statement" and _calls_error(sf, s, err)):
            return True
        s = _next_statement(s)
    return False


def _true_on_success(sf: SourceFile, if_stmt: Node, resp: str, err: str) -> bool:
    """Whether the condition of ``if_stmt`` holds (or panics) when ``err`` is nil:
    ``err == nil``, ``!errors.Is(err, x)``, ``!ok`` after ``_, ok := err.(T)``,
    a comparison using ``err.Error()``, or an ``||`` of one of those."""
    init = if_stmt.child_by_field_name("initializer")

    def holds(cond: Node) -> bool:
        cond = a.unparen(cond)
        if _tests_nil(sf, cond, resp, err, "=="):
            return True
        if cond.type == "binary_expression":
            op = sf.text(cond.child_by_field_name("operator"))
            if op == "||":
                return holds(cond.child_by_field_name("left")) or holds(cond.child_by_field_name("right"))
            return op != "&&" and _calls_error(sf, cond, err)
        if cond.type == "unary_expression" and sf.text(cond.child_by_field_name("operator")) == "!":
            inner = a.unparen(cond.child_by_field_name("operand"))
            if a.is_call_to(sf, inner, "errors", ("Is", "As")):
                args = a.arguments(inner)
                return bool(args) and sf.text(args[0]) == err
            if inner.type == "identifier" and init is not None and init.type == "short_var_declaration":
                names = [sf.text(n) for n in a.left_names(init)]
                values = init.child_by_field_name("right").named_children
                return (
                    names[-1:] == [sf.text(inner)]
                    and len(values) == 1
                    and values[0].type == "type_assertion_expression"
                    and sf.text(values[0].child_by_field_name("operand")) == err
                )
            return _calls_error(sf, inner, err)
        return False

    if init is not None and _calls_error(sf, init, err):
        return True
    return holds(if_stmt.child_by_field_name("condition"))


def _calls_error(sf: SourceFile, node: Node, err: str) -> bool:
    """Whether ``node`` calls ``err.Error()``, which panics when err is nil."""
    return any(
        (m := a.method_call(sf, c)) is not None and m[1] == "Error" and sf.text(m[0]) == err
        for c in a.of_type(node, "call_expression", skip_functions=True)
    )


def _assigns(sf: SourceFile, fn: Node, name: str, start: int, end: int) -> bool:
    """Whether ``name`` is (re)assigned between byte offsets ``start`` and ``end`` in ``fn``."""
    for d in a.of_type(fn, "short_var_declaration", "assignment_statement"):
        if start <= d.start_byte < end and any(sf.text(n) == name for n in a.left_names(d)):
            return True
    return False


def _terminating(sf: SourceFile, block: Node | None) -> bool:
    """Whether ``block`` ends in a statement after which control does not go on."""
    stmts = a.statements(block)
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
        return True
    return a.never_returns(sf, last)


def _next_statement(stmt: Node) -> Node | None:
    n = stmt.next_named_sibling
    while n is not None and n.type == "comment":
        n = n.next_named_sibling
    return n


def _message(what: str, call: str, tail: str) -> str:
    return (
        f"{what} from {call} {tail}: an unclosed response body pins its connection and the "
        "transport's reader and writer goroutines"
    )


def _report_discarded(p: Pass, call: Node, name: str) -> None:
    p.report(call, _message("the response", name, "is discarded, so its body is never closed"),
             notes=["keep the response and close its body"])


def check(p: Pass) -> None:
    sf = p.file
    for call in a.calls_named(sf, _ANY_REQUEST):
        name = request_call(sf, call)
        if name is None:
            continue
        parent = call.parent
        if parent.type in ("expression_statement", "go_statement"):
            if not _bodiless(sf, call, None, "_"):
                _report_discarded(p, call, name)
            continue
        if parent.type != "expression_list" or len(parent.named_children) != 1:
            continue
        stmt = parent.parent
        if stmt.type not in ("short_var_declaration", "assignment_statement") or stmt.child_by_field_name("right") != parent:
            continue
        names = a.left_names(stmt)
        if len(names) != 2 or names[0].type != "identifier":
            continue
        resp, err = sf.text(names[0]), sf.text(names[1])
        if _expects_failure(sf, stmt, resp, err) or _bounded(sf, call) or _bodiless(sf, call, stmt, resp):
            continue
        if resp == "_":
            _report_discarded(p, call, name)
            continue
        if stmt.type != "short_var_declaration" or stmt.parent.type != "statement_list" or a.enclosing_function(stmt) is None:
            continue  # `resp, err = ...` to a variable declared elsewhere, or in an if/for/switch header
        check_response(p, call, name, stmt, resp, err)


def check_response(p: Pass, call: Node, name: str, stmt: Node, resp: str, err: str) -> None:
    sf = p.file
    binding = a.tuple_binding(sf, stmt, 0)
    fn = binding.function
    refs = a.references(sf, binding)
    closes: list[Node] = []  # statements whose execution closes the body
    drains: list[Node] = []  # statements that read it to EOF: they release it too
    handed: list[Node] = []  # statements that give the response (or its body) to another owner
    for r in refs:
        close = _body_close(sf, r)
        owner = a.enclosing_function(r)
        if close is None and owner == fn and _drained(sf, r):
            drains.append(a.statement_of(r))
        elif close is not None:
            defer = a.deferred_literal(owner)
            if owner != fn and (defer is None or a.enclosing_function(owner) != fn):
                return  # closed by a goroutine or a closure called who knows when: handed on
            closes.append(a.statement_of(close if owner == fn else defer))
        elif _hands_on(sf, a.classify(sf, r)):
            if owner != fn:
                return  # a closure hands it on, run who knows when
            # the new owner closes it from there on: a path that never reaches such a
            # statement (`return nil, errStatus` before `return resp, nil`) still leaks
            handed.append(a.statement_of(r))

    def live(s: Node) -> str | None:
        """err, while it still holds the request's error at ``s``."""
        return None if _assigns(sf, fn, err, stmt.end_byte, s.start_byte) else err

    def checks_err(s: Node, op: str) -> bool:
        """``if err <op> nil`` while err still holds the request's error (or the same of
        resp, which a later error leaves as it was: rclone's ``if resp != nil { close }``
        after ``_, err = io.CopyN(...)``); for ``!=``, also a test assertion that stops the
        test when err is not nil (``require.NoError(t, err)``, ``if !assert.NoError(t, err)
        { return }``)."""
        e = live(s)
        return _error_check(sf, s, resp, e, op) or (e is not None and (
            (op == "!=" and _asserts_no_error(sf, s, e)) or (op == "==" and _if_no_error(sf, s, e))))

    def releases(s: Node) -> bool:
        if any(s.id == c.id for c in closes + drains + handed):
            return True
        if not _assigns(sf, fn, err, stmt.end_byte, s.start_byte) and (
                a.asserts_error(sf, s, err) or (s.type == "expression_statement" and _calls_error(sf, s, err))):
            return True  # `if wantErr { require.Error(t, err); return }`: past it the request failed
        # `if err == nil { defer resp.Body.Close() ... }`, `if assert.NoError(t, err) {...}`:
        # the other branch has no body
        cons = s.child_by_field_name("consequence") if s.type == "if_statement" else None
        return (
            cons is not None
            and checks_err(s, "==")
            and a.every_exit_passes(sf, a.statements(cons), releases)
        )

    def failed(s: Node) -> bool:
        """``if err != nil``, ``else if resp == nil``, ``if err != nil && ctx.Err() != nil``,
        ``if !assert.NoError(t, err)``, ``if assert.Error(t, err)`` (at any depth): the branch
        runs only when the request failed, with no body to close."""
        e = live(s)
        return s.child_by_field_name("initializer") is None and (
            _implies_failure(sf, s.child_by_field_name("condition"), resp, e)
            or (e is not None and (_asserts_no_error(sf, s, e) or _if_error(sf, s, e))))

    siblings = stmt.parent.named_children
    if a.every_exit_passes(sf, siblings[siblings.index(stmt) + 1 :], releases, failed):
        return
    tail = "is not closed on every path" if closes or handed else "is never closed"
    message = _message(f"the body of {resp}", name, tail)
    text = f"defer {resp}.Body.Close()"
    notes: list[str] = []
    fixes: list[Fix] = []
    err_check = _next_statement(stmt)
    if handed:
        lines = ", ".join(str(sf.line_col(h.start_byte)[0]) for h in handed)
        notes.append(f"handed on at line {lines}: a deferred close would close it for its new owner too; "
                     f"close it on the paths that return without handing it on")
    elif a.loops_between(stmt, fn):
        notes.append("made inside a loop: close the body before the next iteration (a defer would pile up)")
    elif (
        err_check is not None
        and checks_err(err_check, "!=")
        and err_check.child_by_field_name("alternative") is None
        and (err_check.type != "if_statement" or _terminating(sf, err_check.child_by_field_name("consequence")))
    ):
        insert = insert_after_statement(sf, err_check, text)
        edits = _with_close_moved(sf, err_check, closes, text, insert) if insert is not None else None
        if edits is not None:
            fixes.append(Fix(f"add `{text}` after the error check", edits, applicability=SAFE))
        elif insert is not None:
            notes.append("closed explicitly on some paths: close it on the others too, or defer the close after the error check")
        else:
            notes.append(f"the error check does not end its line: add `{text}` after it")
    elif (success := _success_branch(err_check, checks_err)) is not None and not closes and all(
        a.is_within(r, success) for r in refs
    ):
        edit = insert_at_block_start(sf, success, text)
        if edit is not None:
            fixes.append(Fix(f"add `{text}` where the request succeeded", (edit,), applicability=SAFE))
    elif err == "_":
        notes.append(f"the error is discarded: check it, then add `{text}`")
    else:
        notes.append(f"no `if {err} != nil {{ return ... }}` right after the request: add `{text}` once the error is checked")
    p.report(call, message, fixes, notes)


_NO_ERROR_ASSERTIONS = ("NoError", "Nil", "NoErrorf", "Nilf")
_ERROR_ASSERTIONS = ("Error", "Errorf", "ErrorIs", "ErrorIsf", "ErrorAs", "ErrorAsf", "ErrorContains", "ErrorContainsf",
                     "EqualError", "EqualErrorf", "NotNil", "NotNilf")
_TESTIFY = ("github.com/stretchr/testify/require", "github.com/stretchr/testify/assert")


def _asserts_no_error(sf: SourceFile, s: Node, err: str) -> bool:
    """``require.NoError(t, err)`` (or ``r.NoError(err)`` on a ``require.New(t)``), which
    stops the test when err is not nil, or ``if !assert.NoError(t, err) { return }``."""
    if s.type == "if_statement" and s.child_by_field_name("initializer") is None and s.child_by_field_name("alternative") is None:
        cond = a.unparen(s.child_by_field_name("condition"))
        if cond.type != "unary_expression" or sf.text(cond.child_by_field_name("operator")) != "!":
            return False
        return _is_no_error(sf, a.unparen(cond.child_by_field_name("operand")), err, fatal=False) and _terminating(
            sf, s.child_by_field_name("consequence"))
    call = a.unparen(s.named_children[0]) if s.type == "expression_statement" and s.named_children else None
    return call is not None and _is_no_error(sf, call, err, fatal=True)


def _if_no_error(sf: SourceFile, s: Node, err: str) -> bool:
    """``if assert.NoError(t, err) { ... }`` with no initializer: its consequence runs
    exactly when err is nil, as ``if err == nil`` does."""
    if s.type != "if_statement" or s.child_by_field_name("initializer") is not None:
        return False
    cond = a.unparen(s.child_by_field_name("condition"))
    return cond.type == "call_expression" and _is_no_error(sf, cond, err, fatal=False)


def _if_error(sf: SourceFile, s: Node, err: str) -> bool:
    """``if assert.Error(t, err) { ... }`` (or ``ErrorIs``, ``ErrorContains``...): testify's
    assert returns true only when err is set, so the consequence runs only when the request
    failed (sftpgo's TLS test closes the body in the else)."""
    cond = a.unparen(s.child_by_field_name("condition")) if s.type == "if_statement" else None
    c = a.callee(sf, cond) if cond is not None and cond.type == "call_expression" else None
    return (c is not None and c[0] == _TESTIFY[1] and c[1] in _ERROR_ASSERTIONS
            and any(sf.text(x) == err for x in a.arguments(cond)))


def _is_no_error(sf: SourceFile, call: Node, err: str, fatal: bool) -> bool:
    """``X.NoError(..., err)``: require's (it stops the test) when ``fatal``, else assert's
    or require's."""
    m = a.method_call(sf, call) if call.type == "call_expression" else None
    if m is None or m[1] not in _NO_ERROR_ASSERTIONS or not any(sf.text(x) == err for x in a.arguments(call)):
        return False
    pkg = sf.imports.get(sf.text(m[0])) if m[0].type == "identifier" else None
    if pkg is not None:
        return pkg == _TESTIFY[0] or (not fatal and pkg in _TESTIFY)
    # r := require.New(t)
    values = [v for d in a.of_type(a.enclosing_function(call), "short_var_declaration")
              if [sf.text(n) for n in a.left_names(d)] == [sf.text(m[0])]
              for v in d.child_by_field_name("right").named_children]
    return any(a.is_call_to(sf, v, _TESTIFY[0], ("New",)) or (not fatal and a.is_call_to(sf, v, _TESTIFY[1], ("New",)))
               for v in values)


def _success_branch(if_stmt: Node | None, checks_err) -> Node | None:
    """The block of ``if err == nil { ... }``, or the else block of ``if err != nil``."""
    if if_stmt is None:
        return None
    if checks_err(if_stmt, "=="):
        return if_stmt.child_by_field_name("consequence")
    alt = if_stmt.child_by_field_name("alternative")
    return alt if checks_err(if_stmt, "!=") and alt is not None and alt.type == "block" else None


def _with_close_moved(sf: SourceFile, err_check: Node, closes: list[Node], text: str, insert):
    """``insert`` (``text`` after the error check), with the one existing ``text`` later in
    the same block, which an early return skips, moved there. None when the body is also
    closed some other way: where a second close belongs needs a person."""
    if not closes:
        return (insert,)
    if len(closes) != 1 or closes[0].parent != err_check.parent or sf.text(closes[0]) != text:
        return None
    remove = delete_line(sf, closes[0])
    return (insert, remove) if remove is not None else None


RULE = Rule(
    name="response-body-not-closed",
    summary="an *http.Response body is not closed on every path -> defer resp.Body.Close()",
    doc=DOC,
    run=check,
    triggers=(b"net/http",),
    linters=("bodyclose",),  # golangci-lint's bodyclose reports the same unclosed body
)
