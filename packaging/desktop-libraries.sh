#!/usr/bin/env bash
# The Debian packages Qt's xcb platform (the app's window on X11) loads, found with ldd on
# PySide6's plugins/platforms/libqxcb.so and xcbglintegrations/*.so. Without them the app
# aborts with "Could not load the Qt platform plugin xcb".
# Installs the missing ones when run as root with apt-get; otherwise names them in one line.
set -euo pipefail
PACKAGES=(
  libdbus-1-3 libegl1 libfontconfig1 libfreetype6 libgl1 libglib2.0-0 libglx0 libx11-6
  libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0
)
if [[ "${1:-}" == "--list" ]]; then
  echo "${PACKAGES[@]}"
  exit 0
fi
command -v dpkg-query >/dev/null || exit 0  # Not Debian or Ubuntu: nothing to check.
missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing the libraries Qt needs for the app's window: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "VSMapper's window needs these Debian packages: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
