#ifndef TUI_APP_H
#define TUI_APP_H
#include "cli/cli.h"
#endif
