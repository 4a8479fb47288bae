#!/bin/sh
# Install devenv into its own virtual environment and link it into ~/.local/bin.
#
#   sh install.sh                       from a checkout: an editable install of that checkout
#   sh install.sh --url URL --sha256 H  a release artifact (wheel or sdist), verified before use
#   curl -fsSL .../install.sh | sh -s -- --url URL --sha256 H
#
# Options: --version V, --url URL, --sha256 HEX, --from DIR, --dry-run, --yes, --no-modify-path,
#          --force, --init, --python PATH, --help. See docs/install.md.
#
# The whole body is one function called on the last line, so a download cut short runs nothing.

main() {
    set -eu

    version=""
    url="${DEVENV_INSTALL_URL:-}"
    sha256="${DEVENV_INSTALL_SHA256:-}"
    from=""
    dry_run=0
    assume_yes=0
    modify_path=1
    force=0
    run_init=0
    python=""

    while [ $# -gt 0 ]; do
        case "$1" in
            --version) need_value "$@"; version=$2; shift ;;
            --version=*) version=${1#*=} ;;
            --url) need_value "$@"; url=$2; shift ;;
            --url=*) url=${1#*=} ;;
            --sha256) need_value "$@"; sha256=$2; shift ;;
            --sha256=*) sha256=${1#*=} ;;
            --from) need_value "$@"; from=$2; shift ;;
            --from=*) from=${1#*=} ;;
            --python) need_value "$@"; python=$2; shift ;;
            --python=*) python=${1#*=} ;;
            --dry-run) dry_run=1 ;;
            --yes|-y) assume_yes=1 ;;
            --no-modify-path) modify_path=0 ;;
            --force) force=1 ;;
            --init) run_init=1 ;;
            --help|-h) usage; return 0 ;;
            *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done

    detect_platform
    locate_dirs
    choose_source
    find_python

    target="$venvs/$version-$$"  # a new folder each time: the working install stays until the new one works
    receipt_line="version=$version source=$source_id"
    if [ "$force" = 0 ] && [ -f "$data_dir/receipt" ] && [ "$(cat "$data_dir/receipt")" = "$receipt_line" ] \
        && [ -x "$data_dir/venv/bin/devenv" ]; then
        say "devenv $version is already installed from $source_id: nothing to do (--force reinstalls)"
        link_command
        update_path
        handover
        return 0
    fi

    say "installing devenv $version ($os/$arch) from $source_id"
    say "  virtual environment: $target"
    say "  command:             $bin_dir/devenv"
    confirm "Proceed?" || die "nothing was changed"

    tmp=""
    finished=0
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    if [ "$mode" = release ]; then
        fetch_verified
    fi
    build_venv
    finished=1
    link_command
    update_path
    if [ "$dry_run" = 1 ]; then
        say "dry run: nothing was changed"
        return 0
    fi
    say "devenv $version is installed: $("$data_dir/venv/bin/devenv" --version)"
    handover
}

usage() {
    cat <<'EOF'
install.sh: install devenv into its own virtual environment and link it into ~/.local/bin

  --url URL          a release artifact (wheel or sdist): https URL or local path; {version} is replaced
  --sha256 HEX       its expected sha256 (required with --url: a mismatch installs nothing)
  --version V        the version being installed (with --url); a checkout's comes from pyproject.toml
  --from DIR         install this checkout, editable (default when install.sh sits in a checkout)
  --python PATH      the Python (>= 3.11) to build the virtual environment with
  --dry-run          print what would happen; change nothing
  --yes, -y          do not ask
  --no-modify-path   never edit shell start-up files; print what to add instead
  --force            reinstall even when this version is already installed
  --init             run `devenv init` when done

Environment: DEVENV_INSTALL_URL, DEVENV_INSTALL_SHA256, DEVENV_DATA_DIR, XDG_DATA_HOME.
EOF
}

