#!/bin/sh
# scripts/view-seed.sh LSTAR SCALL OUT.html - the trace viewer's page of the
# seed program guests/scall (docs/walkthrough.md links to it; the build
# makes it as build/docs/scall-view.html).  The run is the walkthrough's:
# an empty environment and the program at a path of the same length as
# scripts/walkthrough.sh uses, so the sequence numbers in the page are the
# ones the walkthrough quotes; --seed 1 makes the page the same every time.
set -eu
lstar=$1
scall=$2
out=$3
d=$(mktemp -d /tmp/lstar-wt.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp "$scall" "$d/scall"
mkdir -p "$(dirname "$out")"
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
case $lstar in /*) ;; *) lstar=$(pwd)/$lstar ;; esac
cd "$d"
env -i "$lstar" run --seed 1 --view="$out" "$d/scall" >/dev/null
