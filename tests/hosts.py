"""Worker "hosts" on this machine: network namespaces joined to it by veth pairs
(root and `ip netns` needed). Services listening on 127.0.0.1 here (PostgreSQL,
the broker, Valkey) are reached from a namespace through a small socat forwarder
bound to the host side of its veth; nothing else is touched (no PostgreSQL
listen_addresses or pg_hba change, no iptables). Addresses: one /30 per veth in
10.213.<pid % 250>.0/24, created and removed here."""

import os
import shutil
import signal
import socket
import subprocess
from urllib.parse import urlsplit, urlunsplit

from tests.workers import WorkerProcess, free_port, wait_for


def unavailable() -> str:
    """Why hosts cannot be made here ("" when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip") or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode:
        return "no `ip netns` (iproute2)"
    if not shutil.which("socat"):
        return "no socat (forwards the host's services into the namespaces)"
    return ""


def ip(*args, ns=None, check=True):
    prefix = ["ip", "netns", "exec", ns] if ns else []
    return subprocess.run([*prefix, "ip", *args], check=check, capture_output=True, timeout=30)


class NetnsHost:
    """One worker host: namespace crm-<pid><n>, veth crmh<pid><n> (here) <-> crmn<pid><n> (there)."""

    def __init__(self, index: int):
        tag = f"{os.getpid() % 100000}{index}"
        self.ns, self.veth, self.peer = f"crm-{tag}", f"crmh{tag}", f"crmn{tag}"
        net = f"10.213.{os.getpid() % 250}"
        self.host_ip, self.ip = f"{net}.{4 * index + 1}", f"{net}.{4 * index + 2}"
        self.forwarders, self.workers = [], []

    def start(self):
        ip("netns", "add", self.ns)
        ip("link", "add", self.veth, "type", "veth", "peer", "name", self.peer)
        ip("link", "set", self.peer, "netns", self.ns)
        ip("addr", "add", f"{self.host_ip}/30", "dev", self.veth)
        ip("link", "set", self.veth, "up")
        ip("addr", "add", f"{self.ip}/30", "dev", self.peer, ns=self.ns)
        ip("link", "set", self.peer, "up", ns=self.ns)
        ip("link", "set", "lo", "up", ns=self.ns)
        return self

    def reach(self, url: str) -> str:
        """`url` (a service on 127.0.0.1 here) as seen from inside the namespace."""
        parts = urlsplit(url)
        port = self.forward(parts.port)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"{self.host_ip}:{port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))

    def forward(self, target_port: int) -> int:
        port = free_port()
        proc = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{port},bind={self.host_ip},fork,reuseaddr", f"TCP:127.0.0.1:{target_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.forwarders.append(proc)
        wait_for(lambda: _connects(self.host_ip, port), timeout=10, message=f"socat on {self.host_ip}:{port}")
        return port

    def worker(self, **kwargs) -> WorkerProcess:
        proc = WorkerProcess(wrapper=["ip", "netns", "exec", self.ns], **kwargs).start()
        self.workers.append(proc)
        return proc

    def cut(self):
        """The host dies: its processes are killed, then its link goes down."""
        for proc in self.workers:
            proc.kill()
        ip("link", "set", self.veth, "down")

    def stop(self):
        for proc in self.workers:
            proc.stop(timeout=10)
        for proc in self.forwarders:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
        ip("netns", "del", self.ns, check=False)  # takes the veth pair with it
        ip("link", "del", self.veth, check=False)


def _connects(host, port) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
