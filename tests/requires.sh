#!/bin/sh
# requires.sh WHY PATH... -- COMMAND ARGS...
# Runs COMMAND when every PATH exists; otherwise says which is missing and
# why it matters, and exits 77, which ctest reports as "Skipped" (the tests
# set SKIP_RETURN_CODE 77).  A PATH ending in -NOTFOUND is what CMake's
# find_program left for a tool it did not find.  So a test whose tool or
# program is absent is still registered, and shows up as skipped instead
# of vanishing from the list (cmake/LstarTests.cmake: lstar_needs).
why=$1
shift
missing=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	*-NOTFOUND) missing="$missing ${1%-NOTFOUND} (not found when configuring)" ;;
	*) [ -e "$1" ] || missing="$missing $1" ;;
	esac
	shift
done
if [ $# -eq 0 ]; then
	echo "requires.sh: no -- before the command" >&2
	exit 2
fi
shift
if [ -n "$missing" ]; then
	echo "SKIP: missing:$missing: $why"
	exit 77
fi
exec "$@"
