"""Targeted shape for a keyed-lock registry (a map of per-key mutexes behind one lock) whose
key is locked holding the registry lock its release needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit
from ...source import SourceFile
from ._base import (
    is_yield,
    lock_call,
    lock_key,
    named_call,
    struct_fields,
    used_elsewhere,
)

# ---------------------------------------------------------------------------- a keyed-lock registry


def registry_before_key(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.m[k].Lock()`` (or ``RLock``) on ``line``, taken holding the registry
    lock ``r.mu`` (``r`` for an embedded one) that its method locked before it, in its block,
    and releases right after it (nothing but ``runtime.Gosched()`` between), once an ``if``
    made the key's mutex where absent; or that registry Lock itself, where the others wait.
    The method returns holding the key's mutex, and the release needs the registry lock to
    find it: a holder waits for the registry lock while the registry's holder waits for the
    key's (hugo's issue 3211, GoBench's hugo3251). The key's mutex is read into a local under
    the registry lock, the registry lock is released, then the local is locked (hugo's later
    form). Only for a create-only registry: ``m`` maps to ``*sync.Mutex`` (or RWMutex), every
    write to it makes an absent key's mutex, nothing deletes from it, it is replaced only
    where nil or in a value being built, and no other file of the package names it, so the
    local is the mutex ``r.m[k]`` gives for good; the registry lock is the type's sync
    mutex, taken for writing; the method releases no key's mutex. A registry that deletes
    entries (containerd's kmutex counts its holders first) is left to a person; so is code
    between the key's Lock and the release (it would run without the registry lock)."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or blocked.parent.type != "statement_list":
        return None, None
    stretch = _keyed_stretch(sf, method, blocked)
    if stretch is None or isinstance(stretch, str):
        return None, stretch
    why = _not_sync(sf, method, stretch)
    ok, why = _created(sf, stretch) if why is None else ("", why)
    why = why or _not_create_only(sf, method, stretch, abspath)
    edit = _reordered(sf, method, stretch, ok) if why is None else why
    if isinstance(edit, str):
        return None, edit
    return Fix(f"lock {_plain(sf, stretch.slot)} after {sf.text(stretch.release)}: its holder needs {stretch.registry}'s lock "
               "to release it", (edit,)), None


@dataclass(frozen=True)
class _Stretch:
    """A keyed-lock registry's locked stretch: the registry's Lock, ..., the ``if`` that makes
    an absent key's mutex, the key's Lock, yields, the registry's release."""

    create: Node  # the if
    key_lock: Node  # r.m[k].Lock()
    yields: tuple[Node, ...]  # runtime.Gosched()
    release: Node  # r.mu.Unlock()
    registry: str  # "r.mu", "r" for an embedded mutex
    registry_key: str  # as lock_key gives it: ".mu", ""
    slot: Node  # r.m[k]
    field: str  # "m"


def _keyed_stretch(sf: SourceFile, method: Node, blocked: Node) -> _Stretch | str | None:
    """The stretch the blocked Lock opens (the registry's) or waits in (the key's), or why
    it does not qualify; None for a Lock of no such stretch."""
    recv = a.receiver_name(sf, method)
    code = [n for n in blocked.parent.named_children if n.type != "comment"]
    at = code.index(blocked)
    if _slot(sf, blocked, recv) is None:  # the registry's Lock, where the others wait: the key's Lock it holds
        key = lock_key(sf, blocked, method)
        release = next((n for n in code[at + 1:] if lock_key(sf, n, method) == key), None) if key is not None else None
        key_lock = next((n for n in code[at + 1:code.index(release) if release else len(code)] if _slot(sf, n, recv)), None)
        if key is None or "[" in key or key_lock is None:
            return None
        at = code.index(key_lock)
    # the receiver's lock held at the key's Lock: the last one taken or deferred before it in the block
    last = next((n for n in reversed(code[:at]) if (k := lock_key(sf, n, method)) is not None and "[" not in k), None)
    key = lock_key(sf, last, method) if last is not None else None
    deferred = last is not None and last.type == "defer_statement"
    registry = next((n for n in reversed(code[:code.index(last)]) if lock_key(sf, n, method) == key), None) if deferred else last
    if registry is None or not lock_call(sf, registry, ("Lock", "RLock")) or blocked not in (registry, code[at]):
        return None
    if named_call(sf, registry, "RLock"):
        return "the registry is only read-locked where the key's mutex is made: its writes need a person"
    if deferred:
        return "the registry lock is released by a defer, after the key's Lock: release it before that Lock by hand"
    release = next((n for n in code[at + 1:] if lock_key(sf, n, method) == key), None)
    if release is None or not named_call(sf, release, "Unlock"):
        return "the registry lock is not released after the key's Lock in its block: release it before that Lock by hand"
    yields = code[at + 1:code.index(release)]
    if not all(is_yield(sf, n) for n in yields):
        return "code runs between the key's Lock and the registry's release: it would run without the registry lock; move it by hand"
    for n in code[code.index(registry) + 1:at]:
        for x in a.of_type(n, "expression_statement", "defer_statement"):
            # a release before an early return leaves the stretch; any other touch changes what it holds
            if lock_key(sf, x, method) == key and not (named_call(sf, x, "Unlock") and any(
                    y.type == "return_statement" for y in a.following(x))):
                return "the registry lock is taken or released again before the key's Lock: reorder it by hand"
    slot = _slot(sf, code[at], recv)
    create = code[at - 1] if code.index(registry) < at - 1 else None
    if create is None or create.type != "if_statement":
        return "no `if` making an absent key's mutex right before the key's Lock: release the registry first by hand"
    return _Stretch(create, code[at], tuple(yields), release, recv + key, key, slot,
                    sf.text(slot.child_by_field_name("operand").child_by_field_name("field")))


