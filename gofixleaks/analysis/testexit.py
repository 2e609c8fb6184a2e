"""Test failures: whether test code (a ``_test.go`` file, a function taking a
``*testing.T``) runs only in a run that has already failed (a select case or a return that
follows ``t.Fatal``, ``t.Errorf``, ``require.Fail``, Ginkgo's ``Fail``, or a false testify
``assert``). A goroutine left blocked then is not a leak anyone fixes: the failed test is,
unless the test package checks for leaked goroutines (``checks_leaks``): then it fails that
check too, and the tests after it."""

from __future__ import annotations

from tree_sitter import Node

from ..source import SourceFile
from .syntax import FUNCTION_TYPES, ancestors, arguments, body, callee, method_call, of_type, statements, unparen

_FAILS = ("Fatal", "Fatalf", "FailNow", "Fail", "Failf")  # on any receiver: t, s.T(), require
_REPORTS = ("Error", "Errorf")  # only on a test's own t, b or tb, or a suite's T()
_ASSERT = "/testify/assert"  # its functions return false when they fail the test
_REQUIRE = "/testify/require"  # its functions stop the test's goroutine when they fail it
_STOPS = ("Fatal", "Fatalf", "FailNow")  # testing.TB's, on a value: they end the goroutine


_TESTING_TYPES = ("*testing.T", "*testing.B", "testing.TB")

# Goroutine-leak checks a test package runs around its tests, by the import path's last
# element and the names used from it (None: any): uber-go/goleak; grpc's leakcheck and the
# grpctest.Tester whose Teardown runs it; etcd's testutil leak detection (TestMain and
# per-test). A goroutine a failed test strands fails these checks as well; not goleak's
# `VerifyNone(t, goleak.IgnoreCurrent())`, which ignores every goroutine alive when it starts,
# those of earlier tests included (sarama's tests).
_LEAK_CHECKS = (
    ("goleak", ("VerifyTestMain", "VerifyNone", "Find")),
    ("leakcheck", None),
    ("grpctest", ("Tester", "RunSubTests")),
    ("testutil", ("MustTestMainWithLeakDetection", "RegisterLeakDetection", "AfterTest", "CheckLeakedGoroutine")),
)


def checks_leaks(sf: SourceFile) -> bool:
    """Whether the test file ``sf`` runs a goroutine-leak check (see _LEAK_CHECKS)."""
    if not sf.path.endswith("_test.go"):
        return False
    wanted = {alias: names for alias, path in sf.imports.items() for last, names in _LEAK_CHECKS
              if path.rsplit("/", 1)[-1] == last}
    if not wanted:
        return False
    for sel in of_type(sf.root, "selector_expression", "qualified_type"):
        operand = sel.child_by_field_name("operand" if sel.type == "selector_expression" else "package")
        field = sel.child_by_field_name("field" if sel.type == "selector_expression" else "name")
        if operand is not None and field is not None and sf.text(operand) in wanted and (
                wanted[sf.text(operand)] is None or sf.text(field) in wanted[sf.text(operand)]) and not _ignores_current(sf, sel):
            return True
    return False


def _ignores_current(sf: SourceFile, sel: Node) -> bool:
    """Whether ``sel`` is called with an ``IgnoreCurrent()`` option: the check sees only
    goroutines started after it, not those an earlier failed test stranded."""
    call = sel.parent
    return call is not None and call.type == "call_expression" and any(
        "IgnoreCurrent" in sf.text(x) for x in arguments(call))


def in_test(sf: SourceFile, node: Node) -> bool:
    """Whether ``node`` is test code: in a ``_test.go`` file, or in a function that takes a
    ``*testing.T``, ``*testing.B`` or ``testing.TB`` (an integration suite's steps, helpers in
    a test framework package): it runs only inside a test binary, where a failed assertion
    fails the run."""
    if sf.path.endswith("_test.go"):
        return True
    for fn in ancestors(node):
        params = fn.child_by_field_name("parameters") if fn.type in FUNCTION_TYPES else None
        if params is not None and any(
                sf.text(p.child_by_field_name("type")).replace(" ", "") in _TESTING_TYPES
                for p in params.named_children if p.child_by_field_name("type") is not None):
            return True
        if params is not None and _marks_helper(sf, fn):
            return True
    return False