cleanup() {
    if [ -n "${tmp:-}" ]; then
        rm -rf "$tmp"
    fi
    if [ "${finished:-1}" = 0 ] && [ "$dry_run" = 0 ] && [ -d "${target:-}" ]; then
        rm -rf "$target"  # a half-built environment; the previous install, if any, is untouched
    fi
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: %s\n' "$*" >&2; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

need_value() {
    [ $# -ge 2 ] || die "$1 needs a value"
}

# Run a command, or only show it with --dry-run.
act() {
    if [ "$dry_run" = 1 ]; then
        say "  would run: $*"
    else
        "$@"
    fi
}

# Is there a terminal to talk to? Tried in a subshell: a failed redirection of the special built-in `:`
# would end this very shell (POSIX), silently, with status 2.
have_tty() {
    (: </dev/tty) 2>/dev/null
}

# Ask on the terminal even when the script itself arrives on stdin (curl | sh).
confirm() {
    if [ "$assume_yes" = 1 ] || [ "$dry_run" = 1 ]; then
        return 0
    fi
    if ! have_tty; then
        return 0  # no terminal (CI): proceed, as --yes would
    fi
    printf '%s [Y/n] ' "$1" >/dev/tty
    read -r answer </dev/tty || answer=n
    case "$answer" in
        ''|y|Y|yes|YES) return 0 ;;
        *) return 1 ;;
    esac
}

detect_platform() {
    os=$(uname -s)
    arch=$(uname -m)
    case "$os" in
        Linux) os=linux ;;
        Darwin) os=macos ;;
        *) die "devenv supports Linux and macOS, not $os" ;;
    esac
    case "$arch" in
        x86_64|amd64) arch=x86_64 ;;
        aarch64|arm64) arch=arm64 ;;
        *) warn "untested architecture $arch: devenv is pure Python and may still work" ;;
    esac
}

# platformdirs' user_data_dir for "devenv", unless DEVENV_DATA_DIR says otherwise (as devenv itself does).
locate_dirs() {
    [ -n "${HOME:-}" ] || die "HOME is not set"
    if [ -n "${DEVENV_DATA_DIR:-}" ]; then
        data_dir=$DEVENV_DATA_DIR
    elif [ "$os" = macos ]; then
        data_dir="$HOME/Library/Application Support/devenv"
    else
        data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/devenv"
    fi
    venvs="$data_dir/venvs"
    bin_dir="$HOME/.local/bin"
}

choose_source() {
    if [ -z "$from" ] && [ -z "$url" ]; then
        here=$(script_dir)
        if [ -n "$here" ] && is_checkout "$here"; then
            from=$here
        fi
    fi
    if [ -n "$from" ]; then
        [ -z "$url" ] || die "--from and --url exclude each other"
        is_checkout "$from" || die "$from is not a devenv checkout (no pyproject.toml naming devenv)"
        from=$(cd "$from" && pwd -P)
        mode=checkout
        checkout_version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$from/pyproject.toml" | head -n 1)
        [ -n "$checkout_version" ] || die "cannot read the version from $from/pyproject.toml"
        if [ -n "$version" ] && [ "$version" != "$checkout_version" ]; then
            die "the checkout at $from is devenv $checkout_version, not $version"
        fi
        version=$checkout_version
        source_id="checkout:$from"
        return
    fi
    if [ -z "$url" ]; then
        die "nothing to install from: run install.sh from a devenv checkout, or pass --url and --sha256"
    fi
    [ -n "$sha256" ] || die "--url needs --sha256: devenv never installs a download it cannot verify"
    case "$sha256" in
        *[!0-9a-fA-F]*) die "--sha256 must be 64 hexadecimal characters" ;;
    esac
    [ ${#sha256} -eq 64 ] || die "--sha256 must be 64 hexadecimal characters"
    [ -n "$version" ] || version=$(version_from_name "$url")
    [ -n "$version" ] || die "cannot tell the version from $url: pass --version"
    url=$(printf '%s' "$url" | sed "s/{version}/$version/g")
    mode=release
    source_id="$url#sha256=$sha256"
}

script_dir() {
    case "$0" in
        */install.sh|install.sh) (cd "$(dirname "$0")" 2>/dev/null && pwd -P) || true ;;
        *) ;;
    esac
}

