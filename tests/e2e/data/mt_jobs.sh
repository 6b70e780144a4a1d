# run by busybox sh under lstar and natively (tests/e2e/mt.cmake,
# mt_busybox_sh_jobs): subshells, command substitution, background jobs
# that run while the shell goes on, wait and its statuses, kill.
# The sleeps order the output: 0.3 s apart, far more than a fork and exec.
bb=${BB:-busybox}

# subshells and command substitution
x=$( (echo inner; $bb echo sub) | $bb wc -l)
echo "lines from a subshell pipeline: $x"
y=$(echo "$($bb echo nested $($bb echo twice))")
echo "nested substitution: $y"
z=`$bb seq 1 5 | $bb tr '\n' +`
echo "backquotes: ${z}0 = $((${z}0))"
big=$($bb seq 1 100000 | $bb wc -c)
echo "substitution of a 100000-line pipeline: $big bytes"
here=$PWD
(cd /; echo "subshell cwd $PWD")
[ "$PWD" = "$here" ] && echo "parent cwd unchanged"
v=outer; (v=inner); echo "subshell variable did not leak: $v"

# background jobs end in the order of their sleeps, not of their start
for i in 9 6 3; do ( $bb sleep 0.$i; echo "job that slept 0.$i s" ) & done
echo "started 3 jobs"
wait
echo "all jobs done"

# the foreground goes on while a background job sleeps
( $bb sleep 0.3; echo "background finished" ) &
echo "foreground first"
wait

# wait PID gives that job's status
(exit 7) & p=$!
wait $p; echo "wait \$! status $?"
( $bb sleep 0.3; exit 3 ) & p1=$!
(exit 4) & p2=$!
wait $p2; s2=$?; wait $p1; s1=$?
echo "statuses of a slow and a quick job: $s1 $s2"

# kill a background job that would sleep for 10 s
$bb sleep 10 & p=$!
kill $p
wait $p; echo "killed job status $?"

# a background pipeline and a foreground one at the same time
( $bb seq 1 50000 | $bb md5sum > bg.md5 ) &
fg=$($bb seq 1 50000 | $bb md5sum)
wait
[ "$fg" = "$($bb cat bg.md5)" ] && echo "background and foreground pipelines agree"
$bb rm -f bg.md5

# the reader of a pipe waits for a writer that sleeps first
echo "read after the writer slept: $( ($bb sleep 0.3; echo late) | $bb cat)"
