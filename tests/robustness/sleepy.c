/* sleepy.c - a guest that sleeps (through the host-call device) far longer
 * than any test: Ctrl-C must still end lstar with status 130.  It says
 * "sleeping" first, so that the test sends Ctrl-C only then. */
#include <unistd.h>
int main(void)
{
	write(1, "sleeping\n", 9);
	sleep(100000);
	return 0;
}
