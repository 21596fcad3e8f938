#!/bin/sh
# Agent Commander: install agentd on this dev box and enroll it with the control plane at @CONTROL_PLANE_URL@.
#
#   curl -fsSL @CONTROL_PLANE_URL@/install.sh | sh -s -- CODE [--host-name NAME] [--force]
#
# CODE is a one-time enrollment code an admin made on the Hosts page (or POST /v1/hosts/enroll-codes).
# Run as yourself: agentd goes to ~/.local/share/agentd, its config and token (0600) to ~/.config/agentd.
# Run with sudo (| sudo sh -s -- CODE): agentd goes to /opt/agentd, its config to /etc/agentd, the token is given to
# the user who ran sudo, and the systemd unit agentd@.service is installed (not started).
# Needs: a JDK 21 or newer (JAVA_HOME, java on PATH, or under /usr/lib/jvm), curl, tar, gzip.
# Environment: AGENTD_HOME (where agentd goes), AGENTD_CONFIG (where `agentd enroll` writes the config; the token
# goes beside it), JDK_SEARCH_PATH (directories holding JDKs, space-separated; default /usr/lib/jvm).
set -eu

URL='@CONTROL_PLANE_URL@'

say() { printf 'agentd install: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
usage() { die "usage: curl -fsSL $URL/install.sh | sh -s -- CODE [--host-name NAME] [--force]"; }

# --- arguments: the code is data, never code; each value is checked before it is used -------------------------
[ $# -ge 1 ] || usage
code=$1
shift
case $code in
  ace_*) ;;
  *) die "the first argument must be an enrollment code (ace_…), as the Hosts page shows it" ;;
esac
case ${code#ace_} in
  *[!A-Za-z0-9_-]*) die "the enrollment code has characters no code has (copy it again from the Hosts page)" ;;
esac
[ ${#code} -eq 47 ] || die "the enrollment code is ${#code} characters long, a code is 47 (copy it again whole)"
name=""
force=""
while [ $# -gt 0 ]; do
  case $1 in
    --host-name)
      [ $# -ge 2 ] || die "--host-name needs a value"
      name=$2
      shift 2 ;;
    --host-name=*) name=${1#--host-name=}; shift ;;
    --force) force=1; shift ;;
    *) die "unknown option: $1 (only --host-name NAME and --force)" ;;
  esac
done
if [ -n "$name" ]; then
  case $name in
    [A-Za-z0-9]*) ;;
    *) die "--host-name must start with a letter or a digit" ;;
  esac
  case $name in
    *[!A-Za-z0-9._-]*) die "--host-name may hold only letters, digits, '.', '_' and '-'" ;;
  esac
  [ ${#name} -le 64 ] || die "--host-name is at most 64 characters"
fi

# --- a JDK 21 or newer -----------------------------------------------------------------------------------------
java_major() { # the major version of the java program $1, or nothing
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}
java_bin=""
seen=""
consider() { # $1: a java program; keeps the first one that is 21 or newer
  [ -n "$java_bin" ] && return 0
  [ -x "$1" ] || return 0
  v=$(java_major "$1" || true)
  case $v in
    ''|*[!0-9]*) seen="$seen
  $1 (cannot tell its version)"; return 0 ;;
  esac
  if [ "$v" -ge 21 ]; then
    java_bin=$1
  else
    seen="$seen
  $1 (version $v)"
  fi
}
[ -n "${JAVA_HOME:-}" ] && consider "$JAVA_HOME/bin/java"
path_java=$(command -v java 2>/dev/null || true)
[ -n "$path_java" ] && consider "$path_java"
for dir in ${JDK_SEARCH_PATH-/usr/lib/jvm}; do
  for j in "$dir"/*/bin/java; do
    consider "$j"
  done
done
if [ -z "$java_bin" ]; then
  [ -n "$seen" ] || seen="
  (no java at all: not in JAVA_HOME, not on PATH, not under ${JDK_SEARCH_PATH-/usr/lib/jvm})"
  die "agentd needs a JDK 21 or newer. Found:$seen
Install one (Debian 13 / Ubuntu 24.04: sudo apt-get install openjdk-21-jdk-headless; elsewhere Temurin 21+ from
https://adoptium.net) and run this again, with JAVA_HOME set if it is not on PATH."
fi
say "using $java_bin ($(java_major "$java_bin"))"

for tool in curl tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (install it with your package manager)"
done

# --- where things go -------------------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  prefix=${AGENTD_HOME:-/opt/agentd}
  config=${AGENTD_CONFIG:-/etc/agentd/config.yaml}
  owner=${SUDO_USER:-}
else
  prefix=${AGENTD_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/agentd}
  config=${AGENTD_CONFIG:-}
  owner=""
fi
case $prefix in /*) ;; *) die "AGENTD_HOME must be an absolute path (got $prefix)" ;; esac
# an update replaces lib/ and jvm/ below it: never in a directory that holds something other than agentd
if [ -d "$prefix" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ] && [ ! -f "$prefix/agentd.jar" ]; then
  die "$prefix exists and is not an agentd installation (no agentd.jar); empty it or set AGENTD_HOME to another directory"
fi

# --- download and unpack ---------------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/agentd-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
say "downloading agentd from $URL"
curl -fsSL "$URL/downloads/agentd.tar.gz" -o "$tmp/agentd.tar.gz" \
  || die "could not download $URL/downloads/agentd.tar.gz"
mkdir "$tmp/x"
gzip -dc "$tmp/agentd.tar.gz" | (cd "$tmp/x" && tar -xf -) || die "the download is not a valid archive"
[ -f "$tmp/x/agentd/agentd.jar" ] || die "the download holds no agentd/agentd.jar"
mkdir -p "$prefix"
# a new version's libraries replace the old ones (two versions of a jar on one classpath would both load)
rm -rf "$prefix/lib" "$prefix/jvm"
cp -R "$tmp/x/agentd/." "$prefix/"
chmod 755 "$prefix/agentd" "$prefix/agentd-hook"
# the launcher runs this java, whatever PATH or JAVA_HOME a service manager gives it (AGENTD_JAVA still wins)
ln -sf "$java_bin" "$prefix/java"
say "installed agentd in $prefix"

if [ "$(id -u)" -eq 0 ] && [ -f "$prefix/systemd/agentd@.service" ] && [ -d /etc/systemd/system ]; then
  if [ "$prefix" = /opt/agentd ]; then
    cp "$prefix/systemd/agentd@.service" /etc/systemd/system/agentd@.service
    command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload 2>/dev/null || true
    say "installed /etc/systemd/system/agentd@.service"
  else
    say "not installing the systemd unit: it runs /opt/agentd/agentd, and AGENTD_HOME is $prefix"
  fi
fi

# --- enroll ----------------------------------------------------------------------------------------------------
set -- enroll "$URL" "$code"
[ -n "$name" ] && set -- "$@" --host-name "$name"
[ -n "$force" ] && set -- "$@" --force
[ -n "$config" ] && set -- "$@" --config "$config"
[ -n "$owner" ] && set -- "$@" --owner "$owner"
# not exec: the EXIT trap removes the download when agentd enroll is done; the script exits with its status
AGENTD_JAVA="$java_bin" "$prefix/agentd" "$@"
