#!/bin/sh
# run.sh LSTAR KERNEL VENDOR - boots KERNEL with `lstar run --vendor VENDOR
# --kernel KERNEL`, shows its console, and passes when the exit status is 0
# and the console says PASS.
out=$("$1" run --vendor "$3" --kernel "$2" 2>&1 </dev/null)
st=$?
printf '%s\n' "$out"
echo "exit status: $st"
[ "$st" = 0 ] && printf '%s\n' "$out" | grep -q "PASS" && exit 0
exit 1
