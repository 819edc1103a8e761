// explainer filter: enrich a stream of messages from stdin to stdout, for integration engines
// that run an external command per message or keep one as a co-process.
//
// Framing (auto-detected from the first byte unless --framing says):
//   mllp   <VT> message <FS><CR> per message (0x0B ... 0x1C 0x0D); bytes between frames are
//          ignored. Each output message goes out in the same frame.
//   blank  one message per block of lines, blocks separated by one or more blank lines (a line
//          that is empty or only CR). Each output message is followed by a line break (when it
//          does not end in one) and one blank line.
// One message out per message in, flushed after each, in order. A message that cannot be
// enriched goes out unchanged (fail open) and the reason goes to stderr without patient data.
// Exit status: 0 at end of input, 1 when the rules/content cannot be loaded, 2 usage error.
#include <iostream>
#include <istream>
#include <ostream>
#include <string>

#include "app/cli.h"
#include "app/cli_enrich.h"

namespace explainer::app {

namespace {

constexpr char kStartBlock = 0x0B;
constexpr char kEndBlock = 0x1C;
constexpr char kCarriageReturn = 0x0D;

enum class Framing { kMllp, kBlankLine };

class Filter {
 public:
  Filter(const EnrichSetup& setup, std::ostream& out, std::ostream& err)
      : setup_(setup), out_(out), err_(err) {}

  // Enriches `message` (fail open) and writes it in `framing`.
  void pass(const std::string& message, Framing framing) {
    ++count_;
    const std::string* payload = &message;
    enrich::MessageEnrichment result;
    try {
      result = setup_.enricher->enrich(message, setup_.options);
      if (result.ok) {
        payload = &result.output;
      } else {
        err_ << "explainer filter: message " << count_
             << " passed through unenriched: " << result.error << "\n";
      }
    } catch (const std::exception& e) {
      err_ << "explainer filter: message " << count_
           << " passed through unenriched: enrichment failed: " << e.what() << "\n";
    }
    if (result.ok && !result.enriched) ++unenriched_;
    if (!result.ok) ++failed_;
    if (framing == Framing::kMllp) {
      out_ << kStartBlock << *payload << kEndBlock << kCarriageReturn;
    } else {
      out_ << *payload;
      if (payload->empty() || payload->back() != '\n') out_ << '\n';
      out_ << '\n';
    }
    out_.flush();
    err_.flush();
  }

  long count() const { return count_; }
  long failed() const { return failed_; }
  long unenriched() const { return unenriched_; }

 private:
  const EnrichSetup& setup_;
  std::ostream& out_;
  std::ostream& err_;
  long count_ = 0;
  long failed_ = 0;
  long unenriched_ = 0;
};

void run_mllp(std::streambuf& in, Filter& filter, std::ostream& err) {
  using traits = std::streambuf::traits_type;
  for (;;) {
    int c = in.sbumpc();
    while (c != traits::eof() && c != kStartBlock) c = in.sbumpc();  // between frames
    if (c == traits::eof()) return;
    std::string message;
    bool complete = false;
    for (c = in.sbumpc(); c != traits::eof(); c = in.sbumpc()) {
      if (c == kEndBlock && in.sgetc() == kCarriageReturn) {
        in.sbumpc();
        complete = true;
        break;
      }
      message.push_back(traits::to_char_type(c));
    }
    if (!complete) {
      // Never drop bytes we were given: the unterminated frame goes out as one message.
      err << "explainer filter: input ended inside an MLLP frame; passing it on as received\n";
    }
    filter.pass(message, Framing::kMllp);
    if (!complete) return;
  }
}

void run_blank_lines(std::streambuf& in, Filter& filter) {
  using traits = std::streambuf::traits_type;
  std::string message, line;
  for (;;) {
    line.clear();
    int c = in.sbumpc();
    if (c == traits::eof()) break;
    for (; c != traits::eof(); c = in.sbumpc()) {
      line.push_back(traits::to_char_type(c));
      if (c == '\n') break;
    }
    const bool blank = line == "\n" || line == "\r\n" || line == "\r";
    if (!blank) {
      message += line;
    } else if (!message.empty()) {
      filter.pass(message, Framing::kBlankLine);
      message.clear();
    }
  }
  if (!message.empty()) filter.pass(message, Framing::kBlankLine);
}

}  // namespace

int cli_filter(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  EnrichCliOptions options;
  const bool options_ok = parse_enrich_options(opts, options);
  std::string framing = "auto";
  opts.value("framing", framing);
  if (!options_ok || !opts.unknown_option().empty() || !opts.positional().empty() ||
      (framing != "auto" && framing != "mllp" && framing != "blank")) {
    err << "usage: explainer filter [OPTIONS] [--framing auto|mllp|blank] < IN > OUT\n"
           "Enriches each message read from stdin and writes it to stdout in the same framing:\n"
           "MLLP frames (0x0B ... 0x1C 0x0D; auto-detected by the first byte) or blocks separated\n"
           "by blank lines. A message that cannot be enriched goes out unchanged.\n"
        << kEnrichOptionsUsage;
    return 2;
  }
  const auto setup = load_enrich_setup(options, err);
  if (!setup) return 1;
  Filter filter(*setup, out, err);
  std::streambuf& in = *std::cin.rdbuf();
  const bool mllp =
      framing == "mllp" ||
      (framing == "auto" && in.sgetc() == std::streambuf::traits_type::to_int_type(kStartBlock));
  if (mllp) {
    run_mllp(in, filter, err);
  } else {
    run_blank_lines(in, filter);
  }
  err << "explainer filter: " << filter.count() << " message(s), " << filter.failed()
      << " passed through unreadable, " << filter.unenriched() << " without explanations\n";
  return 0;
}

}  // namespace explainer::app
