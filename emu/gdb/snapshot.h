/*
 * snapshot.h - machine snapshots for reverse execution (docs/gdb.md,
 * "Reverse execution").
 *
 * A snapshot is the CPU state plus the guest RAM pages that differ from
 * the previous snapshot.  Pages are stored as version chains: page p at
 * snapshot k is its newest version taken at or before k (or zeros).
 * Which pages may have changed comes from write tracking (RAM mapped
 * read-only between snapshots, the first write to a page faults once);
 * after port I/O, whose device may write RAM from the host kernel, every
 * resident page (mincore) is compared instead.  Only candidate pages are
 * compared with their newest version, so a written page that ends up
 * unchanged costs nothing.  Positions are the stub's instruction
 * positions (retired instructions plus delivered exceptions), strictly
 * increasing.
 */
#ifndef LSTAR_SNAPSHOT_H
#define LSTAR_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct snapshots;

struct snap_stats {
	size_t count;          /* snapshots held */
	uint64_t page_bytes;   /* bytes of stored page versions */
	uint64_t cpu_bytes;    /* bytes of stored CPU states */
	uint64_t pages;        /* page versions held */
};

struct snapshots *snap_new(struct machine *m);
void snap_free(struct snapshots *s);
/* Snapshot the machine as it is now, at position pos (greater than every
 * snapshot held; call snap_truncate first to replace later history).
 * False when out of memory (nothing is changed then). */
bool snap_take(struct snapshots *s, uint64_t pos);
/* Drop every snapshot at a position >= pos. */
void snap_truncate(struct snapshots *s, uint64_t pos);
/* Position of the newest snapshot at or before pos; false if none. */
bool snap_find(const struct snapshots *s, uint64_t pos, uint64_t *at);
/* Position of the newest snapshot strictly before pos; false if none. */
bool snap_find_before(const struct snapshots *s, uint64_t pos, uint64_t *at);
/* Put the machine back into the state of the snapshot at exactly pos. */
bool snap_restore(struct snapshots *s, uint64_t pos);
/* Port I/O is about to run: the host kernel may write guest RAM, which
 * write tracking cannot see, so the next snapshot compares every page. */
void snap_io(struct snapshots *s);
/* Position of the newest snapshot (0 if none). */
uint64_t snap_last(const struct snapshots *s);
void snap_get_stats(const struct snapshots *s, struct snap_stats *st);

#endif
