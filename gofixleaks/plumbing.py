"""Context plumbing: make a goroutine stoppable when no cancellation signal is in scope.

Phase 1 (per file, in the workers): for each function with a `go` statement and no ctx or
done channel in scope, ask the plumbable rules what they would fix if the function had a
`ctx context.Context` parameter. Fixes that then watch `ctx.Done()` make it a Candidate.

Phase 2 (per module, here): index the module's declarations and call sites, decide for
each candidate whether the parameter can be added safely (not main/init/a test, not
exported unless allowed, not an interface method, every reference a call resolved with
certainty), and build a Plan: which functions get the parameter and which calls pass a
context (the caller's own, or `context.TODO()`, listed as a follow-up). The engine then
re-fixes the touched files with the plan, so every edit lands through the same fixed-point
machinery as any other fix.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from . import analysis as a
from . import gomod
from .discover import Target, discover, display_path, package_files
from .edits import Fix, TextEdit
from .model.signals import request_context, test_context
from .rule import Finding
from .source import SourceError, SourceFile, read_regular

_SPECIAL = ("main", "init")
_TEST_PREFIXES = ("Test", "Benchmark", "Example", "Fuzz")


@dataclass(frozen=True)
class Candidate:
    path: str  # absolute path of the file declaring the function
    func: tuple[str, str]  # (name, receiver type)
    ctx_name: str
    findings: tuple[Finding, ...]  # what the rules report once the function has a ctx
    # a caller with a request may pass ``r.Context()`` (Rule.request_context of every rule
    # among the findings)
    request_context: bool = False
    test_context: bool = False  # a caller in a test may pass ``t.Context()`` (Rule.test_context, likewise)
    exchange: bool = False  # a ctx its caller cancels itself is not passed (Rule.exchange of any rule)


@dataclass(frozen=True)
class CallSite:
    path: str  # absolute path of the calling file
    callee: str  # the call's function text (`startWorker`, `w.Start`, `worker.Run`)
    ordinal: int  # among calls with that text in the file, in source order
    line: int
    ctx_expr: str  # what the call passes
    func: tuple[str, str]
    decl: str  # absolute path of the file declaring the function
    rule: str
    caller: str = ""  # the function making the call ("" at package level)
    real: bool = False  # ctx_expr can be cancelled (not TODO, not a local Background)


@dataclass(frozen=True)
class Plan:
    functions: tuple[tuple[str, tuple[str, str], str, str], ...] = ()  # (package dir, key, ctx name, rule)
    calls: tuple[CallSite, ...] = ()


# ---------------------------------------------------------------------------- phase 1


def candidates(sf: SourceFile, abspath: str, rules, match_rules) -> list[Candidate]:
    """Functions of ``sf`` whose goroutines a plumbable rule could stop, given a ctx.
    ``match_rules(sf, rules, assumed)`` runs rules as if the functions named in ``assumed``
    had a ctx parameter of the given name."""
    plumbable = [r for r in rules if r.plumbable]
    if not plumbable or b"go " not in sf.data:
        return []
    # every function at once: one speculative run, findings attributed by position
    wanting: dict[tuple[str, str], tuple[Node, str]] = {}
    for fn in sf.root.named_children:
        key = a.function_key(sf, fn)
        if key is None or key in wanting or a.body(fn) is None:
            continue
        if next(a.of_type(fn, "go_statement"), None) is None or a.cancellation_in_scope(sf, a.body(fn)):
            continue
        wanting[key] = (fn, a.free_name(sf, fn, "ctx"))
    if not wanting:
        return []
    found = sorted(match_rules(sf, plumbable, {key: ctx for key, (_, ctx) in wanting.items()}), key=lambda f: f.start)
    starts = [f.start for f in found]
    out = []
    for key, (fn, ctx) in wanting.items():
        done = f"{ctx}.Done()".encode()
        inside = found[bisect.bisect_left(starts, fn.start_byte) : bisect.bisect_left(starts, fn.end_byte)]
        uses_ctx = [f for f in inside if f.fixes and any(done in e.new for e in f.fixes[0].edits)]
        if uses_ctx:
            asking = [r for r in plumbable if any(f.rule == r.name for f in uses_ctx)]
            out.append(Candidate(abspath, key, ctx, tuple(uses_ctx), all(r.request_context for r in asking),
                                 all(r.test_context for r in asking), any(r.exchange for r in asking)))
    return out


# ---------------------------------------------------------------------------- phase 1 with a plan


def touches(abspath: str, plan: Plan) -> bool:
    here = os.path.dirname(abspath)
    return any(c.path == abspath for c in plan.calls) or any(pkg == here for pkg, *_ in plan.functions)


def assumed_for(abspath: str, plan: Plan) -> dict[tuple[str, str], str]:
    here = os.path.dirname(abspath)
    return {key: ctx for pkg, key, ctx, _ in plan.functions if pkg == here}


def plan_findings(sf: SourceFile, abspath: str, plan: Plan) -> list[Finding]:
    """The signature and call-site edits the plan asks of this file, as findings with fixes
    (idempotent: an edit already made is not asked again)."""
    out = []
    here = os.path.dirname(abspath)
    for pkg, key, ctx, rule in plan.functions:
        if pkg != here:
            continue
        for fn in sf.root.named_children:
            if a.function_key(sf, fn) == key:
                f = _signature_finding(sf, fn, key, ctx, rule)
                if f is not None:
                    out.append(f)
    sites = [c for c in plan.calls if c.path == abspath]
    if sites:
        calls_by_text: dict[str, list[Node]] = {}
        for call in a.of_type(sf.root, "call_expression"):
            fn = call.child_by_field_name("function")
            if fn is not None:
                calls_by_text.setdefault(sf.text(fn), []).append(call)
        for site in sites:
            calls = calls_by_text.get(site.callee, [])
            if site.ordinal < len(calls):
                f = _call_finding(sf, calls[site.ordinal], site)
                if f is not None:
                    out.append(f)
    return out


def _signature_finding(sf: SourceFile, fn: Node, key, ctx: str, rule: str) -> Finding | None:
    params = fn.child_by_field_name("parameters")
    existing = [p for p in params.named_children if p.type in ("parameter_declaration", "variadic_parameter_declaration")]
    if existing and sf.text(existing[0]).replace(" ", "") == f"{ctx}context.Context":
        return None
    text = f"{ctx} context.Context" + (", " if existing else "")
    edit = TextEdit(params.start_byte + 1, params.start_byte + 1, text.encode())
    name = _display(key)
    fix = Fix(f"add `{ctx} context.Context` as the first parameter of {name}", (edit,), ("context",))
    message = f"{name} gets a context so its goroutine can stop (context plumbing)"
    return Finding.at(sf, fn.child_by_field_name("name"), rule, "info", message, (fix,))


def _call_finding(sf: SourceFile, call: Node, site: CallSite) -> Finding | None:
    args = call.child_by_field_name("arguments")
    present = [x for x in args.named_children if x.type != "comment"]
    if present and sf.text(present[0]) == site.ctx_expr:
        return None
    text = site.ctx_expr + (", " if present else "")
    edit = TextEdit(args.start_byte + 1, args.start_byte + 1, text.encode())
    imports = ("context",) if site.ctx_expr == "context.TODO()" else ()
    follow = ()
    if imports:
        follow = (f"{sf.path}:{site.line}: passes context.TODO() to {_display(site.func)}; "
                  "give the caller a ctx to let it stop",)
    fix = Fix(f"pass {site.ctx_expr} to {_display(site.func)}", (edit,), imports, follow)
    message = f"call of {_display(site.func)} passes a context (context plumbing)"
    return Finding.at(sf, call, site.rule, "info", message, (fix,))


def _display(key: tuple[str, str]) -> str:
    name, recv = key
    return f"{recv}.{name}" if recv else name


# ---------------------------------------------------------------------------- phase 2


class _Module:
    """The Go files of one module, parsed on demand."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._all: list[Target] | None = None  # the module's files, listed when first needed
        self.files: dict[str, SourceFile | None] = {}  # abspath -> parsed (None: unusable)
        self.data: dict[str, bytes | None] = {}  # abspath -> bytes (None: unreadable)

    def _targets(self, directory: str | None) -> list[Target]:
        """The Go files of one package directory (cheap), or of the whole module."""
        if directory is not None:
            return package_files(directory)
        if self._all is None:
            self._all = discover((self.root,))
        return self._all

    def files_mentioning(self, name: str, directory: str | None) -> list[tuple[str, SourceFile]]:
        """Parsed files (of ``directory`` only, if given) whose bytes contain ``name``.
        Raises Refused when one of them cannot be read whole: a call in it would be missed."""
        out = []
        needle = name.encode()
        for t in self._targets(directory):
            data = self._bytes(t.path)
            if data is None or needle not in data:
                continue
            if t.path not in self.files:
                try:
                    self.files[t.path] = SourceFile.load(t.display, data)
                except SourceError:
                    self.files[t.path] = None
            sf = self.files[t.path]
            if sf is None or sf.unsupported is not None:
                raise Refused(f"{t.display} mentions {name} but cannot be parsed whole: a call in it would be missed")
            out.append((t.path, sf))
        return out

    def registers_cleanup(self, directory: str) -> bool:
        """Whether a test file of the package in ``directory`` registers a Cleanup function
        (``t.Cleanup(...)`` anywhere in it): Cleanup functions run after a test's context has
        ended, so one may need a goroutine that the context would have stopped."""
        return any(t.path.endswith("_test.go") and b".Cleanup(" in (self._bytes(t.path) or b"") for t in package_files(directory))

    def _bytes(self, path: str) -> bytes | None:
        if path not in self.data:
            try:
                self.data[path] = read_regular(path)
            except OSError:
                self.data[path] = None
        return self.data[path]


