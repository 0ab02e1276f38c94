/* Sleeping and waking on a 32-bit word: Linux futexes, private to the process. */
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "threadpool/pool.h"

void tsr_futex_wait(_Atomic uint32_t* word, uint32_t expected) {
  syscall(SYS_futex, (uint32_t*)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void tsr_futex_wake(_Atomic uint32_t* word, int count) {
  syscall(SYS_futex, (uint32_t*)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}
