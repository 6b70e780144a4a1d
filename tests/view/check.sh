#!/bin/sh
# tests/view/check.sh CASE LSTAR GUESTS WORKDIR - one check of `lstar view`
# without a browser (docs/trace.md, "The trace viewer"): the command line,
# what bad input gets, what the page holds (tests/view/blob.py decodes it).
# The page in a browser: tests/view/view_test.py.
set -u
case=$1
lstar=$2
g=$3
w=$4/$case
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$w"
mkdir -p "$w"
cd "$w" || exit 1

fail() {
	echo "FAIL ($case): $*"
	exit 1
}
# refused IN OUT PATTERN: lstar view IN -o OUT fails with status 1, one
# line matching PATTERN, and leaves no OUT (nor a temporary file) behind
refused() {
	"$lstar" view -o "$2" "$1" >out.txt 2>err.txt
	s=$?
	[ $s = 1 ] || fail "$1: status $s, not 1: $(cat err.txt)"
	[ "$(wc -l <err.txt)" = 1 ] || fail "$1: not one line: $(cat err.txt)"
	grep -qE -- "$3" err.txt || fail "$1: the message does not match '$3': $(cat err.txt)"
	[ -s out.txt ] && fail "$1: printed on standard output"
	[ -e "$2" ] && fail "$1: $2 was left behind"
	ls | grep -q '\.tmp-' && fail "$1: a temporary file was left behind: $(ls)"
	return 0
}
trace() {   # trace FILE ARGS...: a JSON Lines trace of a run
	f=$1
	shift
	env -i "$lstar" run --seed 1 --trace="$f" --trace-format jsonl "$@" >/dev/null 2>&1 ||
		fail "lstar run $*: status $?"
}
summary() {   # summary PAGE PYTHON-EXPRESSION (d = blob.py's JSON): print it
	python3 -c "import json, sys; sys.path.insert(0, '$here'); import blob
h, t = blob.traces(open('$1', encoding='utf-8').read()); d = {'head': h, 'traces': t}
print($2)"
}

# these read the page's data back with Python (tests/view/blob.py)
case $case in page|run_view|diff|mutations)
	command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: no python3"; exit 77; } ;;
esac

case $case in
bad_input)
	"$lstar" run --trace=t.txt "$g/scall" >/dev/null 2>&1
	refused t.txt v.html '^lstar: view: t\.txt:1: not an lstar JSON Lines trace \(this looks like the text format: make the trace with --trace-format jsonl\)$'
	"$lstar" run --trace=t.tenet --trace-format tenet "$g/scall" >/dev/null 2>&1
	refused t.tenet v.html 'looks like a Tenet trace'
	printf '{"name": "not a trace", "value": 3}\n' >j.jsonl
	refused j.jsonl v.html '^lstar: view: j\.jsonl:1: not an lstar JSON Lines trace'
	head -c 3000 "$lstar" >bin.jsonl
	refused bin.jsonl v.html 'not an lstar JSON Lines trace'
	# a good trace with one damaged line in the middle
	trace t.jsonl "$g/scall"
	sed '100s/"rip":"0x/"rip":0x/' t.jsonl >d.jsonl
	refused d.jsonl v.html '^lstar: view: d\.jsonl:100: not an lstar trace record: expected a string at column [0-9]+$'
	refused /nonexistent/t.jsonl v.html 'No such file'
	refused . v.html 'is a directory'
	# an existing page is left as it was
	echo old >v.html
	"$lstar" view -o v.html j.jsonl 2>/dev/null && fail "accepted j.jsonl"
	[ "$(cat v.html)" = old ] || fail "a failed view changed the existing page"
	rm v.html
	;;
empty)
	: >e.jsonl
	refused e.jsonl v.html '^lstar: view: e\.jsonl: empty trace'
	;;
truncated)
	trace t.jsonl "$g/scall"
	head -c 200000 t.jsonl >cut.jsonl
	n=$(wc -l <cut.jsonl)
	refused cut.jsonl v.html "^lstar: view: cut\\.jsonl: truncated trace: line $((n + 1)) stops in the middle"
	# lstar killed while it wrote: the file ends inside a line
	head -c 7 t.jsonl >seven.jsonl
	refused seven.jsonl v.html 'truncated trace: line 1 stops in the middle'
	;;
too_large)
	trace t.jsonl "$g/scall"
	LSTAR_VIEW_MAX_RECORDS=1000 "$lstar" view -o v.html t.jsonl 2>err.txt
	[ $? = 1 ] || fail "status not 1"
	grep -qE '^lstar: view: t\.jsonl: more than 1000 records: too long for the viewer; trace less with --trace-syscalls, --trace-cpl, --trace-from/--trace-to or --trace-range' err.txt ||
		fail "message: $(cat err.txt)"
	[ -e v.html ] && fail "v.html left behind"
	"$lstar" view -o v.html t.jsonl || fail "the same trace without the lower limit: status $?"
	;;
