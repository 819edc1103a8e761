// explainer: the command line for operators and for trying things out.
#include <iostream>
#include <map>
#include <string>

#include "app/cli.h"
#include "app/cli_queue.h"
#include "app/cli_review.h"
#include "core/log.h"

namespace {

void usage(std::ostream& out) {
  out << "usage: explainer COMMAND [ARGS]\n"
         "\n"
         "  parse FILE [--json]                 structure, status and impression of an HL7 v2 message\n"
         "  send --mllp HOST:PORT FILE...       send messages over MLLP and print each ACK\n"
         "  receive --mllp [HOST:]PORT --out DIR  act as a downstream MLLP peer (answers AA)\n"
         "  enrich FILE [--obx-format ft|ed]    print exactly what would be delivered (HL7 v2 or FHIR)\n"
         "  filter [--config FILE] < IN > OUT   enrich a stream of messages (MLLP frames or blank-line\n"
         "                                      separated); for engines calling an external command\n"
         "  letter FILE [--out OUT.html]        printable patient letter for a report\n"
         "  match [--modality M] [--body-region R] [--json] TEXT | --jsonl   findings and assertions\n"
         "  assert --tsv                        assertion of target<TAB>sentence lines from stdin\n"
         "  eval [--negex FILE] FILES           score the matcher on labelled sets\n"
         "  content lint|report                 check the content library / table of every document\n"
         "  queue status|list --dead|retry ID|retry --all-dead|purge ID --config=FILE\n"
         "                                      inspect and repair the outbox (also while explainerd runs)\n"
         "  review list|release ID|discard ID --config=FILE\n"
         "                                      explanations held for review: list, send or drop them\n"
         "\n"
         "Run 'explainer COMMAND --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using explainer::app::Args;
  // Library log lines go to standard error at warning and above; commands print to stdout.
  explainer::core::init_logging({explainer::core::Severity::warning, ""});
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  Args args(argv + 2, argv + argc);
  using Command = int (*)(const Args&, std::ostream&, std::ostream&);
  const std::map<std::string, Command> commands = {
      {"parse", explainer::app::cli_parse},
      {"send", explainer::app::cli_send},
      {"receive", explainer::app::cli_receive},
      {"enrich", explainer::app::cli_enrich},
      {"match", explainer::app::cli_match},
      {"assert", explainer::app::cli_assert},
      {"eval", explainer::app::cli_eval},
      {"content", explainer::app::cli_content},
      {"queue", explainer::app::cli_queue},
      {"review", explainer::app::cli_review},
      {"letter", explainer::app::cli_letter},
      {"filter", explainer::app::cli_filter},
  };
  const auto it = commands.find(command);
  if (it == commands.end()) {
    std::cerr << "explainer: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
  }
  try {
    return it->second(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "explainer " << command << ": " << e.what() << "\n";
    return 1;
  }
}
