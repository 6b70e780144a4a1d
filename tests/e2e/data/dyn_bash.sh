# bash (dynamic) under lstar and natively (tests/e2e/dynamic.cmake): loops,
# command substitution, pipelines of dynamic programs, a subshell
n=0
for i in $(seq 1 50); do
	n=$((n + i))
done
echo "sum $n"
words=$(tr -s ' ' '\n' < "$1" | grep -c .)
echo "words $words"
sort "$2" | uniq -c | sort -rn | head -3
sort -n "$2" | uniq -c | sha256sum
( cd /; pwd )
echo "$(basename "$(dirname "$1")")"
while read -r a b; do echo "$b $a"; done < <(head -3 "$2")
echo "${BASH_VERSINFO[0]:+bash ok}"
