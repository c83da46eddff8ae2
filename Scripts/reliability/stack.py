"""Starting, killing and restarting the real binaries: the local database, the provider sandbox, the service."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> bool:
    """Waits until `url` answers 2xx; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


class Database:
    """A local database on disk (durable commits) that can be stopped and started again on the same data."""

    def __init__(self, name: str, data_dir: str):
        self.name = name
        self.data_dir = data_dir
        self.port = free_port()
        self.uri = None

    def start(self):
        """Starts the server (on the same port and data every time); takes its URI from dev-db.sh.

        A server of the same name left over from an interrupted run is stopped first."""
        if not os.path.exists(self.data_dir):
            self.stop()
        printed = subprocess.run(
            [os.path.join(ROOT, "Scripts", "dev-db.sh"), "start", "--name", self.name, "--port", str(self.port),
             "--data-dir", self.data_dir, "--sync"],
            check=True, stdout=subprocess.PIPE, text=True).stdout
        self.uri = printed.strip().split("=", 1)[1].strip("'")

    def stop(self):
        subprocess.run([os.path.join(ROOT, "Scripts", "dev-db.sh"), "stop", "--name", self.name],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Process:
    """A binary run in the background with its output in a log file.

    With `new_session`, the process leads a session and process group of its own (not the test's), so that
    `freeze()` and `resume()` can stop and continue exactly it and any children it has, and a Ctrl-C at the
    terminal reaches only the test (which then stops it)."""

    def __init__(self, argv, env, log_path, ready_url, new_session=False):
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.ready_url = ready_url
        self.new_session = new_session
        self.proc = None
        self.frozen = False

    def start(self, timeout: float = 120.0):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=self.new_session)
        log.close()
        self.frozen = False
        if not wait_http(self.ready_url, timeout):
            raise RuntimeError(f"{self.argv[0]} did not become live; see {self.log_path}")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def process_group(self) -> int:
        """The process group `freeze()` and `resume()` signal: the process's own (never the test's)."""
        if not self.alive():
            raise RuntimeError(f"{self.argv[0]} is not running")
        group = os.getpgid(self.proc.pid)
        if not self.new_session or group == os.getpgrp():
            raise RuntimeError(f"{self.argv[0]} shares the test's process group; start it with new_session=True")
        return group

    def freeze(self, settle: float = 2.0):
        """SIGSTOP to the whole process group: every thread stops, mid-call, holding whatever it holds.

        The stop is delivered asynchronously; this waits (up to `settle` seconds) until every thread is stopped."""
        os.killpg(self.process_group(), signal.SIGSTOP)
        self.frozen = True
        deadline = time.monotonic() + settle
        while self.state() != "T" and time.monotonic() < deadline:
            time.sleep(0.005)

    def resume(self):
        """SIGCONT to the whole process group."""
        os.killpg(self.process_group(), signal.SIGCONT)
        self.frozen = False

    def state(self) -> str:
        """The kernel's state letter for the process: `T` once every thread is stopped, otherwise the state of a
        thread that is not (`R`, `S`, …); `?` when unknown."""
        states = []
        try:
            tasks = os.listdir(f"/proc/{self.proc.pid}/task")
        except (OSError, AttributeError):
            return "?"
        for task in tasks:
            try:
                with open(f"/proc/{self.proc.pid}/task/{task}/stat") as handle:
                    states.append(handle.read().rsplit(")", 1)[1].split()[0])
            except (OSError, IndexError):
                continue  # a thread that just ended
        running = [state for state in states if state != "T"]
        return running[0] if running else ("T" if states else "?")

    def kill(self):
        """SIGKILL: no shutdown, no lease released, nothing flushed."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.frozen = False

    def terminate(self, timeout: float = 30.0):
        if self.alive():
            if self.frozen:
                self.resume()  # a stopped process would only act on SIGTERM once continued
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()


class Stack:
    """The database, the sandbox and any number of service instances, all on free loopback ports."""

    def __init__(self, state_dir: str, bin_dir: str, sandbox_env=None, service_env=None):
        self.state_dir = state_dir
        self.bin_dir = bin_dir
        os.makedirs(state_dir, exist_ok=True)
        self.database = Database("reliability-" + os.path.basename(state_dir), os.path.join(state_dir, "db"))
        self.sandbox_port = free_port()
        self.sandbox_env = sandbox_env or {}
        self.service_env = service_env or {}
        self.operator_key = "reliability-operator-key"
        self.sandbox = None
        self.services = {}

    @property
    def sandbox_url(self):
        return f"http://127.0.0.1:{self.sandbox_port}"

    def start(self, instances=("svc-1",)):
        self.database.start()
        env = dict(os.environ, SANDBOX_PORT=str(self.sandbox_port),
                   SANDBOX_DATA_DIR=os.path.join(self.state_dir, "sandbox"), **self.sandbox_env)
        self.sandbox = Process([os.path.join(self.bin_dir, "provider-sandbox")], env,
                               os.path.join(self.state_dir, "sandbox.log"), self.sandbox_url + "/health")
        self.sandbox.start()
        for name in instances:
            self.add_service(name)

    def add_service(self, name: str):
        port = free_port()
        env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", MONGODB_URI=self.database.uri,
                   PAYMENTS_URL=self.sandbox_url, SHIPPING_URL=self.sandbox_url, NOTIFY_URL=self.sandbox_url,
                   API_KEYS=f"{self.operator_key}:operator", LOG_LEVEL="notice",
                   LEASE_DURATION="15s", POLL_INTERVAL="500ms", PLACEMENT_RECOVERY_GRACE="5s")
        env.update(self.service_env)  # a suite's settings win over these defaults
        env.pop("INSTANCE_ID", None)  # each process names itself (host + pid), as a restarted pod would
        # Each instance in a process group of its own: a suite can freeze exactly one (SIGSTOP to its group).
        service = Process([os.path.join(self.bin_dir, "order-saga")], env,
                          os.path.join(self.state_dir, f"{name}.log"), f"http://127.0.0.1:{port}/health/ready",
                          new_session=True)
        service.name = name
        service.port = port
        service.url = f"http://127.0.0.1:{port}"
        service.start()
        self.services[name] = service
        return service

    def restart(self, name: str):
        """Starts a new process in place of `name` (on the same port)."""
        old = self.services[name]
        service = Process(old.argv, old.env, old.log_path, old.ready_url, new_session=old.new_session)
        service.name, service.port, service.url = name, old.port, old.url
        service.start()
        self.services[name] = service
        return service

    def stop(self):
        for service in self.services.values():
            service.terminate()
        if self.sandbox:
            self.sandbox.terminate()
        self.database.stop()
