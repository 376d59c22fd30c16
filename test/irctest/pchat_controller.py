"""irctest's controller for pchat: a fresh `pchat serve` per test, on the ports irctest gives.

irctest (../shared/vendor/irctest) imports this module by name (`--controller pchat_controller`,
with this folder on PYTHONPATH); scripts/irctest.sh runs it. Every test gets its own data
directory and SQLite database, so nothing leaks between tests.

How pchat is set up for the suite, with the features a deployment that takes over an IRC network
would switch on (docs/irc.md):
- `irc.guestGroup`: clients that connect without signing in (most of irctest's) get a guest
  account per nick, in the group `irc-guests`;
- `irc.createRoomsIn`: JOIN of a channel that does not exist creates an open room in the
  category `IRC`, managed by the joiner (channel operator), as IRC servers create channels;
- `registerUser` creates a pchat account through the admin API (accounts are pchat's, so
  irctest's SASL tests sign in to real accounts), and adds it to the group `irc-accounts`;
- `accounts.minPasswordLength` is 1, since irctest's passwords are short ("sesame");
- flood control is off, as on the reference servers' irctest configurations.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
from pathlib import Path
import shutil
import signal
import sqlite3
import tempfile
import time
from typing import Any, Dict, List, Optional, Set, Type
import urllib.error
import urllib.request

from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities, OptionalBehaviors

PROJECT = Path(__file__).resolve().parents[2]
# PCHAT_IRCTEST_BIN runs another build (a copy of bin/ and dist/), e.g. while the tree is being rebuilt.
PCHAT_BIN = Path(os.environ.get("PCHAT_IRCTEST_BIN") or PROJECT / "bin" / "pchat.js")
ADMIN_PASSWORD = "irctest-admin-password"
GUEST_GROUP = "irc-guests"
ACCOUNT_GROUP = "irc-accounts"
ROOM_CATEGORY = "IRC"


# What every test's server starts from, made once per pytest worker by the first test: the
# database right after `_set_up` (migrations applied, the administrator with a signed-in session,
# the groups and the category). Copying it spares each later test the migrations, the
# administrator's password hashing and the set-up requests; the server itself starts as usual.
_template: Optional[Dict[str, Any]] = None


def _own_group_ending_with_us() -> None:
    """In the child before exec: its own process group (irctest kills the group), and SIGTERM when
    the pytest worker that started it dies, so an interrupted run leaves no server behind."""
    os.setsid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class PchatController(BaseServerController, DirectoryBasedController):
    software_name = "pchat"
    supported_sasl_mechanisms: Set[str] = {"PLAIN"}
    supports_sts = False
    # Exactly what pchat implements (docs/irc.md, Capabilities): irctest skips the tests of what is
    # not claimed, and a claimed feature must pass all of its tests.
    capabilities = frozenset(
        (
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_JOIN,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MESSAGE_REDACTION,
            Capabilities.MULTI_PREFIX,
            Capabilities.SERVER_TIME,
        )
    )
    optional_behaviors = frozenset(
        (
            OptionalBehaviors.CAP_REQ_MINUS,
            OptionalBehaviors.MULTI_JOIN,
        )
    )
    # irctest reads the server's name from the welcome burst; the same name as the other controllers.
    server_name = "My.Little.Server"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http_port = 0
        self.token: Optional[str] = None
        self.accounts: List[int] = []
        self.account_group = 0

    # ---- the admin API

    def _api(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method)
        request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"pchat {method} {path} answered {error.code}: {error.read().decode()}") from error
        return json.loads(text) if text else None

    def _wait_for_http(self) -> None:
        # Generous: a loaded CI machine starts many servers at once.
        deadline = time.time() + 90
        while True:
            self.check_is_alive()
            try:
                self._api("GET", "/healthz")
                return
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def _set_up(self) -> None:
        session = self._api("POST", "/api/v1/sessions", {"login": "admin", "password": ADMIN_PASSWORD})
        self.token = session["token"]
        guests = self._api("POST", "/api/v1/groups", {"name": GUEST_GROUP})
        accounts = self._api("POST", "/api/v1/groups", {"name": ACCOUNT_GROUP})
        self.account_group = accounts["id"]
        everyone = [{"kind": "group", "id": guests["id"]}, {"kind": "group", "id": accounts["id"]}]
        self._api("POST", "/api/v1/categories", {"name": ROOM_CATEGORY, "allowed": everyone, "creators": everyone})

    # ---- irctest's interface

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str],
        websocket_port: Optional[int],
    ) -> None:
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("Websocket")
        if faketime:
            # Under faketime's accelerated clock pchat's own timers (idle and registration
            # timeouts, the sign-in API) misbehave; the tests that ask for it are skipped.
            raise NotImplementedByController("faketime")
        if password is not None:
            # A server password shared by everyone: pchat's PASS is the user's own credential.
            raise NotImplementedByController("server password")
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.create_config()
        assert self.directory
        (_, self.http_port) = self.get_hostname_and_port()
        listen: Dict[str, Any] = {"host": hostname, "port": port}
        if ssl:
            self.gen_ssl()
            listen["tls"] = {"certFile": str(self.pem_path), "keyFile": str(self.key_path)}
        config = {
            "dataDir": str(self.directory / "data"),
            "http": {"host": "127.0.0.1", "port": self.http_port},
            "irc": {
                "listen": [listen],
                "serverName": self.server_name,
                "network": "pchat-irctest",
                "floodControl": False,
                "guestGroup": GUEST_GROUP,
                "createRoomsIn": ROOM_CATEGORY,
            },
            "accounts": {"minPasswordLength": 1},
            # irctest signs in with wrong passwords on purpose, many times in a row.
            "signInThrottle": {"freeFailuresPerLogin": 1000, "freeFailuresPerAddress": 100000},
            "log": {"level": "silent"},
            "admin": {"password": ADMIN_PASSWORD},
        }
        config_path = self.directory / "pchat.config.json"
        config_path.write_text(json.dumps(config))
        if _template is not None:
            (self.directory / "data").mkdir()
            shutil.copyfile(_template["database"], self.directory / "data" / "pchat.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PCHAT_")}
        node = os.environ.get("PCHAT_IRCTEST_NODE") or shutil.which("node") or "node"
        self.proc = self.execute(
            [node, str(PCHAT_BIN), "--config", str(config_path), "serve"],
            cwd=str(self.directory),
            env=env,
            preexec_fn=_own_group_ending_with_us,
        )
        self._wait_for_http()
        if _template is None:
            self._set_up()
            self._keep_as_template()
        else:
            self.token = _template["token"]
            self.account_group = _template["account_group"]

    def _keep_as_template(self) -> None:
        """Copies the set-up database (SQLite's online backup: consistent while the server runs)."""
        global _template
        assert self.directory
        folder = tempfile.mkdtemp(prefix="pchat-irctest-template-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        database = Path(folder) / "pchat.db"
        source, copy = sqlite3.connect(self.directory / "data" / "pchat.db"), sqlite3.connect(database)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        _template = {"database": database, "token": self.token, "account_group": self.account_group}

    def wait_for_services(self) -> None:
        # Accounts are pchat's own (no separate services package): ready once run() returned.
        pass

    def registerUser(self, case: Any, username: str, password: Optional[str] = None) -> None:
        user = self._api("POST", "/api/v1/users", {"login": username, "password": password or "irctest-password"})
        self.accounts.append(user["id"])
        members = [{"kind": "user", "id": uid} for uid in self.accounts]
        self._api("PATCH", f"/api/v1/groups/{self.account_group}", {"members": members})


def get_irctest_controller_class() -> Type[PchatController]:
    return PchatController
