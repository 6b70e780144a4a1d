#!/bin/sh
# list_complete.sh DIR HEADER... - fails unless the headers named are
# exactly the *.h files in DIR (tests/headers/CMakeLists.txt lists them).
set -u
dir=$1; shift
status=0
for f in "$dir"/*.h; do
	b=$(basename "$f")
	case " $* " in
	*" $b "*) ;;
	*) echo "FAIL: $dir/$b is not in tests/headers/CMakeLists.txt"; status=1 ;;
	esac
done
for h in "$@"; do
	[ -f "$dir/$h" ] || { echo "FAIL: $h is listed but $dir/$h does not exist"; status=1; }
done
[ $status = 0 ] && echo "ok: $# public headers, all checked"
exit $status
