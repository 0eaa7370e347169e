"""The outbox's channels: e-mail through an SMTP server, WhatsApp through an HTTP gateway.

Each channel calls ``hand_over()`` right before the step that may deliver the message (SMTP's
DATA, the gateway's POST) and classifies what went wrong: ``Transient`` (nothing delivered,
try again later), ``Permanent`` (nothing delivered, trying again will not help) or ``InDoubt``
(the message may have been delivered: never retried by itself).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import smtplib
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

HandOver = Callable[[], None]


class DeliveryError(Exception):
    """A delivery attempt that did not end in a confirmed send."""


class Transient(DeliveryError):
    """Not delivered; worth trying again later."""


class Permanent(DeliveryError):
    """Not delivered, and trying again will not help (bad address, refused)."""


class InDoubt(DeliveryError):
    """The message may have been delivered: the answer never came."""


@dataclass(frozen=True)
class Outgoing:
    """One message to one address, as the sender composed it."""

    key: str
    to: str
    subject: str
    body: str

    @property
    def message_id(self) -> str:
        """Stable per delivery key: a resend is recognisably the same message."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:40]


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing, hand_over: HandOver) -> str: ...


class SmtpChannel:
    """E-mail through ``ALUR_SMTP_URL``: smtp://[user:pass@]host[:port][?starttls=1], or
    smtps:// for TLS from the first byte."""

    name = "email"

    def __init__(self, url: str, mail_from: str, timeout: float = 30.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError("ALUR_SMTP_URL must look like smtp://user:pass@host:port")
        self.tls = parsed.scheme == "smtps"
        self.host = parsed.hostname
        self.port = parsed.port or (465 if self.tls else 25)
        self.user = unquote(parsed.username or "")
        self.password = unquote(parsed.password or "")
        self.starttls = parse_qs(parsed.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.mail_from, self.timeout = mail_from, timeout
        self.domain = parseaddr(mail_from)[1].rpartition("@")[2] or "alur.local"

    def compose(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.mail_from, message.to, message.subject
        mail["Message-ID"] = f"<{message.message_id}@{self.domain}>"
        mail["Date"] = formatdate(localtime=False)
        mail.set_content(message.body)
        return mail

    def send(self, message: Outgoing, hand_over: HandOver) -> str:
        envelope_from = parseaddr(self.mail_from)[1]
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        try:
            smtp = smtp_class(self.host, self.port, timeout=self.timeout)
            try:
                smtp.ehlo_or_helo_if_needed()
                if self.starttls:
                    smtp.starttls()
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
                _check(*smtp.mail(envelope_from), "MAIL FROM")
                _check(*smtp.rcpt(message.to), "RCPT TO")
                hand_over()
                return _data(smtp, self.compose(message).as_bytes())
            finally:  # QUIT's answer changes nothing once DATA was answered
                with suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, str(exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:  # before the hand-over: not sent
            raise Transient(f"{type(exc).__name__}: {exc}") from exc


def _data(smtp: smtplib.SMTP, body: bytes) -> str:
    """DATA: a reply means the server decided; a lost connection leaves it in doubt."""
    try:
        code, reply = smtp.data(body)
    except smtplib.SMTPDataError as exc:
        raise _by_code(exc.smtp_code, str(exc.smtp_error)) from exc
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise InDoubt(f"no answer to DATA: {exc}") from exc
    text = reply.decode(errors="replace")
    if code != 250:  # smtplib checks only DATA's 354, not the answer to the message
        raise _by_code(code, text)
    return f"{code} {text}"


def _check(code: int, reply: bytes, what: str) -> None:
    if code not in (250, 251):
        raise _by_code(code, f"{what}: {reply.decode(errors='replace')}")


def _by_code(code: int, text: str) -> DeliveryError:
    return Permanent(f"{code} {text}") if 500 <= code < 600 else Transient(f"{code} {text}")


def whatsapp_number(text: str) -> str:
    """Digits in international form: 0812… becomes 62812…"""
    digits = "".join(c for c in text if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class WhatsAppChannel:
    """WhatsApp through an HTTP gateway (``ALUR_WHATSAPP_URL``): a JSON POST of
    ``{"to", "message", "id"}`` with ``Authorization: Bearer ALUR_WHATSAPP_TOKEN`` and
    ``Idempotency-Key: id``; any 2xx is a send."""

    name = "whatsapp"

    def __init__(self, url: str, token: str = "", timeout: float = 30.0) -> None:
        if urlparse(url).scheme not in ("http", "https"):
            raise ValueError("ALUR_WHATSAPP_URL must be an http(s) URL")
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: Outgoing, hand_over: HandOver) -> str:
        payload = {"to": whatsapp_number(message.to), "id": message.message_id,
                   "message": f"{message.subject}\n\n{message.body}"}
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, json.dumps(payload).encode(), headers,
                                         method="POST")
        hand_over()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return f"{response.status} {response.read(200).decode(errors='replace')}"
        except urllib.error.HTTPError as exc:  # the gateway answered: it did not take it
            text = f"HTTP {exc.code} {exc.reason}"
            raise (Transient(text) if exc.code in (408, 429) or exc.code >= 500
                   else Permanent(text)) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                raise Transient(f"gateway unreachable: {exc.reason}") from exc
            raise InDoubt(f"no answer from the gateway: {exc.reason}") from exc
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            raise InDoubt(f"no answer from the gateway: {exc}") from exc
