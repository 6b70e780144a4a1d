# fifo.sh - FIFOs from a shell (tests/e2e/dynamic.cmake runs it with bash
# and with busybox sh, natively and under lstar): a writer in the
# background and a reader, each open waiting for the other; a FIFO opened
# read-write; the FIFO's type as ls shows it.
mkfifo p || exit 1
seq 1 5 > p &
cat p
wait
exec 3<>p
echo through the same descriptor >&3
read -r line <&3
echo "$line"
ls -l p | cut -c1