class Refused(Exception):
    """The parameter cannot be added safely; the message says why."""


def resolve(candidates: list[Candidate], plumb_exported: bool,
            not_editable: Callable[[str], str | None] = lambda path: None,
            go_version: tuple[int, int] | None = None) -> tuple[Plan, dict[Candidate, str]]:
    """Decide each candidate: into the plan, or refused with a reason. ``not_editable(path)``
    says why the run may not edit a file (None: it may): a function is plumbed only when
    every call of it lies in a file the run may edit, else half the change would be left
    out (a call of a generated, excluded or unread file keeps the old signature).
    ``go_version``: the run's override of the modules' Go versions (--go-version)."""
    modules: dict[str, _Module] = {}
    functions, calls, refused = [], [], {}
    for cand in candidates:
        go_mod = gomod.find_go_mod(os.path.dirname(cand.path))
        if go_mod is None:
            refused[cand] = "no go.mod: the callers of the function cannot be known"
            continue
        root = os.path.dirname(go_mod)
        module = modules.setdefault(root, _Module(root))
        try:
            sites = _call_sites(module, cand, plumb_exported, go_version)
            _require_a_real_context(cand, sites)
        except Refused as e:
            refused[cand] = str(e)
            continue
        locked: dict[tuple[str, str], list[str]] = {}  # (file, why) -> lines of its calls
        for s in sites:
            why = not_editable(s.path)
            if why is not None:
                locked.setdefault((display_path(s.path), why), []).append(str(s.line))
        if locked:
            where = ", ".join(f"{path}:{','.join(lines)} ({why})" for (path, why), lines in locked.items())
            refused[cand] = f"calls in files this run does not edit: {where}"
            continue
        functions.append((os.path.dirname(cand.path), cand.func, cand.ctx_name, cand.findings[0].rule))
        calls += sites
    return Plan(tuple(functions), tuple(calls)), refused


