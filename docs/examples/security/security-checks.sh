#!/usr/bin/env bash
# Security checks for CI: run on every pull request and, for pip-audit, on a
# schedule too, since new advisories arrive for code that has not changed.
# Needs: pip install bandit pip-audit
set -euo pipefail

SRC_DIR="${SRC_DIR:-src}"
REQUIREMENTS="${REQUIREMENTS:-requirements.txt}"

# Bandit reads the code: shell=True, pickle or yaml.load on input, debug=True,
# hard-coded secrets, requests without a timeout, weak hashes. Report medium
# severity and up (-ll) at medium confidence and up (-ii); a finding that is
# a false positive gets "# nosec B<id>" with a reason next to it.
bandit --recursive "$SRC_DIR" -ll -ii --exclude "$SRC_DIR/tests"

# pip-audit reads the dependencies: every pinned package against the Python
# Packaging Advisory Database. --strict fails the job if a package cannot be
# audited; --desc prints what each advisory is about.
pip-audit --requirement "$REQUIREMENTS" --strict --desc
