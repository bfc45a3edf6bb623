#!/bin/sh
# google-genai 1.55 (the SDK the Interactions guide was written for) in its own
# virtualenv, for tests/examples/test_guide_snippets.py. Usage: .ci/genai155.sh [DIR]
# then export AGENTLOOP_GENAI155_PYTHON=DIR/bin/python (default DIR: /work/venv-genai155).
set -eu
DIR="${1:-/work/venv-genai155}"
python3 -m venv "$DIR"
"$DIR/bin/pip" install --quiet "google-genai==1.55.0"
"$DIR/bin/python" -c "import google.genai; print('google-genai', google.genai.__version__, 'in', '$DIR')"
