#!/bin/sh
# list_complete.sh DIR PATTERN LISTED_IN NAME... - fails unless the NAMEs
# are exactly the files in DIR matching the shell PATTERN: a file list kept
# by hand in LISTED_IN (a CMakeLists.txt, instead of a glob) must not
# forget a file nor name one that is gone.
set -u
dir=$1 pattern=$2 where=$3
shift 3
status=0
for f in "$dir"/$pattern; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	case " $* " in
	*" $b "*) ;;
	*) echo "FAIL: $dir/$b is not listed in $where"; status=1 ;;
	esac
done
for n in "$@"; do
	[ -f "$dir/$n" ] || { echo "FAIL: $where lists $n but $dir/$n does not exist"; status=1; }
done
[ $status = 0 ] && echo "ok: the $# files listed in $where are all of $dir/$pattern"
exit $status
