#!/bin/sh
# extract.sh API_MD OUT.c - writes the first ```c block of docs/api.md to OUT.c
# (the complete example program), so the documented code is the tested code.
awk 'BEGIN { on = 0; done = 0 }
     /^```c[ \t]*$/ { if (!done) { on = 1; next } }
     /^```[ \t]*$/ { if (on) { on = 0; done = 1; next } }
     on { print }' "$1" > "$2.tmp" || exit 1
if [ ! -s "$2.tmp" ]; then
	echo "extract.sh: no \`\`\`c block in $1" >&2
	rm -f "$2.tmp"
	exit 1
fi
mv "$2.tmp" "$2"
