/*
 * A reader for exactly the YAML MLflow's file store writes: the meta.yaml
 * files yaml.safe_dump(default_flow_style=False) produces.  That is a block
 * mapping whose values are scalars (plain, 'single-quoted' or
 * "double-quoted", possibly folded over several lines), null, the empty
 * collections [] and {}, or a nested block mapping of the same.  Anything
 * else -- sequences, anchors, tags, flow collections with content, block
 * scalars (| >), several documents -- is refused with the line it is on:
 * MLflow never writes them, so meeting one means the file is not what we
 * think it is.
 *
 * Only top-level scalars are looked up (nested mappings are parsed and
 * checked, then skipped: what MLflow nests, a registered model's aliases,
 * the store also keeps as files).  No I/O here.
 */
#ifndef RY_PLUGINS_MLFLOW_FILES_YAML_H
#define RY_PLUGINS_MLFLOW_FILES_YAML_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlf_yaml mlf_yaml;

/* Parse text[0..len).  0 and *out (free with mlf_yaml_free) on success;
 * -1 and *why (malloc'd: "line N: what is wrong") when the text is not a
 * document of the shape above. */
int mlf_yaml_parse(mlf_yaml **out, const char *text, size_t len, char **why);
void mlf_yaml_free(mlf_yaml *y); /* accepts NULL */

/* Top-level key's scalar, decoded (lent until mlf_yaml_free): NULL when the
 * key is absent, null, or not a scalar.  A plain scalar comes back as
 * written ("12", "true"). */
const char *mlf_yaml_str(const mlf_yaml *y, const char *key);
/* Top-level key's value as an integer: 0 and *v; 1 when the key is absent
 * or null (*v untouched); -1 when it is something else.  A quoted integer
 * ('12', as MLflow writes experiment ids) counts. */
int mlf_yaml_int(const mlf_yaml *y, const char *key, int64_t *v);
/* The scalar at key `key` of the mapping nested under top-level key `map`
 * (e.g. "aliases", "champion"), as mlf_yaml_str. */
const char *mlf_yaml_nested(const mlf_yaml *y, const char *map, const char *key);
/* Is the top-level key present with a mapping ({} or a nested block)? */
int mlf_yaml_is_map(const mlf_yaml *y, const char *key);

#endif
