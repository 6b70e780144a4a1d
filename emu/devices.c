/*
 * devices.c - the I/O ports of the lstar board (platform.md §5).
 *
 *   0xE9         OUT  debug console: the byte goes to the console stream
 *   0xF4         OUT  power off: lstar exits with value & 0xFF
 *   0x510-0x51F       host-call device (emu/hostcall/hostcall.c, docs/platform.md)
 *
 * IN from an unassigned port returns all-ones; OUT to one is ignored.
 * Privilege checks (IOPL) are the instruction's job (cpu/system.c).
 */
#include <errno.h>
#include <unistd.h>
#include "emu/machine.h"

#define PORT_CONSOLE  0xE9
#define PORT_POWEROFF 0xF4
#define PORT_HC_FIRST 0x510
#define PORT_HC_LAST  0x51F


/* The console is written a line at a time so that a guest printing a
 * character per OUT does not cost a host system call per character. */
void console_flush(struct machine *m)
{
	size_t off = 0;
	if (m->console_len && m->console_fd <= 2 && m->before_stdio)
		m->before_stdio(m->before_stdio_ctx);
	while (off < m->console_len) {
		ssize_t n = write(m->console_fd, m->console_buf + off, m->console_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			m->console_error = 1;
			break;
		}
		off += (size_t)n;
	}
	m->console_len = 0;
}

static void console_put(struct machine *m, uint8_t byte)
{
	m->console_buf[m->console_len++] = byte;
	if (byte == '\n' || m->console_len == sizeof m->console_buf)
		console_flush(m);
}

/* Port I/O from the CPU (cpu/bus.h). */
uint32_t bus_io_in(struct bus *b, uint16_t port, unsigned size)
{
	struct machine *m = machine_of_bus(b);
	if (port >= PORT_HC_FIRST && port <= PORT_HC_LAST && m->hc)
		return hostcall_in(m, port, size);
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

void bus_io_out(struct bus *b, uint16_t port, unsigned size, uint32_t value)
{
	struct machine *m = machine_of_bus(b);
	struct cpu *c = &m->cpu;
	switch (port) {
	case PORT_CONSOLE:
		console_put(m, (uint8_t)value);
		return;
	case PORT_POWEROFF:
		/* The OUT retires; the loop stops after it. */
		c->exit_status = (int)(value & 0xFF);
		c->stop = STOP_POWEROFF;
		cpu_leave_block(c);
		return;
	}
	if (port >= PORT_HC_FIRST && port <= PORT_HC_LAST && m->hc)
		hostcall_out(m, port, size, value);
}
