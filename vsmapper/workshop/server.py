"""The estimate round's web server: one page, its map and its answers, nothing else.

It runs the standard library's ``ThreadingHTTPServer`` in a background thread. Every
request is checked against the round's random token and the three routes; the handler
never touches the file system, so a participant can read or change nothing but their own
answer.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vsmapper.io.typed import typed_value
from vsmapper.model.duration import format_number
from vsmapper.model.stream import Calendar, Stage, ValueStream
from vsmapper.model.text import plain_text
from vsmapper.workshop.merge import TIME_FIELDS, StageAnswer, SurveyMerge, merge_answers
from vsmapper.workshop.page import ANSWER_LABELS, SURVEY_PAGE

MAX_BODY_BYTES = 64 * 1024
MAX_PARTICIPANTS = 100
MAX_PARTICIPANT_CHARS = 100
MAX_PAIN_CHARS = 1000
MAX_NUMBER_DIGITS = 20
"""Digits a number in an answer may have: far more than any %C&A or time needs."""
MAX_TYPED_CHARS = 40
TOKEN_ALPHABET = "23456789abcdefghjkpqstuxyz"
"""Lowercase letters and digits without look-alikes (no 0, 1, i, l, o, m, n, r, v, w): read
off a projector, ``ll`` was typed as ``II``, ``rn`` as ``m`` and ``vv`` as ``w``."""
TOKEN_LENGTH = 14
"""Over 64 bits, as the 13 characters of 31 before: 26 ** 14 tokens, 65.8 bits."""
REQUEST_TIMEOUT_SECONDS = 10
ANSWER_FIELDS = (*TIME_FIELDS, "pca", "pain")


class AnswerError(ValueError):
    """A participant's answer that cannot be taken, with the place and what is wrong."""

    stage_id = ""
    field = ""
    reason = ""
    refused: tuple[AnswerError, ...] = ()

    @classmethod
    def at(cls, stage: Stage, field: str, reason: str) -> AnswerError:
        """A refusal of one field of one stage, which the page shows beside that field."""
        # Named as the page labels it: "Deploy.wait_time" read as a program's words.
        error = cls(f"{stage.name} · {ANSWER_LABELS[field]}: {reason}")
        error.stage_id, error.field, error.reason = stage.id, field, reason
        return error

    @classmethod
    def of_fields(cls, refused: list[AnswerError]) -> AnswerError:
        """The refusals of several fields at once, so that the page marks every one."""
        first = refused[0]
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        error = cls(f"{first}{more}")
        error.stage_id, error.field, error.reason = first.stage_id, first.field, first.reason
        error.refused = tuple(refused)
        return error

    def to_json(self) -> dict[str, Any]:
        """The refusal as the page reads it: the message, and the first field's place and
        reason, then every refused field's."""
        if not self.field:
            return {"error": str(self)}
        return {
            "error": str(self),
            "stage": self.stage_id,
            "field": self.field,
            "reason": self.reason,
            "fields": [
                {"stage": one.stage_id, "field": one.field, "reason": one.reason}
                for one in self.refused or (self,)
            ],
        }


