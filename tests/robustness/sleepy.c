/* sleepy.c - a guest that sleeps (through the host-call device) far longer
 * than any test: Ctrl-C must still end lstar with status 130. */
#include <unistd.h>
int main(void) { sleep(100000); return 0; }
