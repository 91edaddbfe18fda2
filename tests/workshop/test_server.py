"""The estimate round's server: its three routes, and every hostile request refused."""

from __future__ import annotations

import http.client
import json
import math
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsmapper.model.stream import ValueStream
from vsmapper.model.text import plain_text
from vsmapper.workshop.server import (
    MAX_BODY_BYTES,
    SurveyRound,
    lan_address,
    round_token,
)

STREAM = ValueStream.model_validate(
    {
        "name": "Checkout <b>feature</b>",
        "stages": [
            {"id": "coding", "name": "Coding"},
            {"id": "review", "name": "<script>alert(1)</script>"},
            {"id": "deploy", "name": "Deploy"},
        ],
    }
)


@pytest.fixture
def survey() -> Iterator[SurveyRound]:
    round_ = SurveyRound(STREAM, ["coding", "review"], max_participants=3)
    round_.start()
    yield round_
    round_.stop()


def request(
    survey: SurveyRound,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(survey.address)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def base(survey: SurveyRound) -> str:
    return urlsplit(survey.address).path


def post(survey: SurveyRound, data: object, path: str | None = None) -> tuple[int, dict]:
    body = json.dumps(data).encode()
    status, _, reply = request(
        survey,
        "POST",
        path or base(survey) + "/answers",
        body,
        {"Content-Type": "application/json"},
    )
    return status, json.loads(reply)


def test_the_address_carries_a_random_token_and_the_chosen_interface(survey) -> None:
    assert survey.address.startswith("http://127.0.0.1:")
    assert f"/s/{survey.token}" in survey.address
    assert len(survey.token) >= 10
    assert SurveyRound(STREAM).token != survey.token
    assert lan_address().count(".") == 3


def test_the_token_reads_one_way_off_a_projector_and_types_in_any_case(survey) -> None:
    tokens = {round_token() for _ in range(500)}
    alphabet = set("".join(tokens))
    # Bold on a projector, "ll6NKI" was typed as "II6NKI": 404. From the back of the room
    # "rn" reads as "m" and "vv" as "w".
    assert not alphabet & set("0O1lI|io" + "rnmvw")
    assert alphabet <= set("abcdefghijklmnopqrstuvwxyz0123456789")
    # As hard to guess during a round as the 13 characters of 31 it had: over 64 bits.
    bits = min(len(token) for token in tokens) * math.log2(len(alphabet))
    assert bits >= 13 * math.log2(31) > 64
    assert len(tokens) == 500
    assert len(survey.token) <= 14
    assert request(survey, "GET", base(survey).upper())[0] == 200
    assert request(survey, "GET", base(survey).upper() + "/map")[0] == 200


def test_the_page_is_served_with_a_strict_policy(survey) -> None:
    status, headers, body = request(survey, "GET", base(survey))
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"innerHTML" not in body
    assert b"textContent" in body
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">'.encode() in body


def test_the_map_route_names_only_the_round_stages(survey) -> None:
    status, headers, body = request(survey, "GET", base(survey) + "/map")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {
        "name": "Checkout <b>feature</b>",
        "stages": [
            {"id": "coding", "name": "Coding"},
            {"id": "review", "name": "<script>alert(1)</script>"},
        ],
    }


def test_an_answer_is_taken_replaced_and_taken_back(survey) -> None:
    calls: list[int] = []
    survey.on_answer = lambda: calls.append(1)
    answer = {"participant": "p1", "stages": {"coding": {"wait_time": "2-5d", "pca": "90%"}}}
    assert post(survey, answer) == (200, {"ok": True, "answers": 1})
    answer["stages"]["coding"]["wait_time"] = "1d"
    assert post(survey, answer)[0] == 200
    merged = survey.merge()
    assert merged.responses == 1
    assert merged.stages[0].wait_time.text == "1d"
    assert merged.stages[0].pca == 90
    assert post(survey, {"participant": "p1", "stages": {}})[0] == 200
    assert survey.responses == 0
    assert len(calls) == 3


def test_a_percentage_typed_with_a_decimal_comma_is_read(survey) -> None:
    # What a phone's decimal keypad gives in many languages.
    answer = {"participant": "p1", "stages": {"coding": {"pca": "92,5"}}}
    assert post(survey, answer)[0] == 200
    assert survey.merge().stages[0].pca == 92.5


@pytest.mark.parametrize("pca", ["0.9", 0.9, "0,9"])
def test_a_fraction_for_pca_is_refused_as_the_app_refuses_it(survey, pca: object) -> None:
    # Taken as 0.9 %, it merged with another's 85 into 42.95 % and a disagreement.
    status, reply = post(survey, {"participant": "p", "stages": {"coding": {"pca": pca}}})
    assert status == 400
    assert reply["stage"] == "coding" and reply["field"] == "pca"
    assert reply["reason"].endswith(
        "%C&A is in percent (90 for 90 %); type " + f"{pca}% if you mean it"
    )
    assert reply["error"] == "Coding · %C&A: " + reply["reason"]
    assert survey.responses == 0


def test_a_refusal_quotes_what_was_typed(survey) -> None:
    answer = {"participant": "p", "stages": {"coding": {"wait_time": "3d-1d"}}}
    status, reply = post(survey, answer)
    assert status == 400
    assert reply["reason"].startswith("'3d-1d' is out of order")


def test_every_refused_field_is_named_at_once(survey) -> None:
    # The phone marked one field per send: a participant mended it, sent, and met the next.
    answer = {
        "participant": "p",
        "stages": {
            "coding": {"wait_time": "3 dayz", "process_time": "4h", "pca": "0.9"},
            "review": {"process_time": "5d-1d", "pain": "slow"},
        },
    }
    status, reply = post(survey, answer)
    assert status == 400
    assert [(one["stage"], one["field"]) for one in reply["fields"]] == [
        ("coding", "wait_time"),
        ("coding", "pca"),
        ("review", "process_time"),
    ]
    assert reply["stage"] == "coding" and reply["field"] == "wait_time"
    assert reply["error"] == f"Coding · Wait before it: {reply['reason']} (and 2 more)"
    assert survey.responses == 0


def test_script_in_a_pain_point_is_kept_as_plain_text(survey) -> None:
    text = "<img src=x onerror=alert(1)>"
    assert post(survey, {"participant": "p", "stages": {"review": {"pain": text}}})[0] == 200
    assert survey.merge().stages[1].pains == (text,)


BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
PLAIN = st.text(st.characters(categories=["L", "M", "N", "P", "S"]), min_size=1)
"""Letters with their accents, digits, punctuation and symbols: CJK and emoji among them."""


@given(st.text())
def test_plain_text_is_one_line_without_controls_or_invisible_characters(text: str) -> None:
    plain = plain_text(text)
    assert not set(plain) & set(BIDI_CONTROLS + "\n\r\t\u2028\u2029\ufeff\u00ad\x00")
    assert plain == plain.strip() and "  " not in plain
    assert plain_text(plain) == plain


@given(st.lists(PLAIN, min_size=1), st.lists(st.sampled_from(BIDI_CONTROLS + "\n\r\u2028")))
def test_plain_text_keeps_every_word_and_drops_only_what_was_slipped_in(
    words: list[str], slipped: list[str]
) -> None:
    typed = " ".join(words)
    assert plain_text(typed) == typed
    # Slipped in among the words, each control goes and each line break reads as a space.
    mixed = "".join(
        word + (slipped[i] if i < len(slipped) else " ") for i, word in enumerate(words)
    )
    assert plain_text(mixed).replace(" ", "") == typed.replace(" ", "")


def test_a_pain_point_from_a_phone_reads_forwards_on_one_line(survey) -> None:
    text = "\u202eCAB meets\u202c on Thursdays\u200f\r\n\u2066Café 日本\u2069 👩\u200d👩\u200d👧"
    assert post(survey, {"participant": "p", "stages": {"review": {"pain": text}}})[0] == 200
    assert survey.merge().stages[1].pains == (
        "CAB meets on Thursdays Café 日本 👩\u200d👩\u200d👧",
    )
    answer = {"participant": "p", "stages": {"coding": {"wait_time": "\u200e2-5d\u200f"}}}
    assert post(survey, answer)[0] == 200


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"participant": "p", "stages": {"coding": {"wait_time": "3 dayz"}}},
            "Coding · Wait before it",
        ),
        ({"participant": "p", "stages": {"coding": {"process_time": "5d/1d/2d"}}}, "Coding"),
        ({"participant": "p", "stages": {"coding": {"pca": 0}}}, "Coding · %C&A"),
        ({"participant": "p", "stages": {"coding": {"pca": 150}}}, "Coding · %C&A"),
        ({"participant": "p", "stages": {"coding": {"colour": "red"}}}, "unknown field"),
        ({"participant": "p", "stages": {"deploy": {"pca": 90}}}, "not a stage of this round"),
        ({"participant": "p", "stages": {"../../etc/passwd": {}}}, "not a stage of this round"),
        ({"participant": "", "stages": {}}, "participant"),
        ({"participant": "p" * 500, "stages": {}}, "participant"),
        ({"participant": "p", "stages": []}, "stages"),
        ({"participant": "p", "admin": True}, "unknown key"),
        (["not", "an", "object"], "JSON object"),
        ({"participant": "p", "stages": {"coding": {"pain": "x" * 2000}}}, "Pain point"),
        (
            {"participant": "p", "stages": {"coding": {"pain": "x\ud800"}}},
            "Coding · Pain point: holds a lone surrogate",
        ),
        ({"participant": "p\udc00", "stages": {}}, "participant: holds a lone surrogate"),
    ],
)
def test_a_bad_answer_is_refused_with_its_place(survey, answer: object, message: str) -> None:
    status, reply = post(survey, answer)
    assert status == 400
    assert message in reply["error"]
    assert survey.responses == 0


