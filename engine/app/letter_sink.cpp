#include "app/letter_sink.h"

#include <Poco/Exception.h>
#include <Poco/NullStream.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "hl7v2/message.h"
#include "letter/letter_command.h"
#include "matching/matcher.h"

namespace explainer::app {

namespace {

core::Logger& logger() {
  static core::Logger log = core::make_logger("delivery.letter");
  return log;
}

core::DeliveryOutcome io_failure(const char* step, int error) {
  return core::DeliveryOutcome::retry(std::string("letter sink ") + step + ": " +
                                      std::strerror(error));
}

// fsyncs `path` (a file or a folder).
bool sync_path(const std::filesystem::path& path, bool folder) {
  const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

LetterSink::LetterSink(LetterSinkOptions options, const matching::RuleSetHolder& rules,
                       const content::ContentLibraryHolder& content)
    : options_(std::move(options)),
      rules_(rules),
      content_(content),
      html_sink_(delivery::FileSinkOptions{options_.directory, ".html", true}) {}

core::DeliveryOutcome LetterSink::deliver(const delivery::DeliveryItem& item) {
  const hl7v2::ParseResult parsed = hl7v2::parse(item.payload);
  if (!parsed.ok()) return core::DeliveryOutcome::permanent("letter sink: payload is not HL7 v2");
  const auto rules = rules_.current();
  const auto library = content_.current();
  if (!rules || !library)
    return core::DeliveryOutcome::retry("letter sink: rules or content not loaded");
  const auto reports = extract::extract_reports(*parsed.message, options_.extract);
  const matching::Matcher matcher(rules);
  std::optional<std::string> html =
      letter::letter_for_message(*parsed.message, reports, matcher, *library, options_.policy);
  if (!html) {
    EXPLAINER_LOG(logger(), info) << "letter_not_needed message_id=" << item.message_id
                                  << " outbox_id=" << item.outbox_id;
    return core::DeliveryOutcome::delivered();
  }
  delivery::DeliveryItem letter = item;
  letter.payload = std::move(*html);
  const std::filesystem::path html_path = html_sink_.path_for(letter);
  core::DeliveryOutcome written = html_sink_.deliver(letter);
  if (written.status != core::DeliveryStatus::kDelivered) return written;
  if (!options_.chromium.empty()) {
    std::filesystem::path pdf_path = html_path;
    pdf_path.replace_extension(".pdf");
    core::DeliveryOutcome printed = print_pdf(html_path, pdf_path);
    if (printed.status != core::DeliveryStatus::kDelivered) return printed;
  }
  EXPLAINER_LOG(logger(), info) << "letter_written message_id=" << item.message_id
                                << " outbox_id=" << item.outbox_id
                                << " pdf=" << (options_.chromium.empty() ? "no" : "yes");
  return core::DeliveryOutcome::delivered();
}

core::DeliveryOutcome LetterSink::print_pdf(const std::filesystem::path& html,
                                            const std::filesystem::path& pdf) {
  const std::filesystem::path temp = pdf.parent_path() / ("." + pdf.filename().string() + ".tmp");
  char profile_template[] = "/tmp/explainer-chromium-XXXXXX";
  if (::mkdtemp(profile_template) == nullptr) return io_failure("chromium profile", errno);
  const std::string profile = profile_template;
  int exit_code = -1;
  try {
    // Chromium's chatter goes into one pipe, drained here (it never reaches our log).
    Poco::Pipe output;
    Poco::ProcessHandle handle = Poco::Process::launch(
        "timeout",
        {std::to_string(options_.pdf_timeout.count()), options_.chromium, "--headless",
         "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer", "--user-data-dir=" + profile, "--print-to-pdf=" + temp.string(),
         "file://" + std::filesystem::absolute(html).string()},
        nullptr, &output, &output);
    output.close(Poco::Pipe::CLOSE_WRITE);
    Poco::PipeInputStream chatter(output);
    Poco::NullOutputStream discard;
    Poco::StreamCopier::copyStream(chatter, discard);
    exit_code = handle.wait();
  } catch (const Poco::Exception& e) {
    std::filesystem::remove_all(profile);
    return core::DeliveryOutcome::retry("letter sink: cannot run chromium: " + e.displayText());
  }
  std::error_code ignored;
  std::filesystem::remove_all(profile, ignored);
  if (exit_code != 0 || !std::filesystem::exists(temp) || std::filesystem::file_size(temp) == 0) {
    std::filesystem::remove(temp, ignored);
    return core::DeliveryOutcome::retry("letter sink: chromium did not print a PDF (exit " +
                                        std::to_string(exit_code) + ")");
  }
  if (!sync_path(temp, false)) return io_failure("fsync pdf", errno);
  if (::rename(temp.c_str(), pdf.c_str()) != 0) return io_failure("rename pdf", errno);
  if (!sync_path(pdf.parent_path(), true)) return io_failure("fsync folder", errno);
  return core::DeliveryOutcome::delivered();
}

}  // namespace explainer::app
