/*
 * The reaper (reaper.c), built as its own static executable, embedded read-only in rdmarun so
 * the init can exec it from a sealed memfd. REAPER_PATH is set by the build (rdmarun.csproj).
 */
#include <stddef.h>

__asm__(".section .rodata\n"
	".balign 16\n"
	"rdmarun_reaper_start:\n"
	".incbin \"" REAPER_PATH "\"\n"
	"rdmarun_reaper_end:\n"
	".previous\n");

extern const unsigned char rdmarun_reaper_start[], rdmarun_reaper_end[];

const unsigned char *rdmarun_reaper_image(size_t *len)
{
	*len = (size_t)(rdmarun_reaper_end - rdmarun_reaper_start);
	return rdmarun_reaper_start;
}
