/*
 * fork.c - processes: fork and waitpid, a child's exit status and death by
 * signal, separate memory, a pipe from child to parent, posix_spawn
 * (clone + execve).  Under lstar the child runs to completion before the
 * parent continues (kernel_model/fork.c); the output is the same.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	int st, p[2], counter = 5;
	char b[32] = {0};

	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		write(p[1], "from child", 10);
		_exit(7);
	}
	close(p[1]);
	read(p[0], b, sizeof(b) - 1);
	pid_t w = waitpid(c, &st, 0);
	printf("waited for the child: %d, exited %d with %d, message '%s'\n",
	       w == c, WIFEXITED(st), WEXITSTATUS(st), b);

	fflush(stdout);
	if ((c = fork()) == 0)
		*(volatile int *)0 = 1;
	waitpid(c, &st, 0);
	printf("child killed by signal %d: %d\n", WTERMSIG(st), WIFSIGNALED(st));

	fflush(stdout);
	if ((c = fork()) == 0) {
		counter = 99;
		exit(0);
	}
	wait(NULL);
	printf("parent's memory untouched: %d\n", counter);

	fflush(stdout);
	char *argv[] = { "busybox", "echo", "spawned", NULL };
	pid_t sp;
	int r = posix_spawn(&sp, "/bin/busybox", NULL, NULL, argv, environ);
	waitpid(sp, &st, 0);
	printf("posix_spawn %d, status %d\n", r, WEXITSTATUS(st));
	printf("wait with no children: %d\n", wait(NULL));
	return 0;
}
