/* forkbomb.c - forks until fork fails: the kernel's task limit must turn
 * that into EAGAIN (not a crash, not an emulator out of memory), after
 * which the parent kills its children and reports. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int n = 0;
	for (;;) {
		pid_t p = fork();
		if (p < 0) {
			printf("fork failed after %s children: %s\n", n > 100 ? "more than 100" : "few",
			       strerror(errno));
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
		n++;
	}
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	printf("reaped all: %s\n", reaped == n ? "yes" : "no");
	return 0;
}