def _slot(sf: SourceFile, stmt: Node, recv: str | None) -> Node | None:
    """``r.m[k]`` of the statement ``r.m[k].Lock()`` (or ``RLock``), ``r`` the receiver."""
    if not lock_call(sf, stmt, ("Lock", "RLock")):
        return None
    operand = a.unparen(a.method_call(sf, a.unparen(stmt.named_children[0]))[0])
    m = operand.child_by_field_name("operand") if operand.type == "index_expression" else None
    if m is None or m.type != "selector_expression" or sf.text(m.child_by_field_name("operand")) != recv:
        return None
    return operand


def _plain(sf: SourceFile, node: Node | None) -> str:
    return " ".join(sf.text(node).split()) if node is not None else ""


def _not_sync(sf: SourceFile, method: Node, st: _Stretch) -> str | None:
    """Why the registry may not be a map of sync mutexes behind a sync mutex of its type, or None."""
    type_name = a.function_key(sf, method)[1]
    fields = struct_fields(sf, type_name) or {}
    mutex = "(?:" + "|".join(re.escape(s) for s in sorted(sf.aliases("sync"))) + r")\.(?:RW)?Mutex"
    if not sf.aliases("sync") or not re.fullmatch(rf"map\[.+\] ?\*{mutex}", fields.get(st.field, "")):
        return f"{type_name}.{st.field} is not a map to *sync.Mutex: what its values' Lock does is out of view"
    lock_type = fields.get(st.registry_key[1:]) if st.registry_key else _embedded(sf, type_name)
    own = {sf.text(m.child_by_field_name("name")) for m in a.of_type(sf.root, "method_declaration")
           if (a.function_key(sf, m) or ("", ""))[1] == type_name}
    if lock_type is None or not re.fullmatch(rf"\*?{mutex}", lock_type) or not st.registry_key and own & {"Lock", "Unlock"}:
        return f"the registry lock is not a sync mutex of {type_name}: what its Lock does is out of view"
    return None


def _not_create_only(sf: SourceFile, method: Node, st: _Stretch, abspath: str) -> str | None:
    """Why the registry may not be create-only (a mutex read from it could be replaced once
    the lock is released, or be released by the method), or None."""
    if next(a.of_type(st.slot.child_by_field_name("index"), "call_expression", "unary_expression"), None) is not None:
        return "the key is computed by a call or a receive: it would be computed fewer times; rewrite it by hand"
    for n in a.of_type(method, "expression_statement", "defer_statement"):
        key = lock_key(sf, n, method)
        if key is not None and key.startswith(f".{st.field}[") and (
                n.type == "defer_statement" or named_call(sf, n, "Unlock") or named_call(sf, n, "RUnlock")):
            return "the method releases a key's mutex itself: whether the registry lock guards that needs a person"
    return _written(sf, st.field) or used_elsewhere(abspath, [rb"\." + st.field.encode() + rb"\b"])


def _embedded(sf: SourceFile, type_name: str) -> str | None:
    """The type of the mutex struct ``type_name`` embeds (its Lock is the struct's), or None."""
    for spec in a.of_type(sf.root, "type_spec"):
        if sf.text(spec.child_by_field_name("name")) == type_name:
            return next((sf.text(fd.child_by_field_name("type")) for fd in a.of_type(spec, "field_declaration")
                         if not fd.children_by_field_name("name") and sf.text(fd.child_by_field_name("type")).endswith("Mutex")), None)
    return None


