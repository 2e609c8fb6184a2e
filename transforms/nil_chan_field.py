"""nil-chan-field: a channel field that no code of the package ever makes or assigns, used as if it were a channel."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
A receive (`<-x.f`), a send (`x.f <- v`) or a `for range x.f`, alone or as a case of a
`select` without a `default`, on a field `f` that a struct type of the package declares as
a channel,
where no file of the package (its tests included, package-level declarations included)
ever gives `f` a value: no `x.f = make(...)` or `x.f = ch` (any value but `nil`), no
`T{f: ...}`, no `&x.f`. Fields are matched by name, whatever their operand: a same-named
field filled in another type counts as filled.

## Why it leaks
The field is never anything but nil, and a nil channel blocks forever: a receive or send
on it never completes, a range over it never starts, and a `select` case on it never fires,
so a goroutine whose way out is that case runs on (and a `close` of it panics). The
usual cause is a constructor that forgets the `make`: frp's `XTCPProxy` declared `closeCh`
and closed it in `Close` (a panic, swallowed by a recover) but never made it, so the
goroutine its `Run` starts, waiting for `<-pxy.closeCh` to return, outlived every proxy
(fixed upstream by making it in `NewXTCPProxy`).

## When it is not reported
- the field is exported (another package may fill it) or not declared a channel field of
  a struct type of the package;
- some file of the package gives it a value other than nil, or takes its address (a
  function filling it through the pointer cannot be followed);
- a type declaring it is built without keys somewhere in the package (`T{a, b}`, or
  `[]T{{a, b}}`), which fills fields unnamed, or a literal without keys has a type that
  cannot be told (an element of a named slice type);
- a `select` with a `default` (the case is dead code, nothing waits) and `close(x.f)` (it
  panics, it does not wait);
- test files (`_test.go`).

## The fix
None: whether the channel should be made where the type is built (and by which
constructor, with which buffer) or the case is dead code is for a person to say.
"""


def run(p: Pass) -> None:
    facts = p.package
    if facts is None or "*" in facts.positional:
        return
    sf = p.file
    declared: dict[str, set[str]] = {}
    for typ, field, kind in facts.fields:
        if kind in ("chan", "signal") and field[:1].islower():
            declared.setdefault(field, set()).add(typ)
    unfilled = {f: types for f, types in declared.items() if f not in facts.filled and not types & facts.positional}
    if not unfilled:
        return
    for node in a.of_type(sf.root, "unary_expression", "send_statement", "range_clause"):
        found = _operation(sf, node)
        if found is None:
            continue
        sel, what = found
        field = sf.text(sel.child_by_field_name("field"))
        if field not in unfilled:
            continue
        types = " or ".join(sorted(unfilled[field]))
        p.report(node, f"{sf.text(sel)} is always nil: no code of the package makes or assigns field {field} of {types}, "
                       f"so {what}", notes=["make the channel where the value is built, or drop the dead operation"])


def _operation(sf, node: Node) -> tuple[Node, str] | None:
    """(the ``x.f`` selector, why it waits forever) for a receive, send or range on a field
    that blocks on a nil channel: a select with a default does not (its case is dead code,
    not a leak), and neither does ``close`` (it panics)."""
    if node.type == "unary_expression":
        if sf.text(node.child_by_field_name("operator")) != "<-":
            return None
        chan, case = node.child_by_field_name("operand"), node.parent
        while case is not None and case.type in ("expression_list", "receive_statement", "parenthesized_expression"):
            case = case.parent
    elif node.type == "send_statement":
        chan, case = node.child_by_field_name("channel"), node.parent
    else:
        chan, case = node.child_by_field_name("right"), None
    if case is not None and case.type == "communication_case":
        if any(c.type == "default_case" for c in case.parent.named_children):
            return None
        what = "this select case never fires: the select waits on its other cases alone"
    else:
        what = {"unary_expression": "the receive", "send_statement": "the send"}.get(node.type, "the range") + " blocks forever"
    chan = a.unparen(chan) if chan is not None else None
    return (chan, what) if chan is not None and chan.type == "selector_expression" else None


RULE = Rule(
    name="nil-chan-field",
    summary="a channel field that no code of the package makes or assigns: always nil, so it blocks forever (report only)",
    doc=DOC,
    run=run,
    triggers=(b"<-", b"range"),
    skips_tests=True,
    needs_package=True,
    fixes=False,
    example="never-made",
)
