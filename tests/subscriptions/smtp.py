"""A local SMTP server for tests and benchmarks (aiosmtpd), and helpers around it.

`SmtpSink` runs in the test process (a thread with its own event loop) and records every
message it accepts. Like a real server, it has accepted a message only once it answered
250 to the end of DATA; a message whose client went away before that is not recorded.
A "gate" holds messages from the k-th on inside DATA until the test opens it, which is
how the fault tests kill a worker at a chosen point of a batch.

`python -m tests.subscriptions.smtp --port N` runs a counting sink in its own process (for
the benchmark: the sink must not share a GIL with what is measured). It prints
`ready <port>` once listening, and answers every line read on stdin with the number of
messages accepted so far.
"""

import argparse
import asyncio
import contextlib
import email
import email.policy
import logging
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll `condition()` until it returns something truthy; AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Received:
    """One message the sink accepted."""

    sender: str
    recipients: tuple[str, ...]
    message: email.message.EmailMessage
    raw: bytes

    def __getitem__(self, header):
        """The header decoded (RFC 2047), as a mail client shows it."""
        return self.message[header]

    def raw_header(self, name):
        """The header as it was sent, unfolded: what a mail client parses links from."""
        value = email.message_from_bytes(self.raw, policy=email.policy.compat32)[name]
        return None if value is None else "".join(value.splitlines())


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink._lock:
            sink._data_commands += 1
            number = sink._data_commands
            hold = sink._hold_from is not None and number >= sink._hold_from
            if hold:
                sink._holding += 1
        if hold:
            try:
                while not sink._gate_open.is_set():
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                # aiosmtpd cancels the session when its client disconnects.
                with sink._lock:
                    sink.dropped += 1
                raise
            finally:
                with sink._lock:
                    sink._holding -= 1
        if server.transport is None or server.transport.is_closing():
            # The client is gone: the answer would reach nobody, so nothing was accepted.
            with sink._lock:
                sink.dropped += 1
            return "451 4.4.2 Client went away"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with sink._lock:
            sink._received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed, envelope.content)
            )
        return "250 2.0.0 Accepted"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts everything and remembers what it accepted."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._data_commands = 0
        self._hold_from = None
        self._holding = 0
        self._gate_open = threading.Event()
        self._gate_open.set()
        self.dropped = 0
        self._controller = Controller(
            _Handler(self), hostname=HOST, port=self.port, server_hostname="sink.test"
        )

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command
        self._controller.start()
        return self

    def stop(self):
        self._gate_open.set()
        self._controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def per_recipient(self) -> Counter:
        return Counter(rcpt for message in self.messages for rcpt in message.recipients)

    def hold_from(self, number: int):
        """Hold every message from the `number`-th DATA on until `release()`."""
        with self._lock:
            self._gate_open.clear()
            self._hold_from = self._data_commands + number

    @property
    def holding(self) -> int:
        with self._lock:
            return self._holding

    def release(self):
        """Let held messages finish: accepted if their client is still there, else dropped."""
        with self._lock:
            self._hold_from = None
        self._gate_open.set()


@contextlib.contextmanager
def smtp_sink():
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


# ------------------------------------------------------------------------------
# A counting sink in its own process (benchmark)
# ------------------------------------------------------------------------------
class _Counter:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 2.0.0 Accepted"


def serve_counting(port: int) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    counter = _Counter()
    controller = Controller(counter, hostname=HOST, port=port, server_hostname="sink.test")
    controller.start()
    print(f"ready {port}", flush=True)
    try:
        for _line in sys.stdin:
            print(counter.count, flush=True)
    finally:
        controller.stop()


class CountingSinkProcess:
    """The counting sink as a child process: `count()` asks it how many it accepted."""

    def __init__(self, python: str = sys.executable):
        import subprocess

        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [python, "-m", "tests.subscriptions.smtp", "--port", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"SMTP sink did not start: {line!r}")

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        from tests.subscriptions.workers import process_cpu_seconds

        return process_cpu_seconds(self.process.pid)

    def count(self) -> int:
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except Exception:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    serve_counting(parser.parse_args().port or free_port())