def test_bad_json_is_refused(survey) -> None:
    for body in (b"{not json", b"\xff\xfe", b"[" * 60_000):
        status, _, reply = request(
            survey, "POST", base(survey) + "/answers", body, {"Content-Type": "application/json"}
        )
        assert status in (400, 413)
        assert "error" in json.loads(reply)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("9" * 5000, "a number has 5,000 digits; an answer's numbers have at most 20"),
        ("-" + "9" * 5000, "a number has 5,000 digits"),
        ("9" * 5000 + ".5", "Coding · %C&A"),
    ],
)
def test_a_number_too_long_to_read_is_refused(survey, number: str, message: str) -> None:
    body = b'{"participant": "p", "stages": {"coding": {"pca": %s}}}' % number.encode()
    status, _, reply = request(
        survey, "POST", base(survey) + "/answers", body, {"Content-Type": "application/json"}
    )
    assert status == 400
    assert message in json.loads(reply)["error"]
    assert survey.responses == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"participant": "a", "participant": "b", "stages": {}}',
        b'{"participant": "a", "stages": {"coding": {"pca": 50, "pca": 90}}}',
    ],
)
def test_an_answer_giving_a_key_twice_is_refused(survey, body: bytes) -> None:
    # Which of the two counted was the JSON reader's choice, not the participant's.
    status, _, reply = request(
        survey, "POST", base(survey) + "/answers", body, {"Content-Type": "application/json"}
    )
    assert status == 400
    assert "is given twice; give it once" in json.loads(reply)["error"]
    assert survey.responses == 0


