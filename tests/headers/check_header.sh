#!/bin/sh
# check_header.sh COMPILER LANG STD INCLUDE_DIR HEADER
# Compiles a file whose only line includes <lstar/HEADER> (nothing before
# it), as LANG (c or c++) in standard STD, with warnings as errors: each
# public header must stand alone.  Exits 77 (ctest: skipped) when
# COMPILER is not there, saying so.
set -u
cc=$1 lang=$2 std=$3 inc=$4 header=$5
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: no $lang compiler found (needed to compile lstar/$header alone)"
	exit 77
fi
printf '#include <lstar/%s>\n' "$header" |
	"$cc" -x "$lang" -std="$std" -Wall -Wextra -pedantic -Werror \
	      -fsyntax-only -I "$inc" - || {
	echo "FAIL: lstar/$header does not compile alone as $lang ($std)"
	exit 1
}
echo "ok: lstar/$header compiles alone as $lang ($std)"
