#!/bin/sh
# scripts/md2man.sh CLI.md VERSION OUT - the man page lstar(1), made from
# docs/cli.md at build time so that the two say the same thing.
#
# Only the markdown docs/cli.md uses is understood: "# " (the title: NAME and
# SYNOPSIS from the code block after it), "## " and "### " headings, pipe
# tables (a table whose first column is "option" becomes OPTIONS, rows become
# tagged paragraphs), "- " lists, fenced code blocks, `code`, **bold** and
# [links](...).  POSIX sh and awk only.
set -eu
[ $# = 3 ] || { echo "usage: md2man.sh CLI.md VERSION OUT" >&2; exit 2; }
src=$1 version=$2 out=$3
tmp=$out.tmp
awk -v version="$version" '
# roff-safe text: backslashes, then the few non-ASCII characters of the
# document, then inline markdown.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/—/, "\\(em", s); gsub(/→/, "\\(->", s); gsub(/≥/, "\\(>=", s)
	gsub(/§/, "\\(sc", s)
	return s
}
function inline(s,    out, i, c, m) {
	s = esc(s)
	gsub(/\[[^]]*\]\([^)]*\)/, "&", s)
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {        # [text](url) -> text
		m = substr(s, RSTART, RLENGTH); sub(/\]\(.*/, "", m)
		s = substr(s, 1, RSTART - 1) substr(m, 2) substr(s, RSTART + RLENGTH)
	}
	while (match(s, /\*\*[^*]+\*\*/))
		s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
	out = ""
	while (match(s, /`[^`]*`/)) {                    # `code` -> bold, with real minus signs
		c = substr(s, RSTART + 1, RLENGTH - 2)
		gsub(/-/, "\\-", c)
		out = out substr(s, 1, RSTART - 1) "\\fB" c "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
# A line of running text must not start with a roff control character.
function text(s) {
	s = inline(s)
	if (s ~ /^[.\047]/)
		s = "\\&" s
	return s
}
function cells(line, arr,    n, i, t) {
	sub(/^[ \t]*\|/, "", line); sub(/\|[ \t]*$/, "", line)
	gsub(/\\\|/, "\001", line)                       # an escaped | inside a cell
	n = split(line, arr, /\|/)
	for (i = 1; i <= n; i++) {
		t = arr[i]; gsub(/\001/, "|", t)
		sub(/^[ \t]+/, "", t); sub(/[ \t]+$/, "", t)
		arr[i] = t
	}
	return n
}
# Running text is gathered until a blank line or a block, then written as
# one line (a `code` span may cross the markdown line breaks).
function flush() {
	if (buf == "") return
	if (kind == "list") print ".IP \\(bu 2"
	else if (!inpara) print ".PP"
	print text(buf)
	buf = ""; inpara = 0
}
BEGIN { state = "start"; inpara = 0; intable = 0; buf = ""; kind = "" }
/^```/ {
	flush()
	if (incode) {
		print ".fi"; if (state != "synopsis") print ".RE"
		incode = 0; inpara = 0
		if (state == "synopsis") { print ".SH DESCRIPTION"; state = "body"; inpara = 1 }
		next
	}
	incode = 1
	if (state != "synopsis") { print ".PP"; print ".RS 4" }
	print ".nf"
	next
}
incode {
	line = esc($0)
	if (line ~ /^[.\047]/) line = "\\&" line
	print line
	next
}
/^# / {
	print ".\\\" Generated from docs/cli.md by scripts/md2man.sh: edit those, not this."
	print ".TH LSTAR 1 \"\" \"lstar " version "\" \"User Commands\""
	print ".SH NAME"
	print "lstar \\- run static x86\\-64 Linux programs on an emulated machine and watch their system calls"
	print ".SH SYNOPSIS"
	state = "synopsis"
	next
}
/^## / { flush(); intable = 0; h = substr($0, 4); print ".SH \"" toupper(esc(h)) "\""; inpara = 1; next }
/^### / { flush(); intable = 0; print ".SS \"" esc(substr($0, 5)) "\""; inpara = 1; next }
/^[ \t]*\|/ {
	flush()
	n = cells($0, c)
	if (!intable) {                                   # the header row
		intable = 1; skipsep = 1
		if (tolower(c[1]) == "option") print ".SH OPTIONS"
		next
	}
	if (skipsep && $0 ~ /^[ \t]*\|[ \t:|-]*$/) { skipsep = 0; next }
	print ".TP"
	print text(c[1])
	body = c[2]
	for (i = 3; i <= n; i++)
		if (c[i] != "")
			body = body "; on standard error: " c[i]
	print text(body)
	inpara = 0
	next
}
/^- / { flush(); kind = "list"; buf = substr($0, 3); next }
/^[ \t]*$/ { flush(); intable = 0; kind = ""; next }
{
	intable = 0
	line = $0; sub(/^[ \t]+/, "", line)
	buf = buf == "" ? line : buf " " line
	if (kind == "") kind = "para"
}
END { flush() }
' "$src" >"$tmp"
mv "$tmp" "$out"
