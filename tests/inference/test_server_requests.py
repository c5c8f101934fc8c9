"""The local model server's request checks, without a model: each bad field named in one line."""

from __future__ import annotations

import pytest

from app.inference.openai_client import gbnf_for_labels
from app.inference.server_requests import (
    RequestError,
    bounded_max_tokens,
    is_label_grammar,
    parse_content_length,
    parse_generation_request,
)


@pytest.mark.parametrize(
    ("payload", "chat", "reason"),
    [
        ({"prompt": "x", "max_tokens": "abc"}, False, "'max_tokens' must be a whole number, not 'abc'"),
        ({"prompt": "x", "max_tokens": float("inf")}, False, "'max_tokens' must be a whole number"),
        ({"prompt": "x", "max_tokens": 2.5}, False, "'max_tokens' must be a whole number"),
        ({"prompt": "x", "max_tokens": True}, False, "'max_tokens' must be a whole number"),
        ({"prompt": "x", "max_tokens": 0}, False, "'max_tokens' must be at least 1, not 0"),
        (
            {"prompt": "x", "max_tokens": 10**9},
            False,
            "is 1,000,000,000, more than the model's context of 2,048",
        ),
        (
            {"prompt": "x", "temperature": "hot"},
            False,
            "'temperature' must be a number from 0 to 2, not 'hot'",
        ),
        ({"prompt": "x", "temperature": float("nan")}, False, "'temperature' must be a number"),
        ({"prompt": "x", "top_p": 3}, False, "'top_p' must be from 0 to 1, not 3"),
        ({"prompt": "x", "stop": [1]}, False, "'stop' must be a string or a list of strings"),
        ({"prompt": "x", "seed": "s"}, False, "'seed' must be a whole number"),
        ({"prompt": "x", "grammar": 7}, False, "'grammar' must be a GBNF grammar as a string"),
        ({"prompt": "x", "stream": "yes"}, False, "'stream' must be true or false"),
        ({"prompt": None}, False, "'prompt' must be a string, not None"),
        ({"messages": []}, True, "'messages' must be a non-empty list"),
        ({"messages": [1, 2]}, True, "'messages' item 1 must be an object with role and content, not 1"),
        (
            {"messages": [{"role": "robot", "content": "x"}]},
            True,
            "role must be one of system, user, assistant",
        ),
        ({"messages": [{"role": "user", "content": 5}]}, True, "content must be a string, not 5"),
    ],
)
def test_bad_fields_are_named(payload: dict[str, object], chat: bool, reason: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse_generation_request(payload, chat, 2048)
    assert reason in str(caught.value)


def test_a_good_request_passes_with_its_values() -> None:
    params = parse_generation_request(
        {"prompt": "Hi", "max_tokens": 8, "temperature": 0, "stop": "\n", "seed": 3.0, "stream": True},
        False,
        2048,
    )
    assert (params.max_tokens, params.temperature, params.stop, params.seed, params.stream) == (
        8,
        0.0,
        ("\n",),
        3,
        True,
    )


def test_max_tokens_is_bounded_by_the_room_the_prompt_leaves() -> None:
    assert bounded_max_tokens(None, 10, 2048) == 256
    assert bounded_max_tokens(2000, 100, 2048) == 1948
    with pytest.raises(RequestError, match=r"the prompt is 3,000 tokens but the model's context holds 2,048"):
        bounded_max_tokens(8, 3000, 2048)


def test_content_length() -> None:
    assert parse_content_length(" 12 ", 100) == 12
    for value, reason in (
        ("abc", "must be a number of bytes"),
        (None, "missing"),
        ("0", "empty"),
        ("101", "at most 100"),
    ):
        with pytest.raises(RequestError, match=reason):
            parse_content_length(value, 100)


def test_only_the_apps_own_label_grammars_skip_the_throwaway_check() -> None:
    assert is_label_grammar(gbnf_for_labels(["billing", 'say "hi"', "back\\slash", "café"]))
    assert not is_label_grammar('root ::= " "? ("a\x01")\n')
    assert not is_label_grammar('root ::= "a" | b\nb ::= "c"\n')
    assert not is_label_grammar("root ::= (((")
