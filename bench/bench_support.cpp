#include "bench_support.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace explainer::bench {
namespace {

[[noreturn]] void die(const std::string& what) {
  std::cerr << "explainer_bench: " << what << "\n";
  std::exit(2);
}

std::vector<std::string> split_segments(const std::string& message) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < message.size()) {
    std::size_t end = message.find('\r', start);
    if (end == std::string::npos) end = message.size();
    out.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Realistic words for synthetic phrases: qualifier x anatomy x pathology = 15,000 phrases.
const char* const kQualifiers[] = {"mild",     "moderate",  "severe",   "small",    "large",
                                   "chronic",  "acute",     "subacute", "focal",    "diffuse",
                                   "minimal",  "marked",    "early",    "advanced", "partial",
                                   "complete", "bilateral", "right",    "left",     "central"};
const char* const kAnatomy[] = {"disc",        "liver",   "kidney",    "lung",      "spleen",
                                "pancreas",    "tendon",  "ligament",  "meniscus",  "cartilage",
                                "bone",        "marrow",  "vertebral", "foraminal", "pleural",
                                "hepatic",     "renal",   "adrenal",   "thyroid",   "cerebral",
                                "cortical",    "lobar",   "facet",     "labral",    "synovial",
                                "gallbladder", "bladder", "prostate",  "uterine",   "ovarian"};
const char* const kPathology[] = {
    "stenosis",     "narrowing",  "edema",         "effusion",    "nodule",
    "cyst",         "mass",       "lesion",        "tear",        "fracture",
    "degeneration", "thickening", "calcification", "enhancement", "atrophy",
    "hemorrhage",   "infarct",    "herniation",    "protrusion",  "bulge",
    "sclerosis",    "erosion",    "collapse",      "dilatation",  "consolidation"};
constexpr std::size_t kQ = std::size(kQualifiers), kA = std::size(kAnatomy),
                      kP = std::size(kPathology);
constexpr std::size_t kCombinations = kQ * kA * kP;  // 15,000

// A pronounceable made-up word unique to `n` (a rare term of a large terminology).
std::string pseudo_word(std::size_t n) {
  static const char* const kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi",
                                           "pe", "so", "du", "fa", "gi", "ho", "ju", "be"};
  std::string w = "syn";
  do {
    w += kSyllables[n % 16];
    n /= 16;
  } while (n != 0);
  return w;
}

std::string finding_json(std::size_t i) {
  // Spread the indices over all combinations so a small set is not all "mild disc ...".
  const std::size_t j = (i * 7919) % kCombinations;
  const std::string phrase = std::string(kQualifiers[j % kQ]) + " " + kAnatomy[(j / kQ) % kA] +
                             " " + kPathology[j / (kQ * kA)];
  const std::string rare = pseudo_word(i) + " " + kPathology[i % kP];
  const char* sensitivity = (i % 10 == 0) ? "follow-up" : "routine";
  std::ostringstream out;
  out << "    {\"id\": \"synthetic_" << i << "\", \"content_id\": \"synthetic_" << i
      << "\", \"display\": \"Synthetic finding " << i << "\", \"sensitivity\": \"" << sensitivity
      << "\",\n     \"phrases\": [\"" << phrase << "\", \"" << rare << "\"]}";
  return out.str();
}

}  // namespace

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("EXPLAINER_SOURCE_DIR"); env != nullptr && *env != '\0')
    return env;
  return EXPLAINER_SOURCE_DIR;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path.string());
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

const std::vector<NamedMessage>& radiology_fixtures() {
  static const std::vector<NamedMessage> fixtures = [] {
    std::vector<NamedMessage> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(source_dir() / "tests/fixtures/radiology")) {
      if (entry.path().extension() != ".hl7") continue;
      std::string bytes = read_file(entry.path());
      if (bytes.find("|ORU^R01") == std::string::npos) continue;
      out.push_back({entry.path().filename().string(), std::move(bytes)});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    if (out.empty()) die("no ORU fixtures in tests/fixtures/radiology");
    return out;
  }();
  return fixtures;
}

std::string sized_oru(std::size_t target_bytes) {
  static const char* const kExtraFindings[] = {
      "T12-L1: No disc herniation, canal stenosis or foraminal narrowing.",
      "Paraspinal soft tissues: Unremarkable. No paraspinal collection or mass.",
      "Sacroiliac joints: Mild subchondral sclerosis bilaterally without erosion.",
      "Posterior elements: Mild facet arthropathy at L3-L4 and L4-L5 with small joint effusions.",
      "Marrow signal: Scattered Modic type 2 endplate changes at L4-L5. No marrow replacing "
      "lesion.",
      "Visualized abdomen: Small simple-appearing cyst in the lower pole of the right kidney.",
  };
  std::vector<std::string> segments =
      split_segments(read_file(source_dir() / "tests/fixtures/radiology/mri-lumbar-spine.hl7"));
  // Insert extra findings right before the blank OBX that precedes "IMPRESSION:".
  auto impression = std::find_if(segments.begin(), segments.end(), [](const std::string& s) {
    return s.find("|IMPRESSION:|") != std::string::npos;
  });
  if (impression == segments.end()) die("mri-lumbar-spine.hl7 has no IMPRESSION line");
  std::size_t insert_at = static_cast<std::size_t>(impression - segments.begin()) - 1;
  std::size_t total = 0;
  for (const auto& s : segments) total += s.size() + 1;
  for (std::size_t k = 0; total < target_bytes; ++k) {
    const std::string line = "OBX|0|TX|18782-3^Radiology Study observation^LN|1|" +
                             std::string(kExtraFindings[k % std::size(kExtraFindings)]) + "||||||F";
    segments.insert(segments.begin() + static_cast<long>(insert_at++), line);
    total += line.size() + 1;
  }
  // Renumber OBX-1 so set ids stay sequential, as a RIS would send them.
  int set_id = 0;
  std::string out;
  for (auto& s : segments) {
    if (s.rfind("OBX|", 0) == 0) {
      const std::size_t end = s.find('|', 4);
      s.replace(4, end - 4, std::to_string(++set_id));
    }
    out += s;
    out += '\r';
  }
  return out;
}

