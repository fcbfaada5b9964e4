# Sourced by the other scripts: creates .venv and installs the project with its dev tools.
# Meltano in a venv of its own: its dependencies need not agree with singer-sdk's; it installs each plugin
# into its own venv under .meltano/ (`meltano install`). pip installs uv, and uv the rest: on a fresh clone
# pip took half a minute of CPU to install what uv installs in seconds. Both venvs install at once.
# Compiled at install (uv's --compile-bytecode, compileall for the checkout's packages): where
# PYTHONDONTWRITEBYTECODE is set, as on CI, a process would otherwise compile every module it imports.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check "uv>=0.8"
[ -x .venv-meltano/bin/python ] || .venv/bin/uv venv -q .venv-meltano
.venv/bin/uv pip install -q --compile-bytecode --python .venv-meltano/bin/python "meltano==4.4.1" &
meltano_pip=$!
.venv/bin/uv pip install -q --compile-bytecode --python .venv/bin/python -e . --group dev
.venv/bin/python -m compileall -q -j 0 shopify_admin shopify_admin_emulator tap_shopify_admin target_shopify_admin
wait "$meltano_pip"
