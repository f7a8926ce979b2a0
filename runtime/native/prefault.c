/*
 * prefault: fault in the NativeAOT image's zero-filled data with one system call before the
 * .NET runtime starts.
 *
 * NativeAOT stores its type data compressed ("dehydrated") and expands it at start-up into the
 * .hydrated section, part of the writable segment's zero-filled tail (like .bss). Expanding
 * ~1.9 MiB touches ~470 fresh anonymous pages one page fault at a time; on a virtualised host a
 * fault costs several microseconds, and rdmarun starts the runtime twice per container (the CLI
 * and the container's init). MADV_POPULATE_WRITE (Linux 5.14) maps the same pages in one call.
 * Measured on `rdmarun --version`: see docs/benchmarks.md.
 *
 * Called by nsexec's constructor only where the runtime is about to start (an ordinary CLI call
 * and stage 2), never in stage 1: its pages would be shared copy-on-write with stage 2 through
 * fork, and each write would then copy a page instead of zero-filling it. Not in the launch
 * guard either (it normally exits without starting the runtime). Best effort: an older kernel
 * refuses the advice with EINVAL and start-up faults the pages in as before.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nsexec.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int populate_main_bss(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	/* The first object is the executable itself. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || ph->p_memsz <= ph->p_filesz)
			continue;
		uintptr_t start = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
		uintptr_t end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		start = (start + page - 1) & ~(page - 1); /* the page holding the file's tail is mapped already */
		end = (end + page - 1) & ~(page - 1);
		if (end > start)
			madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	}
	return 1; /* stop after the executable */
}

void rdmarun_prefault_image(void)
{
	if (getenv(RDMARUN_LAUNCH_GUARD_ENV))
		return;
	dl_iterate_phdr(populate_main_bss, NULL);
}