def _require_a_real_context(cand: Candidate, sites: list[CallSite]) -> None:
    """Plumbing that would pass ``context.TODO()`` (or a context nothing cancels) at every
    call changes nothing at run time: it is no fix. Nor is one where only tests pass a
    real context while every other call passes ``context.TODO()``: the goroutine runs on as
    before wherever the program runs, and the change buys a test's hygiene with a TODO at
    each production call (evcc's `configureDatabase`: twelve commands, one test). An
    exported function (allowed by --plumb-exported) may get a real context from callers
    outside the module."""
    name = _display(cand.func)
    if cand.func[0][:1].isupper() and not sites:
        return
    if not sites:
        raise Refused(f"{name} is never called in the module: no caller would give it a context")
    production = [s for s in sites if not s.path.endswith("_test.go")]
    if any(s.real for s in production) or (not production and any(s.real for s in sites)):
        return
    if any(s.real for s in sites):
        raise Refused(
            f"only tests have a context to pass; every call outside them would pass context.TODO() and nothing "
            f"could stop it where the program runs: {name} is called from {_callers(production)}; a real ctx must "
            "come from those callers first"
        )
    raise Refused(
        f"no caller has a context to pass, so every call would pass context.TODO() and nothing could stop it: "
        f"{name} is called from {_callers(sites)}; a real ctx must come from their callers (a parameter, or a field "
        "set when the owner is made) first"
    )


