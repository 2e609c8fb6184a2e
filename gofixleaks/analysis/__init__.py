"""Shared facts over Go syntax trees, so rules ask questions instead of walking trees.

- ``syntax``: walking, node lookups, calls, goroutine and deferred literals, what a
  function sends on, closes and calls;
- ``bindings``: local names, their references (shadowing respected), how each use treats
  a value, fresh names;
- ``flow``: loops, jumps, whether a statement runs on every path, whether every exit of a
  region passes a release;
- ``cancellation``: the contexts and done channels in scope at a point;
- ``lifetime``: what happens to a local resource after it is made;
- ``cfg``: statement-level control-flow graphs of function bodies;
- ``handles``: a cancel func's or timer's lifecycle along every path (released, handed
  on, overwritten, dropped), and what functions do with handles (return, borrow);
- ``values``: what kind of value an expression holds (channel, count, collection);
- ``testexit``: whether test code runs only once the test has failed.

Rules import the package (``from gofixleaks import analysis as a``) and ask through it.
"""

from .bindings import (
    Binding,
    Use,
    assignments,
    binding_of,
    classify,
    declares,
    defined_value,
    defined_values,
    escapes,
    free_name,
    left_names,
    local_binding,
    local_declaration,
    names_in,
    package_level_names,
    params_declare,
    references,
    root_of,
    specs,
    surely_local,
    tuple_binding,
    var_declaration_of,
)
from .cancellation import (
    CANCELLABLE,
    CANCELLED_BY_CALL,
    Cancellation,
    cancellation_in_scope,
    field_values,
    function_key,
    names_a_signal,
    never_cancelled,
    channel_element,
    never_done,
    outcome_of,
    never_given_a_live_one,
    param_index,
    passed_for,
    received_type,
    signal_kind,
    waits_on,
)
from .flow import (
    CASE_TYPES,
    break_target,
    Counter,
    breaks_out_of,
    closed_on_exit,
    counter,
    drained_result,
    ends_run,
    every_exit_passes,
    fixed_rounds,
    in_open_loop,
    exits_between,
    loop_breaks,
    loop_kind,
    loops_between,
    never_returns,
    nothing_after,
    runs_on_every_path,
)
from .cfg import EXIT, Graph, graph, own_parts
from .handles import (
    CONTEXT_PACKAGES,
    Drop,
    Lifecycle,
    Settled,
    Term,
    assigned_to,
    borrowed_params,
    callbacks,
    cancel_result,
    derived,
    duration_term,
    duration_value,
    error_return,
    failed_branch,
    escaping,
    field_reads,
    follow,
    foreign_wants,
    holders,
    is_after_func,
    package_durations,
    package_writes,
    parameter,
    releases_on_every_path,
    timer_fields,
)
from .lifetime import Lifetime, lifetime
from .syntax import (
    signal_notified,
    signal_ops,
    FUNCTION_TYPES,
    ancestors,
    arguments,
    body,
    by_position,
    flat,
    callee,
    calls_named,
    deferred_literal,
    enclosing,
    enclosing_function,
    enclosing_goroutine,
    following,
    functions,
    goroutine_literal,
    is_call_to,
    is_receive,
    is_within,
    method_call,
    of_type,
    receiver_name,
    sole_goroutine,
    statement_of,
    statements,
    unparen,
    walk,
)
from .testexit import always_fails, asserts_error, checks_leaks, exit_after_failure, fails_test, in_test, stops_test
from .values import INT_TYPES, type_kind, value_kind

__all__ = [name for name in dir() if not name.startswith("_")]
