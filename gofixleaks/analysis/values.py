"""What kind of value an expression holds, as far as the syntax of its file tells: a channel,
an integer (a count), a collection (slice, map, array), a fixed literal. Types are not
checked: a name is followed to its declaration (parameters, locals before the point,
package-level vars and consts, fields of a method's receiver struct declared in the file)."""

from __future__ import annotations

from tree_sitter import Node

from ..source import SourceFile
from .syntax import FUNCTION_TYPES, ancestors, arguments, body, enclosing, of_type

INT_TYPES = {
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
    "byte", "rune",
}
_INT_FUNCS = {"len", "cap", "min", "max", "int", "int64", "int32", "uint", "uint64", "uint32"}
_COLLECTION_TYPES = ("slice_type", "map_type", "array_type", "implicit_length_array_type")
# standard functions that return a slice (maps.Keys and maps.Values return iterators)
_SLICE_FUNCS = {
    "slices": {"AppendSeq", "Clip", "Clone", "Collect", "Compact", "CompactFunc", "Concat", "Delete", "DeleteFunc",
               "Grow", "Insert", "Repeat", "Replace", "Sorted", "SortedFunc", "SortedStableFunc"},
    "strings": {"Fields", "FieldsFunc", "Split", "SplitAfter", "SplitAfterN", "SplitN"},
    "bytes": {"Fields", "FieldsFunc", "Split", "SplitAfter", "SplitAfterN", "SplitN"},
}


def value_kind(sf: SourceFile, expr: Node, at: Node) -> str | None:
    """"chan", "int", "literal", "collection" or None (unknown) for a ranged expression."""
    t = expr.type
    if t == "int_literal":
        return "int"
    if t == "composite_literal":
        return "literal"
    if t == "binary_expression":
        return "int"
    if t == "call_expression":
        fn = expr.child_by_field_name("function")
        name = sf.text(fn) if fn is not None else ""
        if name in _INT_FUNCS:
            return "int"
        if name == "append" or _returns_slice(sf, fn):
            return "collection"
        if name == "make":
            args = arguments(expr)
            if len(args) >= 2 and args[0].type == "slice_type" and sf.text(args[1]) != "0":
                return "int"  # make([]T, n): a pool of n, sized by the code, not by input
            return type_kind(sf, args[0]) if args else None
        return None
    if t == "selector_expression":
        field = sf.text(expr.child_by_field_name("field"))
        if field == "C":  # a ticker's or timer's channel
            return "chan"
        return _field_kind(sf, expr, at)
    if t == "identifier":
        return _identifier_kind(sf, sf.text(expr), at)
    return None


def _returns_slice(sf: SourceFile, fn: Node | None) -> bool:
    """``slices.Collect``, ``strings.Split``, ...: a standard function that returns a slice."""
    if fn is None or fn.type != "selector_expression" or fn.child_by_field_name("operand").type != "identifier":
        return False
    path = sf.imports.get(sf.text(fn.child_by_field_name("operand")))
    return sf.text(fn.child_by_field_name("field")) in _SLICE_FUNCS.get(path or "", ())


def type_kind(sf: SourceFile, typ: Node | None) -> str | None:
    """"chan", "collection", "int" or None (unknown) for a type as written."""
    if typ is None:
        return None
    if typ.type == "channel_type":
        return "chan"
    if typ.type in _COLLECTION_TYPES:
        return "collection"
    if typ.type == "type_identifier" and sf.text(typ) in INT_TYPES:
        return "int"
    return None


def _identifier_kind(sf, name: str, at: Node) -> str | None:
    """Kind of the nearest declaration of ``name`` before ``at``: parameters of the enclosing
    functions, locals declared before ``at``, then package-level vars and consts."""
    best: tuple[int, str | None] | None = None
    for fn in (x for x in ancestors(at) if x.type in FUNCTION_TYPES):
        params = fn.child_by_field_name("parameters")
        for decl in of_type(params, "parameter_declaration") if params is not None else ():
            if any(sf.text(n) == name for n in decl.children_by_field_name("name")) and (
                    best is None or decl.start_byte > best[0]):
                best = (decl.start_byte, type_kind(sf, decl.child_by_field_name("type")))
        b = body(fn)
        for d in of_type(b, "short_var_declaration", "var_spec", "const_spec", skip_functions=True) if b is not None else ():
            if d.start_byte >= at.start_byte or (best is not None and d.start_byte < best[0]):
                continue
            k = _declared_kind(sf, d, name)
            if k is not False:
                best = (d.start_byte, k)
    if best is not None:
        return best[1]
    for spec in sf.cached("package-specs", lambda: _package_specs(sf)).get(name, ()):
        k = _declared_kind(sf, spec, name)
        if k is not False:
            return k
    return None


def _package_specs(sf: SourceFile) -> dict[str, list[Node]]:
    """The file's package-level var and const specs by the names they declare."""
    out: dict[str, list[Node]] = {}
    for decl in sf.root.named_children:
        if decl.type in ("var_declaration", "const_declaration"):
            for spec in of_type(decl, "var_spec", "const_spec"):
                for n in spec.children_by_field_name("name"):
                    out.setdefault(sf.text(n), []).append(spec)
    return out


def _declared_kind(sf, d: Node, name: str):
    """Kind of ``name`` as declared by ``d``; False when ``d`` does not declare it."""
    if d.type in ("var_spec", "const_spec"):
        names = [sf.text(n) for n in d.children_by_field_name("name")]
        if name not in names:
            return False
        if d.type == "const_spec":
            return "int"  # constants range only as counts
        typ = type_kind(sf, d.child_by_field_name("type"))
        if typ is not None:
            return typ
        values = d.child_by_field_name("value")
        vals = values.named_children if values is not None else []
        i = names.index(name)
        return value_kind(sf, vals[i], d) if len(vals) == len(names) else None
    left, right = d.child_by_field_name("left"), d.child_by_field_name("right")
    names = [sf.text(n) for n in left.named_children] if left is not None else []
    if name not in names:
        return False
    vals = right.named_children if right is not None else []
    return value_kind(sf, vals[names.index(name)], d) if len(vals) == len(names) else None


def _field_kind(sf, sel: Node, at: Node) -> str | None:
    """Kind of ``recv.field`` from the receiver's struct type declared in this file."""
    operand = sel.child_by_field_name("operand")
    method = enclosing(at, "method_declaration")
    if operand is None or operand.type != "identifier" or method is None:
        return None
    recv = method.child_by_field_name("receiver")
    decl = next(of_type(recv, "parameter_declaration"), None) if recv is not None else None
    if decl is None or [sf.text(n) for n in decl.children_by_field_name("name")] != [sf.text(operand)]:
        return None
    type_name = sf.text(decl.child_by_field_name("type")).lstrip("*").split("[")[0]
    field = sf.text(sel.child_by_field_name("field"))
    for spec in of_type(sf.root, "type_spec"):
        if sf.text(spec.child_by_field_name("name")) != type_name:
            continue
        for fd in of_type(spec, "field_declaration"):
            if any(sf.text(n) == field for n in fd.children_by_field_name("name")):
                return type_kind(sf, fd.child_by_field_name("type"))
    return None
