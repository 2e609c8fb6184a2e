"""A reader for pprof's profile.proto (github.com/google/pprof, proto/profile.proto), enough
for goroutine profiles: the sample type, samples with their counts and labels, locations
(with inlined lines) and functions. Protobuf's wire format is small: varint keys, then a
varint, a fixed 64/32-bit value or a length-delimited payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

# Field numbers of profile.proto used here.
PROFILE_SAMPLE_TYPE, PROFILE_SAMPLE, PROFILE_LOCATION, PROFILE_FUNCTION, PROFILE_STRINGS = 1, 2, 4, 5, 6
VALUE_TYPE_TYPE = 1
SAMPLE_LOCATION_ID, SAMPLE_VALUE, SAMPLE_LABEL = 1, 2, 3
LABEL_KEY, LABEL_STR = 1, 2
LOCATION_ID, LOCATION_LINE = 1, 4
LINE_FUNCTION_ID, LINE_LINE = 1, 2
FUNCTION_ID, FUNCTION_NAME, FUNCTION_FILENAME = 1, 2, 4

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5  # wire types


class ProtoError(ValueError):
    pass


@dataclass(frozen=True)
class ProtoFrame:
    function: str
    path: str
    line: int


@dataclass(frozen=True)
class ProtoSample:
    count: int  # the sample's first value: goroutines with this stack
    frames: tuple[ProtoFrame, ...]  # innermost first, inlined calls expanded
    labels: tuple[tuple[str, str], ...]  # pprof labels (string-valued ones)


@dataclass(frozen=True)
class Profile:
    sample_type: str  # "goroutine" or "goroutineleak" for the profiles read here
    samples: tuple[ProtoSample, ...]


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf):
            raise ProtoError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ProtoError("varint longer than 10 bytes")


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field of one message, in order."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, i = _varint(buf, i)
        elif wire == _BYTES:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise ProtoError("truncated field")
            value, i = buf[i : i + n], i + n
        elif wire in (_FIXED64, _FIXED32):
            n = 8 if wire == _FIXED64 else 4
            if i + n > len(buf):
                raise ProtoError("truncated field")
            value, i = int.from_bytes(buf[i : i + n], "little"), i + n
        else:
            raise ProtoError(f"unsupported wire type {wire}")
        yield number, wire, value


def _ints(value: int | bytes) -> list[int]:
    """A repeated integer field's values: packed (one payload) or one per field."""
    if isinstance(value, int):
        return [value]
    out, i = [], 0
    while i < len(value):
        v, i = _varint(value, i)
        out.append(v)
    return out


def _scalars(buf: bytes) -> dict[int, int]:
    """The integer fields of a message holding only scalars (the last one wins, as in protobuf)."""
    return {n: v for n, _, v in _fields(buf) if isinstance(v, int)}


def _signed(v: int) -> int:
    """An int64 sent as a varint: negative values travel as their two's complement."""
    return v - (1 << 64) if v >= 1 << 63 else v


def decode(data: bytes) -> Profile:
    """The profile in ``data`` (uncompressed profile.proto bytes)."""
    strings: list[str] = []
    sample_type_index = 0
    raw_samples: list[bytes] = []
    locations: dict[int, list[tuple[int, int]]] = {}  # id -> [(function id, line)], innermost first
    functions: dict[int, tuple[int, int]] = {}  # id -> (name index, file index)
    for number, _, value in _fields(data):
        if not isinstance(value, bytes):
            continue
        if number == PROFILE_STRINGS:
            strings.append(value.decode("utf-8", "replace"))
        elif number == PROFILE_SAMPLE_TYPE and not sample_type_index:
            sample_type_index = _scalars(value).get(VALUE_TYPE_TYPE, 0)
        elif number == PROFILE_SAMPLE:
            raw_samples.append(value)
        elif number == PROFILE_LOCATION:
            loc_id, lines = 0, []
            for n, _, v in _fields(value):
                if n == LOCATION_ID and isinstance(v, int):
                    loc_id = v
                elif n == LOCATION_LINE and isinstance(v, bytes):
                    line = _scalars(v)
                    lines.append((line.get(LINE_FUNCTION_ID, 0), _signed(line.get(LINE_LINE, 0))))
            locations[loc_id] = lines
        elif number == PROFILE_FUNCTION:
            f = _scalars(value)
            functions[f.get(FUNCTION_ID, 0)] = (f.get(FUNCTION_NAME, 0), f.get(FUNCTION_FILENAME, 0))

    def string(i: int) -> str:
        if not 0 <= i < len(strings):
            raise ProtoError(f"string index {i} out of range")
        return strings[i]

    samples = []
    for raw in raw_samples:
        loc_ids: list[int] = []
        values: list[int] = []
        labels: list[tuple[str, str]] = []
        for n, _, v in _fields(raw):
            if n == SAMPLE_LOCATION_ID:
                loc_ids += _ints(v)
            elif n == SAMPLE_VALUE:
                values += [_signed(x) for x in _ints(v)]
            elif n == SAMPLE_LABEL and isinstance(v, bytes):
                label = _scalars(v)
                if LABEL_STR in label:
                    labels.append((string(label.get(LABEL_KEY, 0)), string(label[LABEL_STR])))
        frames = []
        for loc_id in loc_ids:
            if loc_id not in locations:
                raise ProtoError(f"a sample refers to location {loc_id}, which the profile does not hold")
            for func_id, line in locations[loc_id]:
                name_i, file_i = functions.get(func_id, (0, 0))
                frames.append(ProtoFrame(string(name_i), string(file_i), line))
        samples.append(ProtoSample(values[0] if values else 1, tuple(frames), tuple(labels)))
    return Profile(string(sample_type_index) if strings else "", tuple(samples))
