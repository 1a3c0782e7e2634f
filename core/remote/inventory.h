/*
 * The host inventory a remote action works from, set up in one place:
 * runyard's config (its [host NAME] sections and [patterns]), ~/.ssh/config
 * and the workspace's hosts table, merged into one list (hosts.h says how).
 * The CLI's remote subcommands, the launch and hosts screens and the
 * background launch, cancel and sync all open one of these instead of
 * loading the three sources themselves; sync and cancel take it whole, so
 * they resolve ssh aliases and apply the config's capture patterns without
 * a front end having to remember to pass them.
 *
 * Not thread-safe; a background thread opens its own, or is lent one that
 * nothing else uses meanwhile.
 */
#ifndef RY_INVENTORY_H
#define RY_INVENTORY_H

#include <stddef.h>

#include "base/config.h"
#include "remote/hosts.h"
#include "remote/sshconfig.h"
#include "store/store.h"

typedef struct ry_inventory ry_inventory;

/* Set up the inventory.  cfg is lent and must outlive it; NULL: runyard's
 * config is loaded ($RUNYARD_CONFIG, else ~/.config/runyard/config) and
 * owned.  st may be NULL (no workspace yet: no hosts table); it is only read
 * here.  Caller frees *out with ry_inventory_free.  RY_EINVAL for a broken
 * config or ssh config, naming file and line. */
int ry_inventory_open(ry_inventory **out, ry_store *st, const ry_config *cfg);
void ry_inventory_free(ry_inventory *inv); /* accepts NULL */

/* Lent for the inventory's lifetime. */
const ry_config *ry_inventory_config(const ry_inventory *inv);
const ry_sshconfig *ry_inventory_sshconfig(const ry_inventory *inv);
/* The hosts, sorted by name; *n receives how many (lent). */
ry_host *ry_inventory_hosts(ry_inventory *inv, size_t *n);

/* A host by name (lent), or NULL with an RY_ENOTFOUND error that lists the
 * known hosts and says where to add one. */
ry_host *ry_inventory_find(ry_inventory *inv, const char *name);

/* A fresh list from the same config and ssh config and st's hosts table as
 * it is now (st may be NULL), for a probe that takes its records: caller
 * frees with ry_hosts_free. */
int ry_inventory_list(const ry_inventory *inv, ry_store *st, ry_host **hosts, size_t *n);

#endif
