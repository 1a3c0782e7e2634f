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

#include "base/error.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "base/dtoa.h"
#include "base/term.h"
#include "store/store.h"
#include "metrics/metrics.h"
#include "query/query.h"
#include "runs/run.h"
#include "query/runlist.h"
#include "query/keys.h"
#include "analysis/analysis.h"
#include "query/group.h"
#include "query/view.h"
#include "demo/demo.h"
#include "metrics/ingest.h"
#include "git/gitprov.h"
#include "track/track.h"
#include "registry/artifact.h"
#include "registry/registry.h"
#include "base/config.h"
#include "base/shell.h"
#include "remote/sshconfig.h"
#include "remote/ssh.h"
#include "remote/hosts.h"
#include "remote/inventory.h"
#include "remote/cost.h"
#include "git/codepack.h"
#include "remote/launch.h"
#include "remote/queue.h"
#include "remote/sweep.h"
#include "remote/slurm.h"
#include "base/redact.h"
#include "base/url.h"
#include "deploy/deploy.h"

#endif