const std::vector<std::string>& impressions_300() {
  static const std::vector<std::string> corpus = {
      "1. L4-L5 broad-based disc bulge with mild central canal stenosis and mild bilateral "
      "foraminal "
      "narrowing. 2. Small right paracentral disc protrusion at L5-S1 contacting the descending S1 "
      "nerve root. 3. No evidence of fracture or metastatic disease. Mild facet arthropathy at "
      "L3-L4.",
      "1. Complex tear of the posterior horn of the medial meniscus. 2. Complete tear of the "
      "anterior "
      "cruciate ligament with bone marrow edema in the lateral femoral condyle. 3. Small joint "
      "effusion "
      "and a small Baker's cyst. No fracture. Patellofemoral cartilage is preserved.",
      "1. 8 mm solid pulmonary nodule in the right upper lobe; follow-up chest CT in 6 to 12 "
      "months is "
      "recommended. 2. Moderate centrilobular emphysema. 3. Mild coronary artery calcification. No "
      "pleural effusion, pneumothorax or lymphadenopathy. No consolidation to suggest pneumonia.",
      "Hepatic steatosis. Cholelithiasis without sonographic evidence of acute cholecystitis. "
      "Simple "
      "cyst in the lower pole of the left kidney measuring 2.1 cm. No hydronephrosis. The pancreas "
      "is "
      "partially obscured by bowel gas. Spleen is normal in size. No ascites is identified.",
      "No acute intracranial hemorrhage, mass effect or territorial infarct. Chronic small vessel "
      "ischemic changes in the periventricular white matter. Mild generalized volume loss, "
      "appropriate "
      "for age. Old lacunar infarct in the left basal ganglia. Mucosal thickening of the maxillary "
      "sinus.",
      "1. Full-thickness tear of the supraspinatus tendon with 1 cm of retraction. 2. Moderate "
      "acromioclavicular joint arthropathy. 3. Subacromial subdeltoid bursitis. Tendinosis of the "
      "long "
      "head of the biceps tendon. A labral tear cannot be excluded on this non-arthrographic "
      "study.",
      "Cardiomegaly with small bilateral pleural effusions and bibasilar atelectasis. Possible "
      "early "
      "pneumonia in the right lower lobe cannot be excluded; clinical correlation is recommended. "
      "No "
      "pneumothorax. Degenerative changes of the thoracic spine. History of prior sternotomy "
      "noted.",
      "1. Multilevel degenerative disc disease, most pronounced at C5-C6 with moderate left "
      "foraminal "
      "stenosis. 2. No cord signal abnormality. 3. Small thyroid nodule, for which no further "
      "imaging "
      "is needed. No prevertebral soft tissue swelling. Straightening of the normal cervical "
      "lordosis.",
      "Nondisplaced fracture of the right sixth rib. No pneumothorax or pleural effusion. Lungs "
      "are "
      "clear without focal consolidation. Heart size is normal. Mild degenerative changes of the "
      "spine. "
      "If symptoms persist, a follow-up radiograph could be obtained to exclude an occult "
      "fracture.",
      "Small adrenal nodule on the left measuring 1.2 cm, likely an adenoma; no further workup is "
      "needed. Bilateral nonobstructing renal calculi. Sigmoid diverticulosis without "
      "diverticulitis. "
      "No free air or fluid. Mild atherosclerotic calcification of the abdominal aorta, not "
      "aneurysmal.",
  };
  return corpus;
}

std::shared_ptr<const matching::RuleSet> shipped_rules() {
  static const auto rules = [] {
    auto loaded = matching::RuleSet::load_directory(source_dir() / "mappings");
    if (!loaded.ok()) die("shipped mappings failed to load");
    return loaded.rules;
  }();
  return rules;
}

std::shared_ptr<const content::ContentLibrary> shipped_content() {
  static const auto library = [] {
    auto loaded = content::ContentLibrary::load(source_dir() / "content");
    if (!loaded.ok()) die("shipped content failed to load");
    return loaded.library;
  }();
  return library;
}

std::filesystem::path synthetic_mappings(std::size_t findings) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() /
      ("explainer-bench-rules-" + std::to_string(findings) + "-" + std::to_string(getuid()));
  if (fs::exists(dir / "complete")) return dir;
  fs::remove_all(dir);
  fs::create_directories(dir / "findings");
  fs::create_directories(dir / "assertion");
  fs::copy_file(source_dir() / "mappings/normalization.json", dir / "normalization.json");
  fs::copy_file(source_dir() / "mappings/assertion/lexicon.json", dir / "assertion/lexicon.json");
  constexpr std::size_t kPerFile = 1000;
  for (std::size_t first = 0; first < findings; first += kPerFile) {
    std::ofstream out(dir / "findings" /
                      ("synthetic-" + std::to_string(first / kPerFile) + ".json"));
    out << "{\n  \"format_version\": 1,\n  \"rules_version\": \"bench\",\n  \"findings\": [\n";
    for (std::size_t i = first; i < std::min(findings, first + kPerFile); ++i) {
      out << (i == first ? "" : ",\n") << finding_json(i);
    }
    out << "\n  ]\n}\n";
  }
  std::ofstream(dir / "complete") << "ok\n";
  return dir;
}

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace explainer::bench
