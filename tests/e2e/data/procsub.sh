# procsub.sh - bash process substitution (tests/e2e/dynamic.cmake): the
# commands get /dev/fd/N names of pipes, which they open, stat and test.
diff <(seq 1 3) <(seq 1 4)
echo "diff: $?"
cat <(echo one) <(echo two)
paste <(seq 1 2) <(seq 3 4)
[ -r /dev/fd/0 ] && echo "fd 0 readable"
[ -e /dev/fd/200 ] || echo "no fd 200"
stat -L -c %F /dev/stdin < /dev/null