def test_a_huge_body_is_refused_unread(survey) -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    status, _, reply = request(
        survey, "POST", base(survey) + "/answers", body, {"Content-Type": "application/json"}
    )
    assert status == 413
    assert "64 KB" in json.loads(reply)["error"]


def test_other_content_types_are_refused(survey) -> None:
    status, _, _ = request(
        survey, "POST", base(survey) + "/answers", b"participant=p", {"Content-Type": "text/plain"}
    )
    assert status == 415


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/s/",
        "/s/wrong-token",
        "/s/wrong-token/map",
        "/favicon.ico",
        "/s/{token}/../../etc/passwd",
        "/s/{token}/%2e%2e/%2e%2e/etc/passwd",
        "/s/{token}/map/extra",
        "/s/{token}/answers.json",
        "/../../pyproject.toml",
        "//etc/passwd",
    ],
)
def test_every_other_path_is_not_found(survey, path: str) -> None:
    status, _, body = request(survey, "GET", path.format(token=survey.token))
    assert status == 404
    assert json.loads(body) == {"error": "not found"}


def test_a_wrong_token_cannot_answer(survey) -> None:
    status, _ = post(survey, {"participant": "p", "stages": {}}, "/s/wrong-token/answers")
    assert status == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_are_not_allowed(survey, method: str) -> None:
    status, _, _ = request(survey, method, base(survey) + "/answers")
    assert status == 405
    assert request(survey, method, "/s/wrong/answers")[0] == 404


def test_the_wrong_method_on_a_route_is_not_allowed(survey) -> None:
    assert request(survey, "GET", base(survey) + "/answers")[0] == 405
    status, _ = post(survey, {}, base(survey) + "/map")
    assert status == 405


def test_too_many_participants_are_refused(survey) -> None:
    for number in range(3):
        assert (
            post(survey, {"participant": f"p{number}", "stages": {"coding": {"pca": 90}}})[0] == 200
        )
    status, reply = post(survey, {"participant": "p9", "stages": {"coding": {"pca": 90}}})
    assert status == 429 and "at most 3" in reply["error"]
    # A participant already in may still change their answer.
    assert post(survey, {"participant": "p0", "stages": {"coding": {"pca": 80}}})[0] == 200
    assert survey.responses == 3


def test_a_stopped_round_serves_nothing() -> None:
    survey = SurveyRound(STREAM)
    survey.start()
    address = urlsplit(survey.address)
    survey.stop()
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=2)
    with pytest.raises(OSError):
        connection.request("GET", address.path)
        connection.getresponse()