def _callers(sites: list[CallSite]) -> str:
    return "; ".join(sorted({f"{s.caller or 'package level'} ({os.path.basename(s.path)}:{s.line})" for s in sites}))


def _call_sites(module: _Module, cand: Candidate, plumb_exported: bool, go_version: tuple[int, int] | None) -> list[CallSite]:
    name, recv = cand.func
    if not recv and name in _SPECIAL:
        raise Refused(f"{name} is called by the runtime; its signature is fixed")
    if cand.path.endswith("_test.go") and name.startswith(_TEST_PREFIXES):
        raise Refused(f"{name} is a test function; its signature is fixed")
    if name[:1].isupper() and not plumb_exported:
        raise Refused(f"{_display(cand.func)} is exported: callers outside the module cannot be updated (--plumb-exported allows it)")
    pkg_dir = os.path.dirname(cand.path)
    # an unexported name can only be referred to, or required by an interface, in its package
    files = module.files_mentioning(name, None if name[:1].isupper() else pkg_dir)
    decl_sf = module.files.get(cand.path)
    if decl_sf is None:
        raise Refused("the declaring file could not be read")
    pkg_name = decl_sf.package_name
    import_path = gomod.package_path(cand.path)
    if recv:
        for _, sf in files:
            for iface in a.of_type(sf.root, "interface_type"):
                for m in iface.named_children:
                    m_name = m.child_by_field_name("name")
                    if m_name is not None and sf.text(m_name) == name:
                        line = sf.line_col(m.start_byte)[0]
                        raise Refused(f"{_display(cand.func)} may implement the interface method at {sf.path}:{line}")
    # an exchange the new ctx may end: safe for any caller only when the goroutine then
    # closes the channel, so that a caller still receiving is released
    exchange_unsafe = cand.exchange and not _releases_its_reader(decl_sf, cand)
    sites: list[CallSite] = []
    for path, sf in files:
        same_pkg = os.path.dirname(path) == pkg_dir and sf.package_name == pkg_name
        # a test may pass t.Context() (Go 1.24), unless a Cleanup could need what it stops
        tests = (path.endswith("_test.go") and gomod.resolve(path, go_version).version >= (1, 24)
                 and not module.registers_cleanup(os.path.dirname(path)))
        counts: dict[str, int] = {}
        ordinals: dict[int, int] = {}
        for call in a.of_type(sf.root, "call_expression"):
            fn = call.child_by_field_name("function")
            if fn is not None:
                text = sf.text(fn)
                ordinals[call.start_byte] = counts.get(text, 0)
                counts[text] = ordinals[call.start_byte] + 1
        for ident in a.of_type(sf.root, "identifier", "field_identifier"):
            if sf.text(ident) != name:
                continue
            ref = _reference(sf, ident, cand, same_pkg, import_path, pkg_dir, path)
            if ref is None:
                continue
            call = ref.parent
            if _blank_assignment(sf, ref):
                continue  # `var _ = f` keeps f "used"; it compiles whatever f's parameters
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != ref:
                line = sf.line_col(ident.start_byte)[0]
                raise Refused(f"{_display(cand.func)} is used as a function value at {sf.path}:{line}")
            ctx, real = _caller_ctx(sf, call, cand, path, tests, exchange_unsafe)
            caller = a.enclosing(call, "function_declaration", "method_declaration")
            key = a.function_key(sf, caller) if caller is not None else None
            sites.append(
                CallSite(path, sf.text(ref), ordinals[call.start_byte], sf.line_col(call.start_byte)[0],
                         ctx, cand.func, cand.path, cand.findings[0].rule, _display(key) if key else "", real)
            )
    return sites


