// Adds patient explanations to an HL7 v2 ORU message.
//
// Per report (OBR group) and per chosen explanation (selection.h) whose action is attach, one
// OBX is inserted after the group's last OBX (or its trailing NTEs; after the OBR when there is
// no OBX), in impression order:
//   OBX|<set id>|FT|EXPL-<content id>-<version>^Patient explanation: <title>^99EXPLAINER|
//      <language>|<text>||||||F
// with set ids continuing the group's highest OBX-1. The text is the plain-text rendering
// (line breaks as the message's \.br\ escape, delimiters escaped, converted to the message's
// MSH-18 character set). In ED form OBX-5 is ^TEXT^HTML^Base64^<base64 of the HTML fragment>.
// Draft content says so in the text itself; a fallback language says so too.
// Every original segment is written back byte for byte (hl7v2::Message::serialize).
//
// Thread safety: enrich() is const and may be called concurrently; each call reads one
// snapshot of the rules and one of the content library. The encoded explanation segments are
// cached per content snapshot (obx_cache.h); the output is the same as without the cache.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content/library.h"
#include "core/report.h"
#include "enrich/obx_cache.h"
#include "enrich/selection.h"
#include "hl7v2/message.h"
#include "matching/rule_holder.h"

namespace explainer::enrich {

enum class V2Form { kFormattedText, kEncapsulatedHtml };

struct AddedExplanation {
  int group_index = 0;
  std::string finding_id;
  std::string content_id;
  std::string version;
  std::string language;
  std::string review_status;
  bool used_fallback = false;
  std::string obx_set_id;
};

struct HeldExplanation {
  int group_index = 0;
  std::string accession;
  std::string finding_id;
  std::string content_id;
  std::string version;
  std::string language;
};

struct V2Enrichment {
  std::optional<std::string> payload;  // the enriched message; nullopt when nothing was added
  std::vector<AddedExplanation> added;
  std::vector<HeldExplanation> held;         // policy "hold": not attached, waiting for release
  std::map<std::string, int> not_explained;  // reason -> findings, over all reports
  std::string reason;                        // when nothing was added: the first report's reason
};

// The OBX described above for `chosen` (document non-null), with OBX-1 = `set_id`, encoded for
// `message`'s delimiters and character set. Also used for the MDM^T02 follow-up of a released
// held explanation (follow_up.h), so both carry the same text.
std::string build_explanation_obx(const hl7v2::Message& message,
                                  const content::ContentLibrary& library, const Chosen& chosen,
                                  V2Form form, int set_id);

class V2Enricher {
 public:
  // The holders must outlive the enricher; their snapshots may be swapped at any time.
  V2Enricher(const matching::RuleSetHolder& rules, const content::ContentLibraryHolder& content,
             Policy policy);

  V2Enrichment enrich(const hl7v2::Message& message, const std::vector<core::ReportView>& reports,
                      V2Form form) const;

 private:
  const matching::RuleSetHolder& rules_;
  const content::ContentLibraryHolder& content_;
  Policy policy_;
  // Encoded explanation segments per content snapshot (shared by copies of this enricher).
  std::shared_ptr<ExplanationObxCache> cache_;
};

}  // namespace explainer::enrich