def _written(sf: SourceFile, field: str) -> str | None:
    """Why a map in a field ``field`` (of whatever operand: the file's types are not told
    apart) may lose or change an entry: a write other than making an absent key's mutex, a
    delete or clear, the map replaced where it is not nil, or handed on; None when none."""
    for sel in a.of_type(sf.root, "selector_expression"):
        if sf.text(sel.child_by_field_name("field")) != field:
            continue
        node, line, text = _unwrapped(sel), sf.line_col(sel.start_byte)[0], _plain(sf, sel)
        use = a.classify(sf, node)
        if use.kind in ("field", "method", "deferred-method", "go-method", "called", "deferred-call", "go-call"):
            continue  # selected from or called: a struct or a method of that name, not a map
        if use.kind == "other" and use.detail == "index":
            entry = _unwrapped(node.parent)
            if a.classify(sf, entry).kind == "assigned" and not _creates_if_absent(sf, entry.parent.parent):
                return f"{text} is written other than where a key is absent (line {line}): a mutex read from it could be replaced"
        elif use.kind == "argument" and use.detail in ("delete", "clear"):
            return f"{text} loses entries ({use.detail}, line {line}): a mutex read from it may be made again for its key"
        elif use.kind == "argument" and use.detail != "len":
            return f"{text} is handed to {use.detail} (line {line}): what it does with it is out of view"
        elif use.kind == "assigned" and not (_nil_guarded(sf, node.parent.parent, text) or _constructed(
                sf, sel.child_by_field_name("operand"), node)):  # made where nil, or in a value being built
            return f"{text} is replaced (line {line}): a mutex read from it could be made again for its key"
        elif use.kind not in ("other", "assigned", "argument"):  # "other": compared with nil, ranged over
            return f"{text} escapes ({use.kind}, line {line}): what happens to its entries there is out of view"
    return None


def _unwrapped(node: Node) -> Node:
    """``node`` with the parentheses around it."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _constructed(sf: SourceFile, operand: Node, at: Node) -> bool:
    """``operand`` is a local made at ``at``'s function from ``&T{...}``, ``T{...}`` or ``new(T)``."""
    value = a.defined_value(sf, sf.text(operand), at) if operand.type == "identifier" else None
    value = a.unparen(value) if value is not None else None
    if value is not None and value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        value = a.unparen(value.child_by_field_name("operand"))
    return value is not None and (value.type == "composite_literal" or value.type == "call_expression"
                                  and a.callee(sf, value) == (None, "new"))


def _nil_guarded(sf: SourceFile, assign: Node, text: str) -> bool:
    """``assign`` runs only where the map ``text`` is nil: ``if text == nil { text = ... }``."""
    iff = a.enclosing(assign, "if_statement")
    cond = a.unparen(iff.child_by_field_name("condition")) if iff is not None else None
    return cond is not None and a.is_within(assign, iff.child_by_field_name("consequence")) and cond.type == "binary_expression" \
        and sf.text(cond.child_by_field_name("operator")) == "==" and {_plain(sf, c) for c in cond.named_children} == {text, "nil"}


def _creates_if_absent(sf: SourceFile, assign: Node) -> bool:
    """``r.m[k] = &sync.Mutex{}`` (or ``new(sync.Mutex)``, or a local just given one) in an
    ``if`` that tests ``r.m[k]`` absent."""
    left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
    if assign.type != "assignment_statement" or sf.text(assign.child_by_field_name("operator")) != "=" \
            or left.named_child_count != 1 or right.named_child_count != 1:
        return False
    block = assign.parent.parent if assign.parent.type == "statement_list" else None
    iff = block.parent if block is not None else None
    if iff is None or iff.type != "if_statement" or iff.child_by_field_name("consequence") != block:
        return False
    local = _absent(sf, iff, _plain(sf, left.named_children[0]))
    value = a.unparen(right.named_children[0])
    if local is None:
        return False
    if _fresh_mutex(sf, value):
        return True
    made = [n for n in a.statements(block) if n.end_byte <= assign.start_byte]  # `lock = &sync.Mutex{}` before it
    return value.type == "identifier" and sf.text(value) == local and any(
        n.type == "assignment_statement" and _plain(sf, n.child_by_field_name("left")) == local
        and _fresh_mutex(sf, a.unparen(n.child_by_field_name("right").named_children[0])) for n in made)


