"""Fail when agentloop's public API is less than 95% typed, as pyright measures it.

Runs `pyright --verifytypes agentloop --ignoreexternal` (every exported symbol must
have a type a user's checker can see without guessing) and reads its "Type
completeness score". CI runs it from the repository root:

    python scripts/check_types.py            # threshold 95
    python scripts/check_types.py --min 100  # stricter
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORE = re.compile(r"Type completeness score:\s*([0-9.]+)%")


def completeness(package: str) -> tuple[float, str]:
    """Run pyright's verifytypes on `package`; its score (percent) and its report."""
    pyright = shutil.which("pyright")
    if pyright is None:
        raise SystemExit("pyright is not installed: pip install pyright")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    run = subprocess.run(
        [pyright, "--verifytypes", package, "--ignoreexternal"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,  # pyright exits 1 whenever a symbol is ambiguous; the score decides
    )
    report = run.stdout + run.stderr
    found = SCORE.search(report)
    if found is None:
        raise SystemExit(f"pyright printed no completeness score:\n{report}")
    return float(found.group(1)), report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=95.0, help="lowest passing score (percent)")
    parser.add_argument("--package", default="agentloop")
    args = parser.parse_args(argv)
    score, report = completeness(args.package)
    if score < args.min:
        print(report)
        print(f"FAIL: {args.package} is {score:.1f}% typed; needs {args.min:g}%.")
        print("Annotate the symbols listed above (public attributes, returns, parameters).")
        return 1
    print(
        f"ok: {args.package} is {score:.1f}% typed (pyright --verifytypes, minimum {args.min:g}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
