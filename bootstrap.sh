#!/bin/sh
# Set up runyard on a Debian 12 machine and either open the demo or run the tests.
#
#   ./bootstrap.sh demo    install what is missing, build, open the TUI on a demo workspace
#   ./bootstrap.sh test    install what is missing, build, run the whole test suite
#   ./bootstrap.sh build   install what is missing and build
#
# Idempotent: apt-get runs only for packages that are not installed yet, and
# configure/make run only when needed.  RY_CONFIGURE_FLAGS adds configure options
# (CI passes --enable-werror).
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake libtool pkg-config libncurses-dev libsqlite3-dev \
libgit2-dev libssh2-1-dev libcurl4-openssl-dev libcjson-dev libcmocka-dev \
tmux openssh-server openssh-client sqlite3 git python3 iproute2 ncurses-term locales \
python3-flask python3-sqlalchemy python3-alembic python3-click python3-yaml python3-protobuf \
python3-requests python3-packaging python3-entrypoints python3-importlib-metadata python3-sqlparse \
python3-tz python3-six python3-gunicorn curl openssl \
slurmctld slurmd slurm-client munge \
clang llvm"
# (the second half: what the real MLflow 2.10.2 server of the tests needs,
# ../shared/mlflow-kit/deps.txt; tests/mlflow/kit.sh finds the kit; then
# clang with libFuzzer and llvm-symbolizer for `make fuzz`, which CI runs)

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

flags="${RY_CONFIGURE_FLAGS:-}"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ] || [ "$(cat .configure-flags 2>/dev/null)" != "$flags" ]; then
	# shellcheck disable=SC2086
	./configure -q $flags
	echo "$flags" > .configure-flags
fi
make -j"$(nproc)" >/dev/null

case "${1:-demo}" in
demo)  exec ./runyard --demo ;;
test)  exec make -j"$(nproc)" check ;;
build) echo "bootstrap: built ./runyard" ;;
*)     echo "usage: ./bootstrap.sh demo|test|build" >&2; exit 2 ;;
esac