def _absent(sf: SourceFile, iff: Node, slot: str) -> str | None:
    """What the condition of ``iff`` tests ``slot`` absent through: "" for ``slot == nil``,
    the name of what ``v, ok := slot`` or ``v := slot`` (its initializer, or the statement
    before it) bound for ``!ok`` or ``v == nil`` ("_" where unnamed), or None."""
    cond = a.unparen(iff.child_by_field_name("condition"))
    before = iff.prev_named_sibling
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    binders = [s for s in (iff.child_by_field_name("initializer"), before) if s is not None
               and s.type in ("short_var_declaration", "assignment_statement") and _plain(sf, s.child_by_field_name("right")) == slot]
    bound = [[sf.text(n) for n in s.child_by_field_name("left").named_children] for s in binders]
    if cond.type == "unary_expression" and sf.text(cond.child_by_field_name("operator")) == "!":
        ok = sf.text(a.unparen(cond.child_by_field_name("operand")))
        return next((names[0] for names in bound if len(names) == 2 and names[1] == ok), None)
    if cond.type != "binary_expression" or sf.text(cond.child_by_field_name("operator")) != "==" \
            or "nil" not in (sides := [_plain(sf, c) for c in cond.named_children]):
        return None
    other = sides[0] if sides[1] == "nil" else sides[1]
    if other == slot:
        return ""
    return next((names[0] for names in bound if names[0] == other), None)


def _fresh_mutex(sf: SourceFile, value: Node) -> bool:
    """``&sync.Mutex{}`` or ``new(sync.Mutex)`` (or RWMutex)."""
    if value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        lit = a.unparen(value.child_by_field_name("operand"))
        typ, body = lit.child_by_field_name("type"), lit.child_by_field_name("body")
        made = typ if lit.type == "composite_literal" and body is not None and not body.named_children else None
    else:
        args = a.arguments(value) if value.type == "call_expression" and a.callee(sf, value) == (None, "new") else []
        made = args[0] if len(args) == 1 else None
    pkg = made.child_by_field_name("package") if made is not None and made.type == "qualified_type" else None
    return pkg is not None and sf.imports.get(sf.text(pkg)) == "sync" \
        and sf.text(made.child_by_field_name("name")) in ("Mutex", "RWMutex")


def _created(sf: SourceFile, st: _Stretch) -> tuple[str, str | None]:
    """The name the ``if`` before the key's Lock tests (``ok`` of ``if _, ok := r.m[k]; !ok``;
    "" for ``if r.m[k] == nil``), when all it does is make the absent key's mutex; else why not."""
    iff, slot = st.create, _plain(sf, st.slot)
    init, body = iff.child_by_field_name("initializer"), a.statements(iff.child_by_field_name("consequence"))
    cond = a.unparen(iff.child_by_field_name("condition"))
    names = [sf.text(n) for n in init.child_by_field_name("left").named_children] \
        if init is not None and init.type == "short_var_declaration" else []
    nil_form = init is None and _absent(sf, iff, slot) == ""
    ok_form = len(names) == 2 and names[0] == "_" and _plain(sf, init.child_by_field_name("right")) == slot \
        and _absent(sf, iff, slot) == "_" and cond.type == "unary_expression"
    if not (nil_form or ok_form) or iff.child_by_field_name("alternative") is not None or len(body) != 1 \
            or body[0].type != "assignment_statement" or not _creates_if_absent(sf, body[0]) \
            or not _fresh_mutex(sf, a.unparen(body[0].child_by_field_name("right").named_children[0])):
        return "", (f"the `if` making the key's mutex has another form than `if _, ok := {slot}; !ok` or "
                    f"`if {slot} == nil` with only `{slot} = &sync.Mutex{{}}` in it: rewrite it by hand")
    return (names[1] if ok_form else ""), None


