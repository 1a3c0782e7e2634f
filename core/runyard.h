/*
 * runyard core: the engine behind both front ends (the command line and the
 * full-screen TUI).
 *
 * The rule of the house: core is self-contained and knows nothing of the
 * terminal.  Nothing under core/ includes curses.h or draws anything; it
 * stores, queries, computes and talks to the network.  tui/ turns what core
 * returns into text and pixels and never touches SQLite, libssh2 or libgit2
 * itself.  CI greps core/ for "curses" to keep it that way.
 *
 * Conventions (see docs/hacking.md):
 *  - public names are ry_<module>_<verb>, internal cross-file ones
 *    ry_<module>__<verb>; types are opaque where callers need not see inside;
 *  - functions return int: 0 on success, a negative RY_E* code on failure,
 *    with a message for the user in ry_error_last();
 *  - out-of-memory is fatal (ry_xmalloc and friends);
 *  - every header states who owns what a function returns.
 */
#ifndef RY_RUNYARD_H
#define RY_RUNYARD_H

#include "error.h"
#include "alloc.h"
#include "buf.h"
#include "util.h"
#include "store.h"
#include "metrics.h"
#include "query.h"
#include "run.h"
#include "runlist.h"
#include "demo.h"
#include "ingest.h"
#include "gitprov.h"
#include "track.h"
#include "artifact.h"
#include "registry.h"
#include "config.h"
#include "shell.h"
#include "sshconfig.h"
#include "ssh.h"
#include "hosts.h"
#include "cost.h"
#include "codepack.h"
#include "launch.h"
#include "redact.h"
#include "url.h"

#endif
