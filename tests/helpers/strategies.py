"""Hypothesis strategies shared by the hostile-input tests, and their example budget.

Strategies mix valid values, near-valid ones and arbitrary objects: None, bools, huge
numbers, bytes, containers with odd keys, lone surrogates, control characters, 10 kB text.
`examples(n)` sets a test's budget under the loaded profile (tests/conftest.py registers
the deterministic default and `HYPOTHESIS_PROFILE=explore`).

Strategies for one feature's inputs only (frames, callback fields, bodies) stay in that
feature's test module.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any, get_args

from hypothesis import settings
from hypothesis import strategies as st
from signalwire_streams import Codec, StatusCallbackMethod, Track

from tests.helpers.clients import WSS_URL


def examples(n: int) -> settings:
    """`n` examples under the default profile (100 per test), scaled with the loaded one."""
    return settings(max_examples=max(1, n * settings.default.max_examples // 100))


# Text

SPECIAL_STRINGS = [
    "",
    " ",
    ".",
    "..",
    "/",
    "a/b",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x7f",
    "%",
    "%2F",
    "%zz",
    "&",
    "=",
    "&a=b",
    "+",
    "#",
    "?",
    "a.json",
    "\u202e",
    "\ufeff",
    "\u200d",
    "\U0001f4a5",
    "\ud800",
    "\udfff",
    "\udc80",
    "é",
    "Parameter1.Name",
]
SPECIAL_CHARS = "&=%+#?/.;:@ \n\r\t\x00\x1f\x7f\x85\xa0\u2028\u202e\ufeff\U0001f4a5\U0010ffff"
ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),  # every code point, surrogates included (rarely)
    st.characters(categories=["Cs"]),  # lone surrogates, often
    st.sampled_from(SPECIAL_CHARS),
)
SHORT_TEXT = st.text(ANY_CHAR, max_size=30)
# 10 kB strings: one short unit repeated, so that generating them costs nothing.
HUGE_TEXT = st.builds(
    lambda unit, size: (unit * (size // len(unit) + 1))[:size],
    st.text(ANY_CHAR, min_size=1, max_size=3),
    st.integers(9_000, 11_000),
)
TEXT = st.one_of(SHORT_TEXT, st.sampled_from(SPECIAL_STRINGS), HUGE_TEXT)
HASHABLE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(),
    st.binary(max_size=10),
    TEXT,
    st.tuples(st.integers(), st.text(max_size=3)),
    st.frozensets(st.integers(), max_size=3),
)
# Anything at all a caller might pass by mistake.
ANY_OBJECT = st.one_of(
    HASHABLE,
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=4),
    st.dictionaries(HASHABLE, st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=4),
    st.builds(bytearray, st.binary(max_size=10)),
    st.builds(object),
    st.just(NotImplemented),
    st.just(Ellipsis),
    st.just(int),
)


def arg(valid: st.SearchStrategy[Any], *near: Any) -> st.SearchStrategy[Any]:
    """Valid values, near-valid ones (listed) and arbitrary objects, valid ones most often."""
    choices = [valid, valid, ANY_OBJECT]
    if near:
        choices.append(st.sampled_from(near))
    return st.one_of(*choices)


# JSON, of every type, for bodies and frames.
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and ±Infinity too: json.loads accepts them
    st.text(max_size=20),
    st.text(ANY_CHAR, max_size=10),
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)
# A field's value of any JSON type, one level deep: cheaper to make than JSON, as wrong.
WRONG = st.one_of(
    JSON_SCALAR,
    st.lists(JSON_SCALAR, max_size=2),
    st.dictionaries(st.text(max_size=3), JSON_SCALAR, max_size=2),
)


def dumps(value: object) -> str:
    return json.dumps(value)  # ensure_ascii: a lone surrogate goes out as \\udXXX


# A create's and a stop's arguments

SID = st.one_of(st.uuids().map(str), st.text("0123456789abcdef", min_size=1, max_size=34))
NEAR_SIDS = ("", " ", " CA1", "CA1 ", "\tCA1", "a/b", ".", "..", "%2F", "\ud800", "CA\x00")
URL_SCHEMES = ("wss", "WSS", "ws", "https", "http", "", "ftp", "wss:")
URL_HOSTS = (
    "receiver.example.com",
    "127.0.0.1",
    "[::1]",
    "[::1",
    "",
    "ü.example",
    "a b",
    "u:p@h.example",
    "\x00",
    "\ud800.example",
    "xn--a.example",
    "a..b",
)
URL_PORTS = ("", ":443", ":0", ":99999", ":x", ":", ":-1")
URL_TAILS = ("", "/", "/audio", "/a b", "/%zz", "/\x01", "?", "?t=1", "#", "#f", "\n", "/é")


def url(schemes: tuple[str, ...] = URL_SCHEMES) -> st.SearchStrategy[str]:
    return st.builds(
        lambda scheme, host, port, tail: f"{scheme}://{host}{port}{tail}",
        st.sampled_from(schemes),
        st.sampled_from(URL_HOSTS),
        st.sampled_from(URL_PORTS),
        st.sampled_from(URL_TAILS),
    )


STR_MAPPING = st.dictionaries(TEXT, TEXT, max_size=6)
MAPPING = st.one_of(
    STR_MAPPING,
    STR_MAPPING.map(MappingProxyType),
    st.dictionaries(HASHABLE, st.one_of(TEXT, ANY_OBJECT), max_size=4),
    st.integers(95, 110).map(lambda n: {f"k{i}": "v" for i in range(n)}),
    st.lists(st.tuples(TEXT, TEXT), max_size=3),
)
EXTRA_NAMES = ("Url", "url", "NAME", "Status", "StreamCodec", "Parameter1.Name", "parameter9.value")
EXTRA_FIELDS = st.one_of(
    MAPPING, st.dictionaries(st.sampled_from(EXTRA_NAMES) | TEXT, TEXT, max_size=3)
)


def mostly_valid(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
    valid: dict[str, st.SearchStrategy[Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments drawn from `valid`, but for at most two drawn from the hostile strategies.

    All hostile at once would nearly always fail the first check: to reach the code after
    the checks (encoding, paths), most arguments must be valid, one or two not.
    """

    @st.composite
    def draw_arguments(draw: st.DrawFn) -> dict[str, Any]:
        hostile = {**required, **optional}
        extra = draw(st.lists(st.sampled_from(sorted(optional)), unique=True)) if optional else []
        given = [*required, *extra]
        bad = draw(st.lists(st.sampled_from(given), unique=True, max_size=2))
        return {key: draw(hostile[key] if key in bad else valid[key]) for key in given}

    return draw_arguments()