page)
	trace t.jsonl "$g/scall"
	"$lstar" view t.jsonl || fail "status $?"
	[ -s t.html ] || fail "no t.html (the default output)"
	lines=$(wc -l <t.jsonl)
	[ "$(summary t.html "d['traces'][0]['records']")" = "$lines" ] || fail "the page does not hold $lines records"
	[ "$(summary t.html "[c['name'] for c in d['traces'][0]['calls']]")" = "['arch_prctl', 'set_tid_address', 'write', 'exit_group']" ] ||
		fail "calls: $(summary t.html "d['traces'][0]['calls']")"
	# (strace pads the result to column 40: squeeze the spaces before '=')
	[ "$(summary t.html "[' '.join(c['text'].split()) for c in d['traces'][0]['calls'] if c['name'] == 'write']")" = "['write(1, \"hello\\\\n\", 6) = 6']" ] ||
		fail "the write's strace line: $(summary t.html "d['traces'][0]['calls']")"
	# the write's span: from its SYSCALL to the SYSRET
	s=$(grep -n '"syscall":{"nr":1,"name":"write"}' t.jsonl | cut -d: -f1)
	[ "$(summary t.html "[c['start'] for c in d['traces'][0]['calls'] if c['name'] == 'write'][0]")" = $((s - 1)) ] ||
		fail "the write starts elsewhere"
	e=$(summary t.html "[c['end'] for c in d['traces'][0]['calls'] if c['name'] == 'write'][0]")
	sed -n "$((e + 1))p" t.jsonl | grep -q '"asm":"sysret".*"cpl_change":\[0,3\]' || fail "the write's span ends at line $((e + 1)), not its SYSRET"
	k=$(grep -c '"cpl":0' t.jsonl)
	[ "$(summary t.html "d['traces'][0]['kernel_records']")" = "$k" ] || fail "CPL 0 records"
	# a filtered trace (gaps, each window with its state) and exceptions
	env -i "$lstar" run --trace=s.jsonl --trace-format jsonl --trace-syscalls "$g/scall" >/dev/null 2>&1
	"$lstar" view s.jsonl || fail "a --trace-syscalls trace: status $?"
	"$lstar" run --trace=f.jsonl --trace-format jsonl "$g/fault" segv >/dev/null 2>&1
	"$lstar" view f.jsonl || fail "a trace with a fault: status $?"
	[ "$(summary f.html "d['traces'][0]['exceptions']")" = "$(grep -c '"event":"exception"' f.jsonl)" ] || fail "exceptions"
	;;
run_view)
	mkdir tmp
	TMPDIR=$w/tmp "$lstar" run --view=r.html "$g/scall" >out.txt 2>err.txt || fail "status $?: $(cat err.txt)"
	grep -qx hello out.txt || fail "the program's output is missing"
	[ -s err.txt ] && fail "stderr: $(cat err.txt)"
	[ "$(summary r.html "d['traces'][0]['name']")" = scall ] || fail "the page is not named after the program"
	[ -z "$(ls tmp)" ] || fail "the temporary trace was left behind: $(ls tmp)"
	# with a trace file of its own, kept
	"$lstar" run --view r2.html --trace=k.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	[ -s k.jsonl ] && [ -s r2.html ] || fail "k.jsonl or r2.html missing"
	# filters without --trace
	"$lstar" run --view=r3.html --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "--trace-syscalls: status $?"
	[ -s r3.html ] || fail "no r3.html"
	# the guest's exit status stays
	"$lstar" run --view=r4.html "$g/exitcode" 3 >/dev/null 2>&1
	[ $? = 3 ] || fail "exit status not 3"
	# not with a text trace
	"$lstar" run --view=r5.html --trace=x.txt "$g/scall" >/dev/null 2>err.txt
	[ $? = 2 ] || fail "--view with a text trace: status not 2"
	grep -q -- '--view needs its trace as a JSON Lines file' err.txt || fail "message: $(head -1 err.txt)"
	[ -e r5.html ] && fail "r5.html made"
	# a page that cannot be written: status 1, the reason
	"$lstar" run --view=/nonexistent/r.html "$g/scall" >/dev/null 2>err.txt
	[ $? = 1 ] || fail "unwritable page: status not 1"
	grep -q '^lstar: view: cannot write /nonexistent/r.html' err.txt || fail "message: $(cat err.txt)"
	;;
