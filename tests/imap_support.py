"""A real IMAP server on loopback for incoming-mail tests: Debian's dovecot with its own config in a temp folder.

The fixture starts ``dovecot -F`` (foreground, so the test owns the process)
listening on 127.0.0.1 and a free port, with users from a passwd-file and
maildirs in the temp folder; no system service is involved. Test messages
are delivered with IMAP APPEND, exactly as another mail client would file them.
The Makefile's ``install`` target installs the ``dovecot-imapd`` package.
"""
from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.smtp_support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = flowcase-test-{port}
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {internal_user}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
"""


class ImapServer:
    """A running dovecot: ``port``, ``add_user``, ``deliver`` (APPEND) and ``flags`` of what is on the server."""

    def __init__(self, root: Path, port: int, mail_uid: int, mail_gid: int):
        self.root, self.port, self.host = root, port, "127.0.0.1"
        #: With TLS: the IMAPS port and the self-signed certificate (PEM) clients must trust.
        self.imaps_port: int | None = None
        self.cert_file: Path | None = None
        self.mail_uid, self.mail_gid = mail_uid, mail_gid
        self.process: subprocess.Popen | None = None

    def add_user(self, login: str, password: str) -> None:
        home = self.root / "home" / login
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, self.mail_uid, self.mail_gid)
        with open(self.root / "passwd", "a", encoding="utf-8") as passwd:
            passwd.write(f"{login}:{password}:{self.mail_uid}:{self.mail_gid}::{home}\n")

    def connect(self, login: str, password: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(login, password)
        return conn

    def deliver(self, login: str, password: str, raw: bytes, folder: str = "INBOX", flags: str | None = None,
                arrived=None) -> None:
        """File ``raw`` into ``folder`` of ``login``'s mailbox with IMAP APPEND (unread unless ``flags`` say).

        :param arrived: the message's arrival time on the server (an aware datetime); default now.
        """
        conn = self.connect(login, password)
        try:
            if folder != "INBOX":
                conn.create(folder)
            when = imaplib.Time2Internaldate(arrived) if arrived is not None else None
            status, detail = conn.append(folder, flags, when, raw)
            assert status == "OK", detail
        finally:
            conn.logout()

    def flags(self, login: str, password: str, folder: str = "INBOX") -> list[str]:
        """The flags of every message in ``folder``, in order (``"\\\\Seen $FlowcaseFetched"``)."""
        conn = self.connect(login, password)
        try:
            conn.select(folder)
            status, data = conn.fetch("1:*", "(FLAGS)")
            if status != "OK" or data == [None]:
                return []
            # \Recent is the server's session bookkeeping, not something a client set.
            flags = [item.decode().split("FLAGS (", 1)[1].rsplit(")", 2)[0].split() for item in data if item]
            return [" ".join(flag for flag in item if flag != "\\Recent") for item in flags]
        finally:
            conn.logout()

    def unflag_all(self, login: str, password: str) -> None:
        """Take every flag off again, as if nothing had been fetched (a re-fetch must not duplicate)."""
        conn = self.connect(login, password)
        try:
            conn.select("INBOX")
            conn.store("1:*", "-FLAGS", "(\\Seen $FlowcaseFetched)")
        finally:
            conn.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _users() -> tuple[str, str, int, int]:
    """Internal and login users, and the uid/gid mail is stored as: dovecot's own when root, else the caller."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail")
        return "dovecot", "dovenull", mail.pw_uid, mail.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


def _self_signed_certificate(root: Path) -> tuple[Path, Path]:
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@contextmanager
def running_dovecot(tls: bool = False):
    """Start dovecot on 127.0.0.1 (plain IMAP with STARTTLS, and IMAPS, when ``tls``); yields an :class:`ImapServer`."""
    if not os.path.exists(DOVECOT):
        pytest.fail("dovecot is not installed: run `make install` (it installs the dovecot-imapd package)")
    # Not under pytest's tmp_path: its 0700 folders keep dovecot's unprivileged processes out.
    root = Path(tempfile.mkdtemp(prefix="flowcase-dovecot-"))
    root.chmod(0o755)
    internal, login_user, uid, gid = _users()
    port, imaps_port = free_port(), (free_port() if tls else 0)
    ssl = "ssl = no"
    if tls:
        cert, key = _self_signed_certificate(root)
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    (root / "home").mkdir()
    (root / "passwd").touch()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, imaps_port=imaps_port, ssl=ssl,
                                                     internal_user=internal, login_user=login_user))
    server = ImapServer(root, port, uid, gid)
    if tls:
        server.imaps_port, server.cert_file = imaps_port, cert
    server.process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        for wanted in [port, imaps_port] if tls else [port]:
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", wanted), timeout=1):
                        break
                except OSError:
                    if server.process.poll() is not None or time.monotonic() > deadline:
                        error = (server.process.stderr.read().decode(errors="replace")
                                 if server.process.poll() is not None else "")
                        pytest.fail(f"dovecot did not start: {error}\n{server.log()}")
                    time.sleep(0.05)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_server():
    """Dovecot on 127.0.0.1 and a free port, plain IMAP; yields an :class:`ImapServer` (stopped afterwards)."""
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_tls_server():
    """Dovecot with a self-signed certificate for 127.0.0.1: STARTTLS on ``port``, IMAPS on ``imaps_port``."""
    with running_dovecot(tls=True) as server:
        yield server
