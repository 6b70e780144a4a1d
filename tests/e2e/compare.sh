#!/bin/sh
# compare.sh - run a program natively and under lstar; pass when standard
# output and exit status are the same.  Standard error is not compared
# (lstar adds its own fault messages there), but is shown on failure,
# unless --stderr asks for it to be the same too.
#
# usage: compare.sh LSTAR [--stdin FILE] [--env NAME=VALUE]... [--flag F]... [--stderr] [--sh] -- PROGRAM [ARGS...]
#   --flag F   pass F to `lstar run` (e.g. --flag --vendor --flag amd)
#   --stderr   standard error must be the same too (for programs that
#              end normally: lstar reports a death by signal there)
#   --sh   PROGRAM ARGS is a shell pipeline template: the word @RUN@ is
#          replaced by nothing natively and by "LSTAR run" under lstar.
# Each side runs in its own fresh scratch directory.
set -u
lstar=$1; shift
stdin=/dev/null
envs=
flags=
shmode=0
errtoo=0
while [ $# -gt 0 ]; do
	case $1 in
	--stdin) stdin=$2; shift 2 ;;
	--env) envs="$envs $2"; shift 2 ;;
	--flag) flags="$flags $2"; shift 2 ;;
	--sh) shmode=1; shift ;;
	--stderr) errtoo=1; shift ;;
	--) shift; break ;;
	*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lstar-e2e.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/native" "$tmp/lstar"

run() {	# run SIDE PREFIX...
	side=$1; shift
	if [ $shmode = 1 ]; then
		cmd=$(printf '%s' "$*" | sed "s#@RUN@#$runner#g")
		(cd "$tmp/$side" && env $envs sh -c "$cmd") <"$stdin" >"$tmp/$side.out" 2>"$tmp/$side.err"
	else
		(cd "$tmp/$side" && env $envs $runner "$@") <"$stdin" >"$tmp/$side.out" 2>"$tmp/$side.err"
	fi
}

runner=
run native "$@"; nst=$?
runner="$lstar run$flags"
run lstar "$@"; lst=$?

same_err=1
if [ $errtoo = 1 ] && ! cmp -s "$tmp/native.err" "$tmp/lstar.err"; then
	same_err=0
fi
if [ $nst -eq $lst ] && cmp -s "$tmp/native.out" "$tmp/lstar.out" && [ $same_err = 1 ]; then
	if [ $errtoo = 1 ]; then
		echo "ok: status $lst, $(wc -c <"$tmp/lstar.out") bytes of identical output, $(wc -c <"$tmp/lstar.err") of identical standard error"
	else
		echo "ok: status $lst, $(wc -c <"$tmp/lstar.out") bytes of identical output"
	fi
	exit 0
fi
echo "MISMATCH for: $*"
echo "exit status: native $nst, lstar $lst"
echo "--- stdout diff (native vs lstar) ---"
diff "$tmp/native.out" "$tmp/lstar.out" | head -40
if [ $errtoo = 1 ]; then
	echo "--- stderr diff (native vs lstar) ---"
	diff "$tmp/native.err" "$tmp/lstar.err" | head -20
else
	echo "--- lstar stderr ---"
	head -20 "$tmp/lstar.err"
fi
exit 1