# The wire vocabulary, from the public Literals (the spec's values, in its order).
TRACKS: tuple[str, ...] = get_args(Track)
CALLBACK_METHODS: tuple[str, ...] = get_args(StatusCallbackMethod)
CODECS: tuple[str, ...] = get_args(Codec)
VALID_CREATE = {
    "parent_sid": SID,
    "url": st.sampled_from(
        [WSS_URL, "wss://127.0.0.1:8443/a", "wss://[::1]/", "wss://ü.example/é"]
    ),
    "name": TEXT,
    "track": st.sampled_from(TRACKS),
    "status_callback": st.sampled_from(["https://h.example/cb", "http://127.0.0.1:1/é?a=b&c#d"]),
    "status_callback_method": st.sampled_from(CALLBACK_METHODS),
    "parameters": st.dictionaries(TEXT, TEXT, max_size=6),
    "authorization_bearer_token": TEXT,
    "extra_fields": st.dictionaries(TEXT, TEXT, max_size=3),
    "codec": st.sampled_from(CODECS),
    "real_time": st.booleans(),
    "max_retries": st.integers(0, 5),
    "retry_ambiguous": st.booleans(),
}
CREATE_ARGS = mostly_valid(
    {
        "parent_sid": arg(SID, *NEAR_SIDS),
        "url": st.one_of(st.just(WSS_URL), url(), url(("wss",)), ANY_OBJECT),
    },
    {
        "name": arg(TEXT, None),
        "track": arg(st.sampled_from(TRACKS), "inbound", "BOTH_TRACKS", "", None),
        "status_callback": arg(url(("https", "http", "HTTPS", "ftp", "wss")), None),
        "status_callback_method": arg(st.sampled_from(CALLBACK_METHODS), "get", "PUT", ""),
        "parameters": arg(MAPPING, None),
        "authorization_bearer_token": arg(TEXT, None),
        "extra_fields": arg(EXTRA_FIELDS, None),
        "codec": arg(st.sampled_from(CODECS), "pcmu", "L16@8000h", None),
        "real_time": arg(st.booleans(), 0, 1, "true", None),
        "max_retries": arg(st.integers(0, 5), -1, 2**100, True, 2.0, "2", None),
        "retry_ambiguous": arg(st.booleans(), 0, 1, "true", None),
    },
    VALID_CREATE,
)
CREATE_FIELDS = {
    "url",
    "name",
    "track",
    "status_callback",
    "status_callback_method",
    "parameters",
    "authorization_bearer_token",
    "extra_fields",
    "codec",
    "real_time",
    "max_retries",
    "retry_ambiguous",
}
KINDS = st.sampled_from(["call", "conference"])


def parent_field(kind: str) -> str:
    return "call_sid" if kind == "call" else "conference_sid"
