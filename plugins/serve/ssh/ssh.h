/*
 * The ssh serving target (kind = ssh): a model version copied to a
 * configured host and served there by the user's own command.
 *
 *   [target staging]
 *   kind = ssh
 *   host = gpu-box-1                 # a host of runyard's inventory
 *   dir = ~/.runyard/deploy          # where deployments live on the host
 *   serve = python3 serve.py --model {model_path} --port {port}
 *   port = 8000
 *   health = http://127.0.0.1:{port}/health   # polled until 2xx
 *   endpoint = http://gpu-box-1:{port}        # optional: what to record
 *   timeout = 60                     # seconds to become healthy
 */
#ifndef RY_PLUGINS_SERVE_SSH_H
#define RY_PLUGINS_SERVE_SSH_H

#include "plugin/plugin.h"

extern const ry_serving_ops ry_serve_ssh;

#endif