def _reordered(sf: SourceFile, method: Node, st: _Stretch, ok: str) -> TextEdit | str:
    """From the ``if`` through the registry's release, rewritten: the key's mutex read into
    a local (made and stored where absent), the release, the local's Lock, the yields;
    ``ok`` is what the ``if`` tests ("" for ``== nil``)."""
    iff, slot = st.create, _plain(sf, st.slot)
    init, cond, assign = iff.child_by_field_name("initializer"), iff.child_by_field_name("condition"), \
        a.statements(iff.child_by_field_name("consequence"))[0]
    if next(a.of_type(iff, "comment"), None) is not None:
        return "the `if` making the key's mutex holds comments: rewrite it by hand"
    # the region's statements, each on a line of its own with at most a trailing `//` comment
    parts = [c for c in iff.parent.named_children if iff.start_byte <= c.start_byte <= st.release.end_byte
             or c.type == "comment" and c.prev_named_sibling == st.release
             and sf.line_col(c.start_byte)[0] == sf.line_col(st.release.end_byte)[0]]
    stmts, notes = [iff, st.key_lock, *st.yields, st.release], {}
    for c in parts:
        if c in stmts:
            continue
        owner = c.prev_named_sibling
        if c.type != "comment" or owner not in stmts[1:] or not sf.text(c).startswith("//") \
                or sf.line_col(c.start_byte)[0] != sf.line_col(owner.end_byte)[0]:
            return "comments or code stand between the key's Lock and the registry's release: move it by hand"
        notes[owner] = sf.text(c).rstrip()  # a line comment's node holds a CRLF file's \r
    rows = [sf.line_col(n.start_byte)[0] for n in stmts]
    start, end = sf.line_start(iff.start_byte), parts[-1].start_byte + len(sf.data[parts[-1].start_byte:parts[-1].end_byte].rstrip())
    tail = sf.data[end:sf.data.find(b"\n", end) if b"\n" in sf.data[end:] else len(sf.data)]
    if sf.data[start:iff.start_byte].strip() or tail.strip() or any(
            r <= sf.line_col(p.end_byte)[0] for r, p in zip(rows[1:], stmts)):
        return "the statements around the key's Lock share lines: move the release by hand"
    after = parts[-1].next_named_sibling
    if after is not None and after.type != "comment" and sf.line_col(after.start_byte)[0] == sf.line_col(end)[0] + 1 \
            and after.next_named_sibling is not None and after.next_named_sibling.type == "comment" \
            and sf.line_col(after.next_named_sibling.start_byte)[0] == sf.line_col(after.end_byte)[0]:
        return "the statement after the release has a trailing comment gofmt aligns with it: move the release by hand"
    if ok and any(sf.text(n) == ok for n in a.of_type(method, "identifier") if not a.is_within(n, init) and not a.is_within(n, cond)):
        ok = a.free_name(sf, method, "ok")  # the if's own `ok` would now share the method's block with another
    name = next((n for n in _value_names(sf, method, st.field) if a.free_name(sf, method, n) == n and n != ok), None) \
        or a.free_name(sf, method, "lock")
    indent = sf.indent_at(iff.start_byte).decode()
    wants = a.method_call(sf, a.unparen(st.key_lock.named_children[0]))[1]
    lines: list[tuple[str, str | None]] = [
        (f"{name}, {ok} := {slot}" if ok else f"{name} := {slot}", None),
        (f"if !{ok} {{" if ok else f"if {name} == nil {{", None),
        (f"\t{name} = {sf.text(assign.child_by_field_name('right'))}", None),
        (f"\t{sf.text(assign.child_by_field_name('left'))} = {name}", None),
        ("}", None),
        (sf.text(st.release), notes.get(st.release)),
        (f"{name}.{wants}()", notes.get(st.key_lock)),
        *((sf.text(y), notes.get(y)) for y in st.yields),
    ]
    nl = sf.newline.decode()
    return TextEdit(start, end, nl.join(indent + ln for ln in _aligned(lines)).encode())


def _value_names(sf: SourceFile, method: Node, field: str) -> list[str]:
    """The names other methods of the type give a value read from the map ``field``
    (``um`` of ``if um, ok := l.m[url]; ok``): the name the type's readers already use."""
    type_name, out = a.function_key(sf, method)[1], []
    for m in a.of_type(sf.root, "method_declaration"):
        if m == method or (a.function_key(sf, m) or ("", ""))[1] != type_name:
            continue
        recv = a.receiver_name(sf, m)
        for d in a.of_type(m, "short_var_declaration"):
            right, left = d.child_by_field_name("right").named_children, d.child_by_field_name("left").named_children
            value = a.unparen(right[0]) if len(right) == 1 else None
            operand = value.child_by_field_name("operand") if value is not None and value.type == "index_expression" else None
            if operand is not None and _plain(sf, operand) == f"{recv}.{field}" and sf.text(left[0]) != "_":
                out.append(sf.text(left[0]))
    return out


def _aligned(lines: list[tuple[str, str | None]]) -> list[str]:
    """Lines of code with their trailing comments as gofmt lays them out: the comments of
    consecutive lines that all have one start in one column, a space past the longest code."""
    out, i = [], 0
    while i < len(lines):
        j = next((k for k in range(i, len(lines)) if lines[k][1] is None), len(lines))
        if j == i:
            out.append(lines[i][0])
            i += 1
            continue
        width = max(len(code) for code, _ in lines[i:j])
        out += [f"{code.ljust(width)} {note}" for code, note in lines[i:j]]
        i = j
    return out
