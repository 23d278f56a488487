"""`sdmonitor dashboard`: the streamlit command it starts (no server is started here)."""

from __future__ import annotations

from sdmonitor import cli


def test_dashboard_starts_streamlit_in_viewer_mode(tmp_path, monkeypatch):
    gestart = {}

    def nep_call(command, env):
        gestart.update(command=command, env=env)
        return 0

    monkeypatch.setattr(cli.subprocess, "call", nep_call)
    warehouse = tmp_path / "monitor.duckdb"
    assert cli.main(["dashboard", "--warehouse", str(warehouse), "--port", "8599"]) == 0
    command = gestart["command"]
    # Viewer mode: no Deploy button or developer menu for the gemeente's users.
    i = command.index("--client.toolbarMode")
    assert command[i + 1] == "viewer"
    assert command[command.index("--server.port") + 1] == "8599"
    assert gestart["env"]["SDM_WAREHOUSE"] == str(warehouse.resolve())
