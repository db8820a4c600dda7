"""Telephony: signed PBX events become one call activity per call, matched to the contact; click-to-call.

The PBX is played by the test: it signs its form posts the Mango Office VPBX
way (``sha256(api_key + json + api_salt)``) or with an HMAC header, and a tiny
HTTP server on 127.0.0.1 receives the click-to-call requests.
"""
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.plugins import hookimpl
from core.state import get_state
from core.users import create_user

KEY, SALT, SECRET = "vpbx-key", "vpbx-salt", "webhook-secret"


class FakePbx:
    """An HTTP server on loopback that records every POST it gets (path, headers, body)."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"result": 1000}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pbx():
    server = FakePbx()
    yield server
    server.close()


@pytest.fixture
def phone_app(make_app, pbx):
    app = make_app(addons=["crm"], WTF_CSRF_ENABLED=True, FLOWCASE_TELEPHONY={
        "mango": {"api_key": KEY, "api_salt": SALT, "api_url": pbx.url + "/vpbx", "extensions": {"101": "alice"}},
        "webhook": {"secret": SECRET, "call_url": pbx.url + "/hook/call", "extensions": {"202": "bob"}},
    })
    with app.app_context():
        from core.demo_users import ensure_demo_users

        alice = ensure_demo_users()["alice"]  # alice and bob, salespeople (password = login)
        records = get_state(app).records(sudo=True)
        contact = records.create("contact", {"first_name": "Ivan", "last_name": "Petrov", "phone": "+7 (495) 123-45-67",
                                             "owner_id": alice.id})
        app.config["CONTACT_ID"] = contact.id
    return app


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def login(client, name):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"login": name, "password": name, "csrf_token": token}).status_code == 302


def mango_post(client, event, data, key=KEY, salt=SALT):
    payload = json.dumps(data)
    sign = hashlib.sha256((key + payload + salt).encode()).hexdigest()
    return client.post(f"/telephony/mango/events/{event}", data={"vpbx_api_key": key, "sign": sign, "json": payload})


def call_activities(app):
    with app.app_context():
        return db.session.execute(sa.text(
            "SELECT a.id, a.subject, a.status, a.contact_id, u.login, t.code, a.description, r.code "
            "FROM crm_activity a JOIN crm_activity_type t ON t.id = a.activity_type_id "
            "LEFT JOIN core_user u ON u.id = a.owner_id LEFT JOIN crm_activity_result r ON r.id = a.result_id")).all()


def test_mango_events_make_one_call_activity_matched_to_the_contact(phone_app):
    client = phone_app.test_client()
    caller = {"number": "84951234567"}  # the contact was typed as +7 (495) 123-45-67
    callee = {"number": "74950000000", "extension": "101"}
    base = {"entry_id": "ENTRY-1", "call_id": "leg-1", "from": caller, "to": callee}
    assert mango_post(client, "call", {**base, "call_state": "Appeared", "timestamp": 1767261600}).status_code == 200
    [(activity_id, subject, status, contact_id, owner, kind, _, _)] = call_activities(phone_app)
    assert (status, contact_id, owner, kind) == ("open", phone_app.config["CONTACT_ID"], "alice", "call")
    assert "+74951234567" in subject
    assert mango_post(client, "call", {**base, "call_state": "Connected", "timestamp": 1767261605}).status_code == 200
    assert mango_post(client, "call", {**base, "call_state": "Disconnected", "timestamp": 1767261665}).status_code == 200
    summary = {"entry_id": "ENTRY-1", "call_direction": 1, "from": caller, "to": callee, "create_time": 1767261600,
               "talk_time": 1767261605, "end_time": 1767261665, "entry_result": 1,
               "recording_url": "https://pbx.example/rec/ENTRY-1.mp3"}
    assert mango_post(client, "summary", summary).status_code == 200
    assert mango_post(client, "summary", summary).status_code == 200  # a retried event changes nothing
    [(same_id, _, status, contact_id, owner, kind, description, result)] = call_activities(phone_app)
    assert same_id == activity_id and status == "done" and result == "completed"
    assert "1:00" in description and "https://pbx.example/rec/ENTRY-1.mp3" in description
    with phone_app.app_context():
        row = db.session.execute(sa.text(
            "SELECT direction, from_number, extension, duration, result FROM core_telephony_call")).one()
    assert tuple(row) == ("in", "+74951234567", "101", 60, "answered")


def test_a_bad_signature_is_refused_logged_and_writes_nothing(phone_app, caplog):
    client = phone_app.test_client()
    data = {"entry_id": "E2", "call_state": "Appeared", "from": {"number": "84951234567"},
            "to": {"extension": "101"}}
    response = mango_post(client, "call", data, salt="wrong-salt")
    assert response.status_code == 403 and response.json["error"]
    assert mango_post(client, "call", data, key="other-key").status_code == 403
    body = json.dumps({"call_id": "W1", "direction": "in", "number": "84951234567", "extension": "202"}).encode()
    forged = client.post("/telephony/webhook/events/appeared", data=body, content_type="application/json",
                         headers={"X-Flowcase-Signature": "sha256=" + "0" * 64})
    assert forged.status_code == 403
    assert "bad signature" in caplog.text
    assert call_activities(phone_app) == []
    with phone_app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM core_telephony_call")) == 0
    assert client.post("/telephony/nope/events/call").status_code == 404


def test_the_signed_webhook_connector_logs_an_outgoing_missed_call(phone_app):
    client = phone_app.test_client()

    def send(event, data):
        body = json.dumps(data).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        return client.post(f"/telephony/webhook/events/{event}", data=body, content_type="application/json",
                           headers={"X-Flowcase-Signature": signature})

    call = {"call_id": "W1", "direction": "out", "number": "+7 495 123 45 67", "extension": "202"}
    assert send("appeared", {**call, "timestamp": "2026-01-01T10:00:00+00:00"}).status_code == 200
    assert send("disconnected", {**call, "timestamp": "2026-01-01T10:00:30+00:00", "result": "missed"}).status_code == 200
    assert send("summary", {"call_id": "W2"}).status_code == 200  # another call
    assert send("connected", {"no_call_id": 1}).status_code == 400
    rows = call_activities(phone_app)
    assert len(rows) == 2
    first = next(r for r in rows if "Outgoing" in r[1])
    assert (first[2], first[3], first[4], first[7]) == ("done", phone_app.config["CONTACT_ID"], "bob", "no_answer")


def test_click_to_call_sends_a_signed_request_to_the_pbx(phone_app, pbx):
    client = phone_app.test_client()
    login(client, "alice")
    card = client.get(f"/contact/{phone_app.config['CONTACT_ID']}").get_data(as_text=True)
    assert 'data-fc-call-field="phone"' in card and "/telephony/call" in card
    token = csrf_token(card)
    assert client.post("/telephony/call", data={"number": "84951234567"}).status_code == 400  # no CSRF token
    response = client.post("/telephony/call", data={"number": "8 (495) 123-45-67", "csrf_token": token},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [(path, headers, body)] = pbx.received
    assert path == "/vpbx/commands/callback"
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert form["vpbx_api_key"] == KEY
    assert form["sign"] == hashlib.sha256((KEY + form["json"] + SALT).encode()).hexdigest()
    command = json.loads(form["json"])
    assert command["from"] == {"extension": "101"} and command["to_number"] == "74951234567"
    # bob's extension is on the webhook connector: HMAC-signed JSON to its call URL.
    other = phone_app.test_client()
    login(other, "bob")
    token = csrf_token(other.get("/profile").get_data(as_text=True))
    assert other.post("/telephony/call", data={"number": "+74951234567", "csrf_token": token}).status_code == 302
    path, headers, body = pbx.received[1]
    assert path == "/hook/call" and json.loads(body) == {"extension": "202", "number": "+74951234567"}
    assert headers["X-Flowcase-Signature"] == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


class ExtraConnector:
    """An add-on's connector, registered through the hook."""

    @staticmethod
    @hookimpl
    def flowcase_register_telephony_connectors(app):
        from core.telephony.connectors import WebhookConnector

        return {"acme": WebhookConnector}


def test_addons_register_connectors_through_the_hook(make_app):
    app = make_app(FLOWCASE_TELEPHONY={"acme": {"secret": "s"}, "unknown": {}})
    with app.app_context():
        from core.telephony.connectors import connectors

        get_state(app).pm.register(ExtraConnector)
        assert set(connectors(app)) == {"acme"}
