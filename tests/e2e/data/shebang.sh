#!/bin/sh
# run as a program (lstar run FILE, execve from a shell): the kernel's
# binfmt_script starts /bin/sh with this file's path (tests/e2e/dynamic.cmake)
echo "script: $# arguments: $*"
for w in "$@"; do
	printf '%s\n' "$w"
done | sort
x=$(echo "$0" | sed 's|.*/||')
echo "name: $x"
