#!/bin/sh
# selftest.sh CHECKER - check_layers.sh passes a clean tree and fails each
# kind of forbidden include.
set -u
checker=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mk() {
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/cpu" "$tmp/t/msr" "$tmp/t/emu" "$tmp/t/kernel_model" "$tmp/t/include/lstar"
	: > "$tmp/t/emu/machine.h"; : > "$tmp/t/cpu/bus.h"; : > "$tmp/t/include/lstar/msr.h"
	printf '#include "bus.h"\n#include "lstar/msr.h"\n' > "$tmp/t/cpu/cpu.c"
	printf '#include "../cpu/bus.h"\n' > "$tmp/t/msr/msr.c"
	printf '#include "lstar/msr.h"\n#include "generated.h"\n' > "$tmp/t/kernel_model/k.c"
}
expect() {	# expect pass|fail WHAT
	if sh "$checker" "$tmp/t" >/dev/null 2>&1; then got=pass; else got=fail; fi
	[ "$got" = "$1" ] || { echo "selftest: $2: expected $1, got $got"; fail=1; }
}
mk; expect pass "clean tree"
mk; echo '#include "emu/machine.h"' >> "$tmp/t/cpu/cpu.c"; expect fail "cpu/ includes emu/ by root path"
mk; echo '#include "../emu/machine.h"' >> "$tmp/t/msr/msr.c"; expect fail "msr/ includes emu/ relatively"
mk; echo '#include "../cpu/bus.h"' >> "$tmp/t/kernel_model/k.c"; expect fail "kernel_model/ includes cpu/"
mk; echo '#include "emu/hostcall/hostcall.h"' >> "$tmp/t/kernel_model/k.c"; expect fail "kernel_model/ names a missing emu/ header"
[ $fail = 0 ] && echo "ok: the layer check catches each case"
exit $fail
