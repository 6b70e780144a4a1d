/* A SIGCHLD handler sees its child's end (tests/trace strace_sigchld). */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_chld(int sig)
{
	(void)sig;
	got = 1;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(5);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	return got && WIFEXITED(st) && WEXITSTATUS(st) == 5 ? 0 : 1;
}
