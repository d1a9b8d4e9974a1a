#!/bin/sh
# Creates .venv-uno: a venv on Debian's system Python (the only one with `uno`) holding unoserver.
# The project's own venv cannot import `uno`, so the converter workers run from this one.
# Idempotent: does nothing when the venv already imports both modules.
set -eu

ROOT="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
VENV="$ROOT/.venv-uno"
SYSTEM_PYTHON="${UNO_SYSTEM_PYTHON:-/usr/bin/python3}"
UNOSERVER_VERSION="3.7"

if [ -x "$VENV/bin/unoserver" ] && "$VENV/bin/python" -c "import uno, unoserver" 2>/dev/null; then
    exit 0
fi

if ! "$SYSTEM_PYTHON" -c "import uno" 2>/dev/null; then
    echo "setup_uno.sh: $SYSTEM_PYTHON cannot import uno; install python3-uno (Debian)" >&2
    exit 1
fi

"$SYSTEM_PYTHON" -m venv --system-site-packages "$VENV"
"$VENV/bin/pip" install --quiet "unoserver==$UNOSERVER_VERSION"
"$VENV/bin/python" -c "import uno, unoserver"
