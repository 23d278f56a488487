"""The build as the harness runs it: one `sdmonitor build` in its own process.

    python -m bench.child --exports DIR --warehouse FILE --json OUT [--profile DIR]

Does what `sdmonitor build` does (the same `build()` call, with the configuration given by --config) and
writes the step times to OUT as JSON, so the parent needs no parsing of Dutch progress lines. The
parent times the whole process and reads its peak memory with wait4(), so the figures include the
interpreter start and the imports, as a user's `sdmonitor build` does.

The JSON also holds the process's peak memory after each step. With --profile every step runs under
its own cProfile profiler; DIR gets one .prof file per step (`<n>_<step>.prof`) and the JSON names
them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

STARTED = time.perf_counter()

# The build's step names (Dutch, shown to users) and the harness's short names.
STEP_KEYS = {
    "Exports inlezen": "land",
    "Exports valideren": "validate_sources",
    "Indicatoren berekenen (dbt build)": "dbt",
    "Indicatoren valideren": "validate_marts",
    "Publiceren": "publish",
}


def step_key(name: str) -> str:
    return STEP_KEYS.get(name, name)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _measured_steps(profile_dir: Path | None, profiles: dict[str, str], peaks: dict[str, float]) -> None:
    """Wrap sdmonitor.build._step: note the peak memory so far after each step (the peak only
    grows, so the step where it grows is the one that needs it) and, with `profile_dir`, run each
    step under its own profiler."""
    import sdmonitor.build as build_module

    original = build_module._step

    @contextmanager
    def _step(name, summary, progress):
        profiler = cProfile.Profile() if profile_dir else None
        with original(name, summary, progress):
            if profiler:
                profiler.enable()
            try:
                yield
            finally:
                if profiler:
                    profiler.disable()
        peaks[step_key(name)] = _peak_rss_mb()
        if profiler:
            target = profile_dir / f"{len(profiles) + 1}_{step_key(name)}.prof"
            profiler.dump_stats(str(target))
            profiles[step_key(name)] = str(target)

    build_module._step = _step


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.child")
    p.add_argument("--exports", required=True)
    p.add_argument("--warehouse", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--profile", default=None, help="folder for one cProfile file per step")
    p.add_argument("--config", default=None, help="the gemeente's configuration (default: the shipped one)")
    args = p.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

    from sdmonitor.build import build
    from sdmonitor.config import load_config

    imported = time.perf_counter()
    profiles: dict[str, str] = {}
    peaks: dict[str, float] = {}
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    _measured_steps(Path(args.profile) if args.profile else None, profiles, peaks)
    summary = build(Path(args.exports), Path(args.warehouse), config=load_config(args.config),
                    progress=lambda line: print(line, flush=True))
    done = time.perf_counter()
    result = {
        "build_id": summary.build_id,
        "steps": {step_key(name): seconds for name, seconds in summary.steps.items()},
        "in_process_seconds": round(done - STARTED, 3),
        "imports_seconds": round(imported - STARTED, 3),
        "profiles": profiles,
        "peak_rss_mb_after_step": peaks,
    }
    Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
