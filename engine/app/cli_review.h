// explainer review: the held explanations (policy "hold") waiting for a clinician's decision.
//
//   review list [--all] [--json]          held items (with --all also released/discarded ones)
//   review release ID [--by NAME]          send the explanation as a follow-up to every
//                                          destination it was held from (review_release.h)
//   review discard ID [--by NAME] [--reason TEXT]   never send it
//
// Works on the store named by an explainerd configuration file while explainerd runs (like
// `explainer queue`): release enqueues the follow-ups in the outbox in one transaction with
// the decision, and the daemon's delivery workers pick them up at their next idle poll.
// Release and discard record who (--by, default $USER) and when; an item is decided once:
// a second release or discard is refused and sends nothing.
//
// The list shows accession numbers: it is for authorised operators. Nothing here logs them.
#pragma once

#include <iosfwd>

#include "app/cli.h"

namespace explainer::app {

// Exit code: 0 done, 1 the store or configuration could not be opened, the item is unknown or
// already decided, or no follow-up could be built; 2 usage error.
int cli_review(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace explainer::app
