// The explainer command line: one function per subcommand, dispatched from cli_main.cpp.
// Each takes the arguments after the subcommand name and returns the process exit code:
// 0 success, 1 the operation ran but failed (e.g. a negative ACK), 2 usage error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace explainer::app {

using Args = std::vector<std::string>;

int cli_parse(const Args& args, std::ostream& out, std::ostream& err);
int cli_send(const Args& args, std::ostream& out, std::ostream& err);
int cli_receive(const Args& args, std::ostream& out, std::ostream& err);
int cli_match(const Args& args, std::ostream& out, std::ostream& err);
int cli_assert(const Args& args, std::ostream& out, std::ostream& err);
int cli_eval(const Args& args, std::ostream& out, std::ostream& err);
int cli_content(const Args& args, std::ostream& out, std::ostream& err);
int cli_enrich(const Args& args, std::ostream& out, std::ostream& err);
int cli_letter(const Args& args, std::ostream& out, std::ostream& err);
int cli_filter(const Args& args, std::ostream& out, std::ostream& err);  // cli_filter.cpp

// Where a data folder ("mappings", "content") is when no option names it: $EXPLAINER_DATA_DIR,
// ./NAME, the source tree of a build, or share/explainer/NAME of an installation.
std::string default_data_dir(const std::string& name);

// Splits a file that holds one or more HL7 v2 messages (segments ending in CR, LF or CRLF;
// messages starting at each "MSH" segment, blank lines between them ignored) into messages
// with CR segment terminators.
std::vector<std::string> split_hl7_batch(const std::string& bytes);

// Reads a whole file; throws std::runtime_error naming the file.
std::string read_file(const std::string& path);

// Small option scanner shared by the subcommands: "--name value", "--name=value" and flags.
class OptionScanner {
 public:
  explicit OptionScanner(const Args& args) : args_(args) {}
  // Returns true and sets value when the option is present (removes it from positional()).
  bool value(const std::string& name, std::string& value);
  bool flag(const std::string& name);
  // Arguments that are not options consumed so far; call after all value()/flag() calls.
  std::vector<std::string> positional() const;
  // The first argument starting with "--" that no value()/flag() call consumed, or "".
  std::string unknown_option() const;

 private:
  const Args& args_;
  std::vector<bool> used_ = std::vector<bool>(args_.size(), false);
};

}  // namespace explainer::app
