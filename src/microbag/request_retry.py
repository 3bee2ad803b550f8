"""Re-running a whole request after a transient database failure (issue 8).

Most routes and pages get their transaction from a shared dependency (``ReadSession``,
``WriteSession``) or open units of work themselves; none of them can re-run itself.
``RetryMiddleware`` re-runs the downstream app instead, with the same policy as
``Database.run``: a deadlock, a serialization failure, or a connection cut before the
commit (``DatabaseTrouble.rerun``), a bounded number of tries with a jittered backoff,
and then the 503 the error handlers answer today. A try is re-run only when

- no response byte has been sent (the client sees one answer, from one try);
- no write has been committed, or may have been, during the try (``CommitWatch``): a
  page that wrote and then failed in a later unit of work answers 503 as before;
- its body could be kept for the next try: bodies are replayed from memory up to
  ``MICROBAG_RETRY_MAX_BODY_BYTES`` (1 MB by default; forms, JSON); larger ones
  (uploads, bounded by their own limits) are streamed through untouched, not re-run;
- the failure was not already re-run by ``Database.run`` (POST /orders, the token
  lookup): those are not tried four times four times.

A try leaves nothing behind: each unit of work rolls back when the error passes
through it, and the database is the only thing requests change today (no mail, no
files, no calls to other services; the token cache and the per-request context
variables are filled again by the next try). A route that starts doing something
outside the database must do it after its commit, or this must learn about it.

The error handlers take part: while a re-run is still possible they re-raise the
failure (``rerun_wanted``) instead of answering, so that it reaches this middleware.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microbag.config import get_settings
from microbag.db import CommitWatch, Database, database_trouble, may_rerun, watching_commits

log = logging.getLogger("microbag.db")

# Where the current try is found in the ASGI scope (by the error handlers).
SCOPE_KEY = "microbag.request_try"


class ReplayableBody:
    """The request body as it is read, kept (by reference, not copied) for the next try.

    Nothing is read ahead: a try reads what it needs, and a later try is first given the
    messages read before, then reads on from the client. Past ``cap`` bytes (or with a
    declared Content-Length past it) nothing is kept and the request cannot be re-run.
    """

    def __init__(self, receive: Receive, *, cap: int, declared: int | None) -> None:
        self._receive = receive
        self._cap = cap
        self._messages: list[Message] = []
        self.buffered_bytes = 0
        self.replayable = declared is None or declared <= cap

    def receiver(self) -> Receive:
        """A ``receive`` for one try: the messages kept so far, then the client's."""
        replayed = 0

        async def receive() -> Message:
            nonlocal replayed
            if replayed < len(self._messages):
                replayed += 1
                return self._messages[replayed - 1]
            message = await self._receive()
            if self.replayable:
                self._keep(message)
                replayed = len(self._messages)
            return message

        return receive

    def _keep(self, message: Message) -> None:
        size = len(message.get("body", b"")) if message["type"] == "http.request" else None
        if size is None or self.buffered_bytes + size > self._cap:
            # Past the cap, or the client has gone (http.disconnect): nothing to re-run.
            self.replayable = False
            self._messages.clear()
            self.buffered_bytes = 0
            return
        self._messages.append(message)
        self.buffered_bytes += size


@dataclass
class RequestTry:
    """One try of a request: its number, and what makes it unsafe to run again."""

    number: int
    attempts: int
    body: ReplayableBody
    watch: CommitWatch = field(default_factory=CommitWatch)
    sent: bool = False

    def may_rerun(self, exc: BaseException) -> bool:
        return (
            self.number < self.attempts
            and not self.sent
            and self.body.replayable
            and may_rerun(exc, self.watch)
        )


def rerun_wanted(scope: Scope, exc: BaseException) -> bool:
    """For the error handlers: re-raise ``exc`` (the request will be run again) rather
    than answer it."""
    current = scope.get(SCOPE_KEY)
    return isinstance(current, RequestTry) and current.may_rerun(exc)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RetryMiddleware:
    """Runs the app again after a transient database failure (see the module's doc)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int | None = None) -> None:
        """``max_body_bytes``: the largest body kept for a re-run (default: the
        ``retry_max_body_bytes`` setting, ``MICROBAG_RETRY_MAX_BODY_BYTES``)."""
        self.app = app
        if max_body_bytes is None:
            max_body_bytes = get_settings().retry_max_body_bytes
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        db: Database = scope["app"].state.db
        body = ReplayableBody(receive, cap=self.max_body_bytes, declared=_declared_length(scope))
        state = scope.get("state")
        number = 1
        while True:
            current = RequestTry(number, db.retry_attempts, body)
            # A fresh scope each try: what the last one noted in it (signed-in user, new
            # cookies) is found again, not inherited.
            try_scope = {**scope, SCOPE_KEY: current}
            if state is not None:
                try_scope["state"] = dict(state)

            async def send_once(message: Message, current: RequestTry = current) -> None:
                current.sent = True
                await send(message)

            with watching_commits() as watch:
                current.watch = watch
                try:
                    await self.app(try_scope, body.receiver(), send_once)
                    return
                except Exception as exc:
                    if not current.may_rerun(exc):
                        raise
                    trouble = database_trouble(exc)
                    what = (str(exc).splitlines() or [type(exc).__name__])[0]
            pause = db.backoff_s(number)
            log.warning(
                "transient database failure (%s) on %s %s, try %d of %d again in %.0f ms: %s",
                trouble.code if trouble else "?",
                scope.get("method"),
                scope.get("path"),
                number,
                current.attempts,
                pause * 1000,
                what,
            )
            await anyio.sleep(pause)
            number += 1
