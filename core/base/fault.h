/*
 * Test-only fault points: named places where a test can make runyard die
 * or stop, so that races which luck finds once in a hundred runs are
 * reproduced every time (kill -9 between two writes, a reader paused
 * between deciding and acting).
 *
 * RUNYARD_FAULT=POINT:ACTION[,POINT:ACTION...] arms them; ACTION is `kill`
 * (SIGKILL this process), `stop` (SIGSTOP it; a test continues it with
 * SIGCONT) or `exit` (_exit(99) without cleaning up).  A process acts on
 * the first armed point it passes, once; ACTION@N (`kill@3`) acts on the
 * Nth pass of that point instead (a loop's third round).  Unset, a point
 * costs one cached branch.  Nothing outside tests sets the variable.
 */
#ifndef RY_FAULT_H
#define RY_FAULT_H

/* Act on the point named `point` if RUNYARD_FAULT arms it. */
void ry_fault(const char *point);

#endif