is_checkout() {
    [ -f "$1/pyproject.toml" ] && grep -q '^name = "devenv"' "$1/pyproject.toml" && [ -d "$1/devenv" ]
}

# devenv-1.2.3-py3-none-any.whl or devenv-1.2.3.tar.gz -> 1.2.3
version_from_name() {
    name=${1##*/}
    case "$name" in
        devenv-*.whl) name=${name#devenv-}; printf '%s' "${name%%-*}" ;;
        devenv-*.tar.gz) name=${name#devenv-}; printf '%s' "${name%.tar.gz}" ;;
        *) ;;
    esac
}

find_python() {
    if [ -n "$python" ]; then
        candidates=$python
    else
        candidates="python3.13 python3.12 python3.11 python3"
    fi
    for candidate in $candidates; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$(command -v "$candidate")
            return
        fi
    done
    die "devenv needs Python >= 3.11 with the venv module (Debian/Ubuntu: apt-get install python3-venv; macOS: brew install python)"
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | sed 's/.*= *//'
    else
        die "no sha256 tool (sha256sum, shasum or openssl): refusing to install an unverified download"
    fi
}

# Download (or copy) the release artifact into a temporary folder and verify it: fail closed.
fetch_verified() {
    name=${url##*/}
    name=${name%%\?*}
    if [ "$dry_run" = 1 ]; then
        say "  would download $url and check its sha256 is $sha256"
        artifact="(download)/$name"
        return
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/devenv-install.XXXXXX")
    artifact="$tmp/$name"
    say "  downloading $url"
    case "$url" in
        https://*)
            if command -v curl >/dev/null 2>&1; then
                curl -fsSL --proto '=https' --tlsv1.2 -o "$artifact" "$url" || die "download failed: $url"
            elif command -v wget >/dev/null 2>&1; then
                wget -q --https-only -O "$artifact" "$url" || die "download failed: $url"
            else
                die "neither curl nor wget is installed"
            fi
            ;;
        file://*) cp "${url#file://}" "$artifact" || die "cannot read $url" ;;
        *://*) die "only https:// URLs (or local files) are accepted: $url" ;;
        *) cp "$url" "$artifact" || die "cannot read $url" ;;
    esac
    actual=$(sha256_of "$artifact")
    expected=$(printf '%s' "$sha256" | tr 'A-F' 'a-f')
    if [ "$actual" != "$expected" ]; then
        die "sha256 mismatch for $name: expected $expected, got $actual. Nothing was installed."
    fi
    say "  verified sha256 of $name"
}

