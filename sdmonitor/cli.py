"""The `sdmonitor` command line. Each subcommand imports its module only when it runs,
so `sdmonitor --help` and `sdmonitor generate` stay fast (dbt and GX are slow to import)."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import sys
from pathlib import Path

from sdmonitor.config import DASHBOARD_APP, load_config
from sdmonitor.errors import MonitorError


def _generate(args: argparse.Namespace) -> int:
    from sdmonitor.generate import generate

    generate(Path(args.out), scale=args.scale, seed=args.seed, config=load_config(args.config))
    return 0


def _build(args: argparse.Namespace) -> int:
    from sdmonitor.build import build

    build(Path(args.exports), Path(args.warehouse), config=load_config(args.config),
          reuse_earlier_work=not args.no_cache)
    return 0


# Streamlit options the dashboard always runs with; given on the command line, so neither a
# ~/.streamlit/config.toml nor a STREAMLIT_* variable of the service account can weaken them.
DASHBOARD_OPTIONS = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    # Viewer mode: no Deploy button or developer menu for the gemeente's users.
    "client.toolbarMode": "viewer",
    # A visitor never sees a traceback or an exception's text; the app logs it with an error id
    # and shows only that id (dashboard/app.py).
    "client.showErrorDetails": "none",
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
}
LOCALHOST = "127.0.0.1"


def dashboard_command(warehouse: Path, port: int, address: str) -> list[str]:
    """The streamlit command line `sdmonitor dashboard` becomes (argv[0] included)."""
    command = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
               "--server.address", address, "--server.port", str(port)]
    for option, value in DASHBOARD_OPTIONS.items():
        command += [f"--{option}", value]
    return command


def is_local(address: str | None) -> bool:
    """Whether a bind address reaches this computer only (loopback); unset means every interface."""
    if not address:
        return False
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}"


def _dashboard(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        print(f"Let op: {warehouse} bestaat nog niet; het dashboard meldt dat tot er een build is.")
    env = {**os.environ, "SDM_WAREHOUSE": str(warehouse)}
    if args.config:
        env["SDM_CONFIG"] = str(Path(args.config).resolve())
    address = args.address or LOCALHOST
    if not is_local(address):
        print(f"Let op: het dashboard luistert op {address} en heeft geen login: iedereen die deze "
              "computer via het netwerk bereikt, ziet de cijfers.")
    print(f"Dashboard op {_url(address, args.port)} (stoppen met Ctrl+C)", flush=True)
    sys.stderr.flush()
    # Streamlit takes this process's place (same pid), so a SIGTERM or Ctrl+C to
    # `sdmonitor dashboard` reaches the server itself and no orphan server is left behind.
    os.execve(sys.executable, dashboard_command(warehouse, args.port, address), env)
    return 0  # not reached


def _report(args: argparse.Namespace) -> int:
    from sdmonitor.report import write_report

    write_report(Path(args.warehouse), args.period, Path(args.out), config=load_config(args.config))
    return 0


def _benchmarks_update(args: argparse.Namespace) -> int:
    from sdmonitor.benchmarks import update_benchmarks

    print(update_benchmarks(load_config(args.config)).bericht)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from sdmonitor.transform import generate_docs

    page = generate_docs(Path(args.warehouse).resolve(), Path(args.out), config=load_config(args.config))
    print(f"dbt-documentatie geschreven: {page}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from sdmonitor.doctor import doctor

    return doctor(Path(args.warehouse), config=load_config(args.config))


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="sdmonitor", description="Sociaal Domein Monitor")
    main.add_argument("--config", help="gemeente-configuratie (standaard config/gemeente.toml of $SDM_CONFIG)")
    sub = main.add_subparsers(dest="command", required=True)

    p = sub.add_parser("generate", help="demo-exports schrijven volgens het datacontract")
    p.add_argument("--out", required=True, help="map voor de exports")
    p.add_argument("--scale", type=float, default=1.0, help="1 = Deventer, 170 = ongeveer alle gemeenten")
    p.add_argument("--seed", type=int, default=2025)
    p.set_defaults(func=_generate)

    p = sub.add_parser("build", help="exports inlezen, valideren, indicatoren berekenen en publiceren")
    p.add_argument("--exports", required=True, help="map met <bron>/<bron>_<jjjjmmdd>.csv")
    p.add_argument("--warehouse", required=True, help="het gepubliceerde DuckDB-bestand")
    p.add_argument("--no-cache", action="store_true",
                   help="alle exports opnieuw inlezen en valideren, ook wat een eerdere build ongewijzigd las")
    p.set_defaults(func=_build)

    p = sub.add_parser("dashboard", help="het dashboard starten")
    p.add_argument("--warehouse", required=True)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default=None,
                   help=f"netwerkadres om op te luisteren (standaard {LOCALHOST}: alleen deze computer)")
    p.set_defaults(func=_dashboard)

    p = sub.add_parser("report", help="de halfjaarlijkse raadsbriefing (PDF en HTML)")
    p.add_argument("--warehouse", required=True)
    p.add_argument("--period", required=True, help="bijvoorbeeld 2025-H2")
    p.add_argument("--out", required=True, help="PDF-bestand; de HTML komt ernaast")
    p.set_defaults(func=_report)

    p = sub.add_parser("benchmarks", help="landelijke cijfers")
    bench_sub = p.add_subparsers(dest="benchmarks_command", required=True)
    u = bench_sub.add_parser("update", help="benchmarks verversen bij CBS (of het meegeleverde bestand)")
    u.set_defaults(func=_benchmarks_update)

    p = sub.add_parser("docs", help="de dbt-documentatie (modellen, kolommen, definities) als HTML")
    p.add_argument("--warehouse", required=True, help="een gebouwd warehouse (de build-database ernaast wordt gebruikt)")
    p.add_argument("--out", default="docs/dbt", help="map voor de documentatie")
    p.set_defaults(func=_docs)

    p = sub.add_parser("doctor", help="installatie en warehouse controleren")
    p.add_argument("--warehouse", required=True)
    p.set_defaults(func=_doctor)
    return main


def _is_disk_full(error: BaseException) -> bool:
    """ENOSPC from Python, or DuckDB's own wording of it, anywhere in the chain of causes."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        if "no space left on device" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as error:  # a full disk is the one system error users can fix
        # Checked first: dbt reports a full disk as a failed model, which is a MonitorError.
        if not _is_disk_full(error):
            if isinstance(error, MonitorError):
                print(f"FOUT: {error}", file=sys.stderr)
                return 1
            raise
        gevolg = (
            "; de build is gestopt en het gepubliceerde warehouse is ongewijzigd"
            if args.command == "build" else ""
        )
        print(
            f"FOUT: de schijf is vol{gevolg}. Maak ruimte vrij en probeer opnieuw. "
            f"(Technische melding: {_first_line(error)})",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
