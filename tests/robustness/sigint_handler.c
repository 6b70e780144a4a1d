/* sigint_handler.c - a guest with a SIGINT handler: Ctrl-C at lstar's
 * terminal runs the handler (which exits 42), as it would natively.  It
 * says "ready" once the handler is installed, so the test knows when to
 * press Ctrl-C. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static void on_int(int sig) { (void)sig; _exit(42); }
int main(void)
{
	signal(SIGINT, on_int);
	puts("ready");
	fflush(stdout);
	for (;;)
		pause();
}
