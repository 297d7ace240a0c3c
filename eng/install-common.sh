# Sourced by the eng/install-*.sh scripts.

# as_root COMMAND...: runs a command as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "$(basename "$0"): '$*' needs root (no sudo found)." >&2
    return 1
  fi
}

# apt_install PACKAGE PURPOSE HINT: installs a Debian package; without apt-get, exits with HINT (what to install by hand).
apt_install() {
  local package=$1 purpose=$2 hint=$3
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$(basename "$0"): apt-get is not available to install '$package' for $purpose; $hint" >&2
    exit 1
  fi
  echo "$(basename "$0"): installing '$package' (Debian package) for $purpose."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package"
}
