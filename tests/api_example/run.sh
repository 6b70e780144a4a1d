#!/bin/sh
# run.sh PREFIX - build docs/api.md's example against the lstar installed
# under PREFIX (`cmake --install build --prefix PREFIX`) twice, found once
# with pkg-config and once with CMake's find_package(lstar), and run both.
# Exit status 0 when both build and their tests pass.
set -e
if [ $# -ne 1 ]; then
	echo "usage: $0 PREFIX" >&2
	exit 2
fi
prefix=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib64/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
sh "$here/extract.sh" "$here/../../docs/api.md" "$work/api_example.c"
# --define-prefix: take the prefix from where lstar.pc lies, so a copy
# installed with `cmake --install --prefix` works whatever prefix the build
# was configured with.
cmake -S "$here" -B "$work/build" -DEXAMPLE_SRC="$work/api_example.c" \
	-DPKG_CONFIG_ARGN=--define-prefix >/dev/null
cmake --build "$work/build"
"$work/build/api_example"
echo "--- the same, found with find_package(lstar)"
cmake -S "$here" -B "$work/build-cmake" -DEXAMPLE_SRC="$work/api_example.c" \
	-DUSE_FIND_PACKAGE=ON -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build-cmake"
"$work/build-cmake/api_example"
