"""`sdmonitor dashboard`: the streamlit command it becomes, and a real server started with it.

The real-server tests start `sdmonitor dashboard` on a free port against the demo build, look at
which addresses the port is listened on (from /proc/net), send requests the way a browser on
another site would, and stop it with SIGTERM the way systemd or a container runtime does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sdmonitor import cli

# ---------------------------------------------------------------- the command


@pytest.fixture()
def exec_vangen(monkeypatch):
    """Catch os.execve: the command `sdmonitor dashboard` would become, without starting it."""
    gestart = {}

    def nep_execve(path, argv, env):
        gestart.update(path=path, argv=argv, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(cli.os, "execve", nep_execve)
    return gestart


def _optie(argv: list[str], naam: str) -> str:
    return argv[argv.index(f"--{naam}") + 1]


def test_dashboard_replaces_itself_with_streamlit_on_localhost(tmp_path, exec_vangen):
    warehouse = tmp_path / "monitor.duckdb"
    with pytest.raises(SystemExit):
        cli.main(["dashboard", "--warehouse", str(warehouse), "--port", "8599"])
    argv = exec_vangen["argv"]
    assert exec_vangen["path"] == sys.executable and argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert _optie(argv, "server.port") == "8599"
    # This computer only, unless --address says otherwise.
    assert _optie(argv, "server.address") == "127.0.0.1"
    # Viewer mode: no Deploy button or developer menu for the gemeente's users.
    assert _optie(argv, "client.toolbarMode") == "viewer"
    # No tracebacks or exception texts for visitors; XSRF protection on.
    assert _optie(argv, "client.showErrorDetails") == "none"
    assert _optie(argv, "server.enableXsrfProtection") == "true"
    assert exec_vangen["env"]["SDM_WAREHOUSE"] == str(warehouse.resolve())


def test_address_option_binds_elsewhere_and_warns(tmp_path, exec_vangen, capsys):
    with pytest.raises(SystemExit):
        cli.main(["dashboard", "--warehouse", str(tmp_path / "m.duckdb"), "--address", "0.0.0.0"])
    assert _optie(exec_vangen["argv"], "server.address") == "0.0.0.0"
    assert "geen login" in capsys.readouterr().out


@pytest.mark.parametrize(("adres", "lokaal"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("", False), (None, False),
])
def test_which_addresses_are_this_computer_only(adres, lokaal):
    assert cli.is_local(adres) is lokaal


# ---------------------------------------------------------------- a real server


def _vrije_poort() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _luisteraars(poort: int) -> dict[str, set[str]]:
    """Socket inode -> local addresses of every socket in LISTEN state on `poort` (/proc/net)."""
    import ipaddress

    uit: dict[str, set[str]] = {}
    for bestand, breedte in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            regels = Path(bestand).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for regel in regels:
            velden = regel.split()
            adres_hex, poort_hex = velden[1].split(":")
            if velden[3] != "0A" or int(poort_hex, 16) != poort:
                continue
            # /proc/net lists addresses as 32-bit words in host (little-endian) order.
            ruw = bytes.fromhex(adres_hex)
            ruw = b"".join(ruw[i:i + 4][::-1] for i in range(0, breedte, 4))
            uit.setdefault(velden[9], set()).add(str(ipaddress.ip_address(ruw)))
    return uit


def _eigenaars(inodes: set[str]) -> set[int]:
    """The processes holding one of these socket inodes."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                doel = os.readlink(fd)
                if doel.startswith("socket:[") and doel[8:-1] in inodes:
                    pids.add(int(proc.name))
        except OSError:
            continue
    return pids


def _streamlit_processen(poort: str) -> list[int]:
    """Processes running streamlit with `poort` on their command line."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "streamlit" in argv and poort in argv:
            pids.append(int(proc.name))
    return pids


def _start(warehouse: Path, poort: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "GX_ANALYTICS_ENABLED": "False",
        # A service account's environment must not be able to weaken the protections: the
        # command line of `sdmonitor dashboard` wins over these.
        "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false",
        "STREAMLIT_SERVER_ADDRESS": "0.0.0.0",
        "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "sdmonitor.cli", "dashboard", "--warehouse", str(warehouse),
         "--port", str(poort)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sdmonitor dashboard stopped at start (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{poort}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    _opruimen(proc)
    pytest.fail("sdmonitor dashboard did not answer within 90 s")


def _opruimen(proc: subprocess.Popen) -> None:
    """Whatever happened in the test: nothing we started keeps running (our own group only)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def test_dashboard_listens_on_localhost_only_with_xsrf_protection(demo_warehouse):
    poort = _vrije_poort()
    proc = _start(demo_warehouse, poort)
    try:
        luisteraars = _luisteraars(poort)
        assert luisteraars, "nothing listens on the port"
        assert set().union(*luisteraars.values()) == {"127.0.0.1"}
        # The server is this very process (os.execve), not a child left to itself.
        assert _eigenaars(set(luisteraars)) == {proc.pid}
        # XSRF: the server hands out its token cookie, and refuses a state-changing request
        # (a file upload) that does not carry it, as a page on another site would send it.
        with urllib.request.urlopen(f"http://127.0.0.1:{poort}/_stcore/health", timeout=5) as r:
            assert "_streamlit_xsrf=" in (r.headers.get("Set-Cookie") or "")
        verzoek = urllib.request.Request(
            f"http://127.0.0.1:{poort}/_stcore/upload_file/sessie/bestand", data=b"x", method="PUT",
            headers={"Origin": "https://elders.example"},
        )
        with pytest.raises(urllib.error.HTTPError) as fout:
            urllib.request.urlopen(verzoek, timeout=5)
        assert fout.value.code == 403
    finally:
        _opruimen(proc)


def test_sigterm_stops_the_dashboard_within_seconds(demo_warehouse):
    poort = _vrije_poort()
    proc = _start(demo_warehouse, poort)
    try:
        assert _streamlit_processen(str(poort)), "the server's command line names its port"
        proc.send_signal(signal.SIGTERM)  # to the pid `sdmonitor dashboard` was started as
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (_streamlit_processen(str(poort)) or _luisteraars(poort)):
            time.sleep(0.2)
        assert not _streamlit_processen(str(poort)), "a streamlit server outlived sdmonitor dashboard"
        assert not _luisteraars(poort), "the port is still listened on"
    finally:
        _opruimen(proc)