def _marks_helper(sf: SourceFile, fn: Node) -> bool:
    """Whether ``fn``'s body calls ``x.Helper()`` as a statement of its own, as a test helper
    does with the ``testing.TB`` it keeps in a field (k6's browser test harness:
    ``b.t.Helper()``)."""
    for st in statements(body(fn)):
        call = st.named_children[0] if st.type == "expression_statement" and st.named_children else None
        m = method_call(sf, call) if call is not None and call.type == "call_expression" else None
        if m is not None and m[1] == "Helper" and not arguments(call):
            return True
    return False


def fails_test(sf: SourceFile, node: Node) -> bool:
    """Whether ``node`` (a select case, a statement) calls something that fails the test
    somewhere in it (``t.Fatal``, ``t.Errorf``, ``s.T().Fatal``, ``require.Fail``, ``Fail``)."""
    return in_test(sf, node) and any(_is_failure(sf, c) for c in of_type(node, "call_expression", skip_functions=True))


def always_fails(sf: SourceFile, stmts: list[Node]) -> bool:
    """Whether one of ``stmts`` (a block's, in test code) is itself a call that fails the
    test: past them, the run has failed (a failure inside an ``if`` does not count)."""
    for s in stmts if stmts and in_test(sf, stmts[0]) else ():
        call = unparen(s.named_children[0]) if s.type == "expression_statement" and s.named_children else None
        if call is not None and call.type == "call_expression" and _is_failure(sf, call):
            return True
    return False


def exit_after_failure(sf: SourceFile, exit: Node) -> bool:
    """Whether ``exit`` (a return or break of test code) is reached only once the
    test has failed: an earlier statement of its own block is a call that fails it
    (``t.Errorf(...); return``), or its block runs only when a testify assert was false
    (``if !assert.NoError(t, err) { return }``)."""
    if not in_test(sf, exit) or exit.parent is None or exit.parent.type != "statement_list":
        return False
    if always_fails(sf, [s for s in exit.parent.named_children if s.end_byte <= exit.start_byte]):
        return True
    block = exit.parent.parent
    branch = block.parent if block is not None else None
    if branch is None or branch.type != "if_statement" or branch.child_by_field_name("consequence") != block:
        return False
    cond = unparen(branch.child_by_field_name("condition"))
    if cond.type != "unary_expression" or sf.text(cond.child_by_field_name("operator")) != "!":
        return False
    call = unparen(cond.child_by_field_name("operand"))
    c = callee(sf, call) if call.type == "call_expression" else None
    return c is not None and c[0] is not None and c[0].endswith(_ASSERT)


def stops_test(sf: SourceFile, stmt: Node) -> bool:
    """Whether statement ``stmt`` of test code is a call that ends the test's goroutine
    when the test fails (``runtime.Goexit`` under ``FailNow``): ``t.Fatal``, ``t.Fatalf``,
    ``t.FailNow``, ``s.T().Fatal`` on a value, or any function of testify's ``require``
    (``require.NoError(t, err)``). Not ``t.Fail`` or testify's ``assert``: they go on."""
    call = unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    if call is None or call.type != "call_expression" or not in_test(sf, stmt):
        return False
    c = callee(sf, call)
    if c is not None:
        return c[0] is not None and c[0].endswith(_REQUIRE)
    m = method_call(sf, call)
    return m is not None and m[1] in _STOPS


_ERROR_ASSERTIONS = ("Error", "Errorf", "NotNil", "NotNilf", "ErrorIs", "ErrorContains", "ErrorAs", "EqualError")


def asserts_error(sf: SourceFile, s: Node, err: str) -> bool:
    """``require.Error(t, err)``, ``assert.ErrorIs(t, err, x)``, ``test.NotNil(t, err)``: an
    assertion (a call on a package or value, with err among its arguments) that err is set,
    so that in a passing run it is."""
    call = unparen(s.named_children[0]) if s.type == "expression_statement" and s.named_children else None
    m = method_call(sf, call) if call is not None and call.type == "call_expression" else None
    args = arguments(call) if m is not None else []
    return m is not None and m[1] in _ERROR_ASSERTIONS and len(args) >= 2 and any(sf.text(x) == err for x in args)


def _is_failure(sf: SourceFile, call: Node) -> bool:
    fn = call.child_by_field_name("function")
    if fn.type == "identifier":
        return sf.text(fn) in ("Fail", "Failf")
    if fn.type != "selector_expression":
        return False
    method, operand = sf.text(fn.child_by_field_name("field")), sf.text(fn.child_by_field_name("operand"))
    return method in _FAILS or (method in _REPORTS and (operand in ("t", "b", "tb") or operand.endswith(".T()")))