def lan_address() -> str:
    """This machine's address on the local network, or 127.0.0.1 when it has none."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # Connecting a UDP socket sends nothing; it only picks the outgoing interface.
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()
    return address if not address.startswith("0.") else "127.0.0.1"


def _typed(value: object, field: str, stage: Stage, calendar: Calendar) -> Any:
    """A time or %C&A answered for ``stage``, read by the rules of the app's own fields."""
    if isinstance(value, str):
        value = plain_text(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        expected = "a percentage such as 80" if field == "pca" else "a duration such as 2d or 2-5d"
        raise AnswerError.at(stage, field, f"expected {expected}")
    text = value if isinstance(value, str) else format_number(value)
    if len(text) > MAX_TYPED_CHARS:
        raise AnswerError.at(stage, field, f"at most {MAX_TYPED_CHARS} characters")
    try:
        return typed_value(stage, field, text, calendar)
    except ValueError as exc:
        raise AnswerError.at(stage, field, str(exc)) from None


LONE_SURROGATE = "holds a lone surrogate; retype the text"


def _holds_lone_surrogate(text: str) -> bool:
    """Whether no map file could hold ``text`` (a JSON ``\\ud800`` escape put it there)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _answer_integer(text: str) -> int:
    """An integer of a posted answer; one too long for any answer is an AnswerError."""
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise AnswerError(
            f"a number has {len(text.lstrip('-')):,} digits; an answer's numbers have at most "
            f"{MAX_NUMBER_DIGITS}"
        )
    return int(text)


def _answer_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """An object of a posted answer; one giving a key twice is an AnswerError, as in a map."""
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise AnswerError(f"'{key[:60]}' is given twice; give it once")
        found[key] = value
    return found


def answer_data(body: bytes) -> object:
    """The JSON of a posted answer, or AnswerError."""
    try:
        return json.loads(
            body.decode("utf-8"), parse_int=_answer_integer, object_pairs_hook=_answer_object
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise AnswerError("the answer is not valid JSON") from None


def parse_answer(
    data: object, stream: ValueStream, stage_ids: list[str]
) -> tuple[str, dict[str, StageAnswer]]:
    """A participant and their answers per stage from a posted JSON object, or AnswerError."""
    if not isinstance(data, dict):
        raise AnswerError("expected a JSON object with participant and stages")
    unknown = set(data) - {"participant", "stages"}
    if unknown:
        raise AnswerError(f"unknown key '{sorted(unknown)[0]}'")
    participant = data.get("participant")
    if not isinstance(participant, str) or not participant.strip():
        raise AnswerError("participant: expected a non-blank text")
    if len(participant) > MAX_PARTICIPANT_CHARS:
        raise AnswerError(f"participant: at most {MAX_PARTICIPANT_CHARS} characters")
    if _holds_lone_surrogate(participant):
        raise AnswerError(f"participant: {LONE_SURROGATE}")
    stages = data.get("stages", {})
    if not isinstance(stages, dict):
        raise AnswerError("stages: expected an object of stage ids")
    answers: dict[str, StageAnswer] = {}
    refused: list[AnswerError] = []
    for stage_id, fields in stages.items():
        if stage_id not in stage_ids:
            raise AnswerError(f"stages: '{stage_id[:60]}' is not a stage of this round")
        stage = stream.stage(stage_id)
        name = stage.name
        if not isinstance(fields, dict):
            raise AnswerError(f"{name}: expected an object of fields")
        for key in fields:
            if key not in ANSWER_FIELDS:
                raise AnswerError(f"{name}: unknown field '{str(key)[:40]}'")
        values: dict[str, Any] = {}
        for field in ANSWER_FIELDS:
            try:
                values[field] = _read_field(fields.get(field), field, stage, stream.calendar)
            except AnswerError as problem:
                if not problem.field:
                    raise
                refused.append(problem)
        answer = StageAnswer(**values)
        if answer != StageAnswer():
            answers[stage_id] = answer
    if refused:
        raise AnswerError.of_fields(refused)
    return participant.strip(), answers


def _read_field(value: object, field: str, stage: Stage, calendar: Calendar) -> Any:
    """One field of a stage's answer, or AnswerError."""
    if field != "pain":
        return _typed(value, field, stage, calendar)
    pain = value or ""
    if not isinstance(pain, str):
        raise AnswerError.at(stage, "pain", "expected a text")
    if len(pain) > MAX_PAIN_CHARS:
        raise AnswerError.at(stage, "pain", f"at most {MAX_PAIN_CHARS} characters")
    if _holds_lone_surrogate(pain):
        raise AnswerError.at(stage, "pain", LONE_SURROGATE)
    return plain_text(pain)


def round_token() -> str:
    """A random token that reads one way off a projector and types in any case."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


class SurveyRound:
    """One open estimate round: the asked stages, a random token and the answers so far."""

    def __init__(
        self,
        stream: ValueStream,
        stage_ids: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_participants: int = MAX_PARTICIPANTS,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        self.stream = stream
        self.stage_ids = list(stage_ids or [stage.id for stage in stream.stages])
        self.token = round_token()
        self.max_participants = max_participants
        self.on_answer = on_answer
        self._answers: dict[str, dict[str, StageAnswer]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """The participants' address, ``http://HOST:PORT/s/TOKEN``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/s/{self.token}"

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="vsmapper-survey", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port; answers stay readable."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def map_json(self) -> dict[str, Any]:
        """What the page asks about: the map's name and the round's stages."""
        return {
            "name": self.stream.name,
            "stages": [
                {"id": stage_id, "name": self.stream.stage(stage_id).name}
                for stage_id in self.stage_ids
            ],
        }

    def submit(self, participant: str, answers: dict[str, StageAnswer]) -> None:
        """Take (or replace, or with no answers take back) one participant's answer."""
        with self._lock:
            if not answers:
                self._answers.pop(participant, None)
            elif participant in self._answers or len(self._answers) < self.max_participants:
                self._answers[participant] = answers
            else:
                raise OverflowError(f"this round takes at most {self.max_participants} answers")
        if self.on_answer is not None:
            self.on_answer()

    @property
    def responses(self) -> int:
        """How many participants have answered."""
        with self._lock:
            return len(self._answers)

    def merge(self) -> SurveyMerge:
        """The answers so far, merged per stage."""
        with self._lock:
            answers = list(self._answers.values())
        return merge_answers(self.stream, self.stage_ids, answers)


def _handler_for(survey: SurveyRound) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one round."""

    class SurveyRequestHandler(BaseHTTPRequestHandler):
        """Serves the round's three routes and refuses everything else."""

        server_version = "VSMapper"
        sys_version = ""
        timeout = REQUEST_TIMEOUT_SECONDS

        def log_message(self, format: str, *args: Any) -> None:
            """Keep participants' requests out of the terminal."""

        def _route(self) -> str | None:
            """``page``, ``map`` or ``answers`` when the path carries the round's token."""
            # In any case: a phone that capitalizes what is typed still reaches the round.
            parts = self.path.split("?", 1)[0].lower().split("/")
            if len(parts) < 3 or parts[0] != "" or parts[1] != "s":
                return None
            if not secrets.compare_digest(parts[2].encode(), survey.token.encode()):
                return None
            rest = "/".join(parts[3:])
            return {"": "page", "map": "map", "answers": "answers"}.get(rest)

        def _send(self, status: HTTPStatus, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Frame-Options", "DENY")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: HTTPStatus, data: object, **headers: str) -> None:
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
            self._send(status, body, "application/json; charset=utf-8", **headers)

        def _error(self, status: HTTPStatus, message: str, **headers: str) -> None:
            self.close_connection = True
            self._json(status, {"error": message}, **headers)

        def do_GET(self) -> None:
            route = self._route()
            if route == "page":
                nonce = secrets.token_urlsafe(12)
                policy = (
                    "default-src 'none'; "
                    f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                    "connect-src 'self'; img-src 'none'; form-action 'none'; "
                    "base-uri 'none'; frame-ancestors 'none'"
                )
                page = SURVEY_PAGE.replace("{{nonce}}", nonce).encode("utf-8")
                self._send(
                    HTTPStatus.OK, page, "text/html; charset=utf-8", Content_Security_Policy=policy
                )
            elif route == "map":
                self._json(HTTPStatus.OK, survey.map_json())
            elif route == "answers":
                self._error(HTTPStatus.METHOD_NOT_ALLOWED, "use POST", Allow="POST")
            else:
                self._error(HTTPStatus.NOT_FOUND, "not found")

        def do_POST(self) -> None:
            route = self._route()
            if route is None:
                self._error(HTTPStatus.NOT_FOUND, "not found")
                return
            if route != "answers":
                self._error(HTTPStatus.METHOD_NOT_ALLOWED, "use GET", Allow="GET")
                return
            length_text = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding") or length_text is None:
                self._error(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length")
                return
            try:
                length = int(length_text)
            except ValueError:
                length = -1
            if length < 0:
                self._error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
                return
            if length > MAX_BODY_BYTES:
                self._error(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"an answer is at most {MAX_BODY_BYTES // 1024} KB",
                )
                return
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                self.rfile.read(length)
                self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
                return
            body = self.rfile.read(length)
            try:
                data = answer_data(body)
                participant, answers = parse_answer(data, survey.stream, survey.stage_ids)
                survey.submit(participant, answers)
            except AnswerError as exc:
                self.close_connection = True
                self._json(HTTPStatus.BAD_REQUEST, exc.to_json())
            except OverflowError as exc:
                self._error(HTTPStatus.TOO_MANY_REQUESTS, str(exc))
            else:
                self._json(HTTPStatus.OK, {"ok": True, "answers": len(answers)})

        def _refuse(self) -> None:
            if self._route() is None:
                self._error(HTTPStatus.NOT_FOUND, "not found")
            else:
                self._error(HTTPStatus.METHOD_NOT_ALLOWED, "not allowed", Allow="GET, POST")

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_TRACE = do_CONNECT = _refuse

    return SurveyRequestHandler
