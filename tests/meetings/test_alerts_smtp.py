"""send_alerts with the production settings delivers a digest to a real SMTP server."""

import datetime
import email
import email.policy
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.http import QueryDict

from meetings import alerts
from meetings.models import AlertDigest

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://minutes.example.org"


class Inbox:
    """An aiosmtpd handler keeping every message delivered to it."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    # A free port (the controller checks its server by connecting to the port it was given).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def database_url() -> str:
    """The test database, for a separate process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = f"{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}"
    return f"postgres://{settings['USER']}{password}@{host}/{settings['NAME']}"


def send_alerts_in_production(port: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ssp_archive.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="minutes.example.org",
        DATABASE_URL=database_url(),
        SITE_URL=SITE,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="alerts@minutes.example.org",
    )
    return subprocess.run(
        [sys.executable, "manage.py", "send_alerts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_digest_reaches_an_smtp_server_with_the_production_settings(
    smtp_server, ordinary_user, make_meeting
):
    inbox, port = smtp_server
    ordinary_user.email = "resident@example.org"
    ordinary_user.save()
    alerts.save_alert(ordinary_user, QueryDict("q=nightfall"))
    meeting = make_meeting(
        date=datetime.date(2025, 3, 5),
        items=[{"number": "SSP/9/25", "title": "Operation Nightfall", "minutes_text": "Patrols."}],
    )

    result = send_alerts_in_production(port)

    assert result.returncode == 0, result.stderr
    assert "Sent 1 digest (1 item)." in result.stdout
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert sender == "alerts@minutes.example.org"
    assert recipients == ["resident@example.org"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Message-ID"].strip() == AlertDigest.objects.get().message_id
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    item_url = f"{SITE}/items/{meeting.items.get().pk}/"
    assert item_url in text and f'href="{item_url}"' in html

    again = send_alerts_in_production(port)

    assert again.returncode == 0, again.stderr
    assert len(inbox.messages) == 1