usage)
	"$lstar" view >/dev/null 2>err.txt
	[ $? = 2 ] || fail "no trace: status not 2"
	head -1 err.txt | grep -q '^lstar: view needs a trace' || fail "message: $(head -1 err.txt)"
	"$lstar" view -x t.jsonl >/dev/null 2>err.txt
	[ $? = 2 ] || fail "-x: status not 2"
	"$lstar" view a b c >/dev/null 2>err.txt
	[ $? = 2 ] || fail "three traces: status not 2"
	"$lstar" view -o >/dev/null 2>err.txt
	[ $? = 2 ] || fail "-o without a file: status not 2"
	"$lstar" view --help | grep -q '^usage: lstar view' || fail "--help"
	"$lstar" --help | grep -q 'lstar view \[-o FILE.html\] TRACE.jsonl' || fail "lstar --help does not list view"
	trace t.jsonl "$g/scall"
	"$lstar" view -o t.jsonl t.jsonl 2>err.txt
	[ $? = 1 ] || fail "overwriting the trace: status not 1"
	grep -q 'would overwrite the trace' err.txt || fail "message: $(cat err.txt)"
	"$lstar" tracediff t.jsonl t.jsonl >/dev/null || fail "the trace was damaged"
	;;
diff)
	trace i.jsonl "$g/scall"
	trace a.jsonl --vendor amd "$g/scall"
	line=$("$lstar" tracediff i.jsonl a.jsonl | sed -n 's/^traces differ at line \([0-9]*\):.*/\1/p')
	[ -n "$line" ] || fail "tracediff found no difference"
	"$lstar" view i.jsonl a.jsonl || fail "status $?"
	[ -s i-vs-a.html ] || fail "no i-vs-a.html (the default name)"
	[ "$(summary i-vs-a.html "d['head']['diff']['line']")" = "$line" ] || fail "first difference: $(summary i-vs-a.html "d['head']['diff']") (tracediff: line $line)"
	summary i-vs-a.html "d['head']['diff']['what']" | grep -q '^rax becomes 0x[0-9a-f]* in A, 0x[0-9a-f]* in B$' ||
		fail "what: $(summary i-vs-a.html "d['head']['diff']['what']")"
	"$lstar" view -o same.html i.jsonl i.jsonl || fail "status $?"
	[ "$(summary same.html "d['head']['diff']['index']")" = -1 ] || fail "the same trace twice differs"
	head -n 500 i.jsonl >short.jsonl
	"$lstar" view -o short.html i.jsonl short.jsonl || fail "status $?"
	[ "$(summary short.html "d['head']['diff']['what']")" = "B ends at line 500, A goes on" ] || fail "$(summary short.html "d['head']['diff']")"
	;;
mutations)
	# damaged traces: refused with one line or shown, never a crash
	trace t.jsonl "$g/scall"
	head -n 400 t.jsonl >base.jsonl
	python3 - "$lstar" "$here" <<'PY' || exit 1
import random, subprocess, sys
lstar = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import blob
base = open("base.jsonl", "rb").read()
rnd = random.Random(7)
for k in range(300):
    b = bytearray(base)
    for _ in range(rnd.randint(1, 8)):
        p = rnd.randrange(len(b))
        op = rnd.randrange(4)
        if op == 0:
            b[p] = rnd.randrange(256)
        elif op == 1:
            b[p:p + rnd.randint(1, 30)] = b""
        elif op == 2:
            b[p:p] = bytes(rnd.choice(b'{}[]",:0x9') for _ in range(rnd.randint(1, 5)))
        else:
            q = rnd.randrange(len(b))
            b[p:p] = b[q:q + rnd.randint(1, 200)]
    open("m.jsonl", "wb").write(b)
    r = subprocess.run([lstar, "view", "-o", "m.html", "m.jsonl"], capture_output=True)
    err = r.stderr.decode(errors="replace")
    bad = r.returncode not in (0, 1) or (r.returncode == 1 and err.count("\n") != 1) or \
        (r.returncode == 0 and err) or "ERROR" in err or "runtime error" in err
    if not bad and r.returncode == 0:
        # what was accepted must make a page whose data the browser can read
        try:
            blob.traces(open("m.html", encoding="utf-8").read())
        except Exception as e:
            bad, err = True, "the page's data does not parse: %r" % e
    if bad:
        print("FAIL (mutations): mutation %d: status %d: %s" % (k, r.returncode, err[:2000]))
        open("failed.jsonl", "wb").write(b)
        sys.exit(1)
PY
	;;
*)
	fail "unknown case"
	;;
esac
exit 0
