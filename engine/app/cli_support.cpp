#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/cli.h"

namespace explainer::app {

bool OptionScanner::value(const std::string& name, std::string& value) {
  const std::string flag_form = "--" + name;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (used_[i]) continue;
    if (args_[i] == flag_form && i + 1 < args_.size()) {
      value = args_[i + 1];
      used_[i] = used_[i + 1] = true;
      return true;
    }
    if (args_[i].rfind(flag_form + "=", 0) == 0) {
      value = args_[i].substr(flag_form.size() + 1);
      used_[i] = true;
      return true;
    }
  }
  return false;
}

bool OptionScanner::flag(const std::string& name) {
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (!used_[i] && args_[i] == "--" + name) {
      used_[i] = true;
      return true;
    }
  }
  return false;
}

std::vector<std::string> OptionScanner::positional() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (!used_[i] && args_[i].rfind("--", 0) != 0) out.push_back(args_[i]);
  }
  return out;
}

std::string OptionScanner::unknown_option() const {
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (!used_[i] && args_[i].rfind("--", 0) == 0) return args_[i];
  }
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::vector<std::string> split_hl7_batch(const std::string& bytes) {
  std::vector<std::string> messages;
  std::string current;
  std::size_t pos = 0;
  // Skip a UTF-8 byte order mark; the parser accepts it, but it belongs to the file, not to
  // every message in it.
  if (bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find_first_of("\r\n", pos);
    std::string line = bytes.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (end == std::string::npos) {
      pos = bytes.size();
    } else {
      pos = end + 1;
      if (bytes[end] == '\r' && pos < bytes.size() && bytes[pos] == '\n') ++pos;
    }
    if (line.empty()) continue;
    if (line.rfind("MSH", 0) == 0 && !current.empty()) {
      messages.push_back(std::move(current));
      current.clear();
    }
    current += line;
    current += '\r';
  }
  if (!current.empty()) messages.push_back(std::move(current));
  return messages;
}

}  // namespace explainer::app
