# Sourced by the other scripts: creates .venv and installs the project with its dev tools.
# Meltano in a venv of its own: its dependencies need not agree with singer-sdk's; it installs each plugin
# into its own venv under .meltano/ (`meltano install`). Both venvs install at once: pip mostly waits on
# the network and the disk.
[ -x .venv-meltano/bin/python ] || python3 -m venv .venv-meltano
.venv-meltano/bin/python -m pip install -q --disable-pip-version-check "meltano==4.4.1" &
meltano_pip=$!
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1"
.venv/bin/python -m pip install -q --disable-pip-version-check -e . --group dev
wait "$meltano_pip"