# A fresh venv per version; `venv` is a symlink switched only once the new one works.
build_venv() {
    act mkdir -p "$venvs"
    step "creating a virtual environment in $target"
    act "$python" -m venv "$target"
    step "upgrading pip in it"
    pip_install --upgrade pip
    step "installing devenv and its dependencies with pip (a minute or so on a slow network)"
    if [ "$mode" = checkout ]; then
        pip_install --editable "$from"
    else
        pip_install "$artifact"
    fi
    if [ "$dry_run" = 1 ]; then
        say "  would switch $data_dir/venv to $target and record it"
        return
    fi
    "$target/bin/devenv" --version >/dev/null || die "the new installation does not run: $target/bin/devenv"
    ln -sfn "venvs/${target##*/}" "$data_dir/venv"
    printf '%s\n' "$receipt_line" >"$data_dir/receipt"
    for old in "$venvs"/*; do
        [ "$old" = "$target" ] || [ ! -d "$old" ] || rm -rf "$old"
    done
}

# What runs next, after "Proceed?", so a long step is never a silent wait (not in a dry run: it lists them).
step() {
    [ "$dry_run" = 1 ] || say "  $1..."
}

# pip's output goes to a log, shown only when it fails; how long it took is said when it worked.
pip_install() {
    if [ "$dry_run" = 1 ]; then
        say "  would run: $target/bin/python -m pip install $*"
        return
    fi
    log="$data_dir/install.log"
    started=$(date +%s)
    if ! "$target/bin/python" -m pip install --disable-pip-version-check "$@" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        die "pip install $* failed (the whole log: $log)"
    fi
    say "    done in $(($(date +%s) - started))s (pip's log: $log)"
}

link_command() {
    link="$bin_dir/devenv"
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        die "$link exists and is not devenv's link: move it away and run install.sh again"
    fi
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$data_dir/venv/bin/devenv" ]; then
        return
    fi
    act mkdir -p "$bin_dir"
    act ln -sfn "$data_dir/venv/bin/devenv" "$link"
}

# Put ~/.local/bin on PATH: only if it is not there yet, and no start-up file already adds it.
update_path() {
    case ":${PATH:-}:" in
        *":$bin_dir:"*) return ;;
        *) ;;
    esac
    # shellcheck disable=SC2016 # written to the file as is, for the shell to expand later
    line='export PATH="$HOME/.local/bin:$PATH"'
    if [ "$modify_path" = 0 ]; then
        say "$bin_dir is not on PATH: add this line to your shell's start-up file:"
        say "  $line"
        return
    fi
    # SHELL may be unset (cron, CI, `env -i`): then it is a POSIX shell reading ~/.profile.
    login_shell="${SHELL:-/bin/sh}"
    case "$login_shell" in
        */zsh) rc_file="${ZDOTDIR:-$HOME}/.zshrc" ;;
        */bash) rc_file="$HOME/.bashrc" ;;
        *) rc_file="$HOME/.profile" ;;
    esac
    if [ "${login_shell%/fish}" != "$login_shell" ]; then
        fish_conf="$HOME/.config/fish/conf.d/devenv.fish"
        if [ ! -f "$fish_conf" ]; then
            act mkdir -p "$(dirname "$fish_conf")"
            # shellcheck disable=SC2016 # for fish to expand
            write_line 'fish_add_path "$HOME/.local/bin"' "$fish_conf"
        fi
        return
    fi
    for name in .profile .bashrc .bash_profile .zshrc .zprofile; do
        rc="$HOME/$name"
        if [ -f "$rc" ] && grep -q '\.local/bin' "$rc"; then
            say "$rc already puts ~/.local/bin on PATH: open a new shell to use devenv"
            return
        fi
    done
    write_line "$line" "$rc_file"
    say "open a new shell (or run: $line) to use devenv"
}

write_line() {
    if [ "$dry_run" = 1 ]; then
        say "  would add to $2: $1"
        return
    fi
    printf '\n# added by devenv install.sh\n%s\n' "$1" >>"$2"
    say "added $bin_dir to PATH in $2"
}

# --init: run `devenv init` now, on the terminal even when this script arrived through a pipe (curl | sh).
# Otherwise say what to run, with the full path while ~/.local/bin is not on this shell's PATH yet.
handover() {
    [ "$dry_run" = 0 ] || return 0
    devenv_cmd="$data_dir/venv/bin/devenv"
    if [ "$run_init" = 1 ]; then
        say "handing over to devenv init"
        if [ ! -t 0 ] && have_tty; then
            exec "$devenv_cmd" init </dev/tty
        fi
        exec "$devenv_cmd" init
    fi
    case ":${PATH:-}:" in
        *":$bin_dir:"*) shown=devenv ;;
        *) shown="$bin_dir/devenv" ;;
    esac
    say "next: $shown init"
    say "  (or, for the example stack without a question: $shown init --profile example --yes)"
}

main "$@"
