# Sourced by scripts/serve and scripts/test: make .venv and install the project, its plugins and
# the pinned dependencies into it. Nothing but python3 (3.11+) is needed beforehand.
# Re-running is cheap: the install is redone only when a setup.cfg or constraints.txt changed.

ensure_venv() {
    local extras="$1"
    local python="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local plugin_args=() plugin_configs=() plugin
    for plugin in plugins/*/; do
        if [ -f "$plugin/setup.cfg" ]; then
            plugin_args+=(-e "$plugin")
            plugin_configs+=("$plugin/setup.cfg")
        fi
    done
    local stamp
    stamp="$(cat setup.cfg constraints.txt "${plugin_configs[@]}" | sha256sum | cut -c1-16)-$extras"
    if [ "$(cat .venv/.installed 2>/dev/null)" != "$stamp" ]; then
        echo "Installing ExaRoutes and its plugins into .venv ..." >&2
        # setuptools<82: Pyramid still imports pkg_resources (removed in setuptools 82).
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
            "setuptools<82" -e ".$extras" "${plugin_args[@]}"
        echo "$stamp" > .venv/.installed
    fi
}