def _blank_assignment(sf: SourceFile, ref: Node) -> bool:
    """``ref`` is the value of ``var _ = f`` or ``_ = f``."""
    values = ref.parent
    holder = values.parent if values is not None and values.type == "expression_list" else None
    if holder is None or holder.type not in ("var_spec", "assignment_statement") or values.named_children != [ref]:
        return False
    if holder.type == "assignment_statement" and holder.child_by_field_name("right") != values:
        return False
    names = holder.children_by_field_name("name") if holder.type == "var_spec" else a.left_names(holder)
    return [sf.text(n) for n in names] == ["_"]


def _reference(sf, ident: Node, cand: Candidate, same_pkg: bool, import_path, pkg_dir: str, path: str) -> Node | None:
    """The expression that refers to the candidate (``F`` or ``x.F``), or None."""
    name, recv = cand.func
    parent = ident.parent
    if ident.type == "identifier":
        if recv or not same_pkg or parent is None:
            return None
        if parent.type in ("function_declaration", "method_declaration") and parent.child_by_field_name("name") == ident:
            return None
        if _shadowed(sf, ident, name):
            return None
        return ident
    # field_identifier: x.F
    if parent is None or parent.type != "selector_expression":
        return None
    operand = parent.child_by_field_name("operand")
    if not recv:
        if operand.type == "identifier" and import_path and sf.imports.get(sf.text(operand)) == import_path and not same_pkg:
            return parent
        return None
    typ = _type_of(sf, operand, pkg_dir if same_pkg else None)
    if typ is None:
        line = sf.line_col(ident.start_byte)[0]
        raise Refused(f"cannot tell the type of `{sf.text(operand)}` in the call at {sf.path}:{line}")
    pkg, tname = typ
    local = pkg is None and same_pkg
    qualified = pkg is not None and pkg == import_path
    return parent if tname == recv and (local or qualified) else None


def _shadowed(sf, ident: Node, name: str) -> bool:
    """A local or parameter of that name hides the package-level function."""
    fn = a.enclosing(ident, "function_declaration", "method_declaration")
    if fn is None:
        return False
    for d in a.of_type(fn, "short_var_declaration", "var_spec", "parameter_declaration"):
        names = d.children_by_field_name("name") or (
            d.child_by_field_name("left").named_children if d.child_by_field_name("left") is not None else []
        )
        if any(sf.text(n) == name for n in names):
            return True
    return False


def _type_of(sf, operand: Node, pkg_dir: str | None) -> tuple[str | None, str] | None:
    """(import path or None for this package, type name) of a method call's operand."""
    operand = a.unparen(operand)
    if operand.type == "unary_expression":
        operand = operand.child_by_field_name("operand")
    if operand.type == "composite_literal":
        return _named(sf, operand.child_by_field_name("type"))
    if operand.type != "identifier":
        return None
    name = sf.text(operand)
    for fn in a.ancestors(operand):
        if fn.type not in a.FUNCTION_TYPES:
            continue
        for field_name in ("receiver", "parameters"):
            plist = fn.child_by_field_name(field_name)
            for p in a.of_type(plist, "parameter_declaration") if plist is not None else ():
                if any(sf.text(n) == name for n in p.children_by_field_name("name")):
                    return _named(sf, p.child_by_field_name("type"))
        b = a.body(fn)
        for d in a.of_type(b, "short_var_declaration", "var_spec", skip_functions=True) if b is not None else ():
            if d.start_byte > operand.start_byte:
                continue
            if d.type == "var_spec":
                names = [sf.text(n) for n in d.children_by_field_name("name")]
                if name in names and d.child_by_field_name("type") is not None:
                    return _named(sf, d.child_by_field_name("type"))
                values = d.child_by_field_name("value")
            else:
                names = [sf.text(n) for n in d.child_by_field_name("left").named_children]
                values = d.child_by_field_name("right")
            if name not in names:
                continue
            if values is None or len(values.named_children) != len(names):
                return None
            value = a.unparen(values.named_children[names.index(name)])
            if value.type == "unary_expression":
                value = value.child_by_field_name("operand")
            return _named(sf, value.child_by_field_name("type")) if value.type == "composite_literal" else None
    return None


