"""The peer: npm's ``oidc-provider`` 9.x, run by ``bench/peer_server.mjs`` beside realmgate.

A figure alone says little on a shared two-core machine; the same requests answered by another
OpenID provider on the same core in the same minutes give a ratio that other load moves much
less. The package is installed under ``bench/peers/`` on first use (ignored by git), and the
server is pinned to the server CPU like realmgate.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import free_port

from bench.server import READY_TIMEOUT, Target, pinned, wait_for_200

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / "peers"
PACKAGE = "oidc-provider@9"
SERVER_SCRIPT = BENCH / "peer_server.mjs"
RS256_CLIENT = "bench-rs256"  # the client ids peer_server.mjs registers
ES256_CLIENT = "bench-es256"
DISCOVERY = "/.well-known/openid-configuration"


def install() -> str:
    """Install the package under ``bench/peers`` unless it is there; returns its version."""
    manifest = PEERS / "node_modules" / "oidc-provider" / "package.json"
    if not manifest.exists():
        PEERS.mkdir(exist_ok=True)
        cmd = ["npm", "install", "--prefix", str(PEERS), "--no-audit", "--no-fund", "--loglevel=error", PACKAGE]
        subprocess.run(cmd, check=True)
    version: str = json.loads(manifest.read_text())["version"]
    return version


def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()


@dataclass
class PeerProcess:
    """The running peer and the client secret both its clients share."""

    base_url: str
    secret: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def target(self) -> Target:
        return Target("peer", self.base_url, self.process.pid)

    def stop(self) -> None:
        """Stop the peer and delete its log's temp dir."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


def start() -> PeerProcess:
    """Start ``peer_server.mjs`` on a free port (``NODE_ENV=production``) and wait for its discovery."""
    port = free_port()
    secret = secrets.token_urlsafe(24)
    log_path = Path(tempfile.mkdtemp(prefix="realmgate-bench-peer-")) / "peer.log"
    env = {**os.environ, "NODE_ENV": "production"}
    with log_path.open("wb") as log:
        cmd = pinned(["node", str(SERVER_SCRIPT), str(port), secret])
        process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    peer = PeerProcess(f"http://127.0.0.1:{port}", secret, process, log_path)
    if not wait_for_200(process, port, DISCOVERY, timeout=READY_TIMEOUT, poll=0.05):
        peer.stop()
        raise RuntimeError(f"the peer did not start:\n{log_path.read_text()[-3000:]}")
    return peer
