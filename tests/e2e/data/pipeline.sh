# run by busybox sh under lstar and natively (tests/e2e): pipelines
bb=${BB:-busybox}
echo a b | $bb wc -w
$bb seq 1 20 | $bb sort -rn | $bb head -3
$bb cat "$0" | $bb grep -c bb | $bb tr 0-9 a-j