def _named(sf, typ: Node | None) -> tuple[str | None, str] | None:
    if typ is None:
        return None
    if typ.type in ("pointer_type",):
        typ = typ.named_children[0] if typ.named_children else None
        if typ is None:
            return None
    if typ.type == "generic_type":
        typ = typ.child_by_field_name("type")
    if typ.type == "type_identifier":
        return None, sf.text(typ)
    if typ.type == "qualified_type":
        path = sf.imports.get(sf.text(typ.child_by_field_name("package")))
        return (path, sf.text(typ.child_by_field_name("name"))) if path else None
    return None


def _releases_its_reader(sf: SourceFile, cand: Candidate) -> bool:
    """Whether every fix of ``cand`` makes a goroutine return from a send on a channel it
    closes when it returns (``defer close(ch)`` in its body): a caller that still receives
    after the ctx ended gets the zero value (or its range ends) instead of waiting forever.
    Receives (whose partner is a sender) and other channels do not qualify."""
    for f in cand.findings:
        stmt = sf.root.named_descendant_for_byte_range(f.start, f.end)
        while stmt is not None and stmt.start_byte == f.start and stmt.type != "send_statement":
            stmt = stmt.parent
        if stmt is None or stmt.type != "send_statement":
            return False
        chan = sf.text(stmt.child_by_field_name("channel"))
        fn = a.enclosing_function(stmt)
        if not any(
            d.type == "defer_statement" and sf.text(d).replace(" ", "") == f"deferclose({chan})"
            for d in a.statements(a.body(fn))
        ):
            return False
    return True


def _stops_waiting(sf, call: Node, ctx: str) -> bool:
    """Whether the caller stops waiting on what ``call`` returns once ``ctx`` ends: it drops
    the value (``f(...)``, ``_ = f(...)``), or receives from it only as a select case beside
    one on ``<-ctx.Done()``. A plain ``<-ch``, a range, or the value handed on: it may still
    wait after ``ctx`` ended."""
    parent = call.parent
    if parent.type == "expression_statement":
        return True
    if a.is_receive(sf, parent):
        return _beside_done(sf, parent, ctx)
    stmt = parent.parent if parent.type == "expression_list" else None
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement") or stmt.child_by_field_name("right") != parent:
        return False
    if len(parent.named_children) != 1:
        return False
    for name in a.left_names(stmt):
        if sf.text(name) == "_":
            continue
        binding = a.binding_of(sf, name)
        if binding is None:
            return False
        for ref in a.references(sf, binding):
            if ref.parent is None or not (a.is_receive(sf, ref.parent) and _beside_done(sf, ref.parent, ctx)):
                return False
    return True


def _beside_done(sf, recv: Node, ctx: str) -> bool:
    """Whether receive ``recv`` is the communication of a select case that has a sibling
    case receiving ``<-ctx.Done()``."""
    stmt = recv.parent
    case = stmt.parent if stmt is not None and stmt.type == "receive_statement" else None
    if case is None or case.type != "communication_case" or case.parent is None:
        return False
    done = f"<-{ctx}.Done()"
    return any(
        c.type == "communication_case" and c.child_by_field_name("communication") is not None
        and sf.text(c.child_by_field_name("communication")).replace(" ", "") == done
        for c in case.parent.named_children if c != case
    )


def _caller_ctx(sf, call: Node, cand: Candidate, path: str, tests: bool, exchange_unsafe: bool) -> tuple[str, bool]:
    """What the call passes, and whether that context can really be cancelled. ``tests``:
    a test's own context may be passed; ``exchange_unsafe``: a context may be passed only
    where the caller stops waiting on the call's channel when it ends (see
    _releases_its_reader)."""
    fn = a.enclosing(call, "function_declaration", "method_declaration")
    if fn is not None and path == cand.path and a.function_key(sf, fn) == cand.func:
        return cand.ctx_name, False  # a recursive call passes the function's own ctx
    for c in a.cancellation_in_scope(sf, call):
        if c.kind == "context":
            if exchange_unsafe and not _stops_waiting(sf, call, c.name):
                return "context.TODO()", False  # the caller would wait on after its ctx ended: no hang
            return c.name, not a.never_cancelled(sf, c, call)
    request = request_context(sf, call) if cand.request_context else None
    if request is not None and not (exchange_unsafe and not _stops_waiting(sf, call, request)):
        return request, True
    test = test_context(sf, call) if tests and cand.test_context else None
    if test is not None:
        return test, True
    return "context.TODO()", False
