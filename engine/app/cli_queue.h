// explainer queue: operator view of the store's outbox (status, dead letters, retry, purge).
//
// Works on the store named by an explainerd configuration file while explainerd runs: it opens
// the same SQLite file as a second process (WAL), never creates one, and its changes reach the
// daemon's delivery workers at their next idle poll (about 2 s).
#pragma once

#include <iosfwd>

#include "app/cli.h"

namespace explainer::app {

// explainer queue status|list --dead|retry ID|retry --all-dead|purge ID --config=FILE [--json]
// Exit code: 0 done, 1 the store could not be opened or the row was not dead, 2 usage error.
int cli_queue(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace explainer::app
