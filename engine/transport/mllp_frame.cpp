#include "transport/mllp_frame.h"

#include <algorithm>
#include <utility>

namespace explainer::transport {

namespace {
// Position of the first start-block or end-block byte, or npos. Two bounded single-character
// finds (vectorised memchr); find_first_of with a two-character set calls memchr once per byte.
std::size_t first_marker(std::string_view bytes) {
  const std::size_t end = bytes.find(kMllpEndBlock);
  const std::size_t start = bytes.substr(0, end).find(kMllpStartBlock);
  return start != std::string_view::npos ? start : end;
}
}  // namespace

std::string mllp_encode(std::string_view payload) {
  std::string framed;
  framed.reserve(payload.size() + 3);
  framed.push_back(kMllpStartBlock);
  framed.append(payload);
  framed.push_back(kMllpEndBlock);
  framed.push_back(kMllpCarriageReturn);
  return framed;
}

MllpFrameDecoder::MllpFrameDecoder(std::size_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes) {}

void MllpFrameDecoder::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t used = 0;
    switch (state_) {
      case State::kHunt:
        used = consume_hunt(bytes);
        break;
      case State::kBody:
        used = consume_body(bytes);
        break;
      case State::kSkipOversize:
        used = consume_skip(bytes);
        break;
      case State::kAfterEnd:
        used = consume_after_end(bytes);
        break;
    }
    bytes.remove_prefix(used);
  }
}

std::optional<MllpEvent> MllpFrameDecoder::next() {
  if (events_.empty()) return std::nullopt;
  MllpEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::size_t MllpFrameDecoder::partial_bytes() const {
  if (state_ == State::kBody) return current_.size();
  if (state_ == State::kSkipOversize) return skipped_bytes_;
  return 0;
}

std::size_t MllpFrameDecoder::consume_hunt(std::string_view bytes) {
  const std::size_t start = bytes.find(kMllpStartBlock);
  if (start == std::string_view::npos) {
    stats_.garbage_bytes += bytes.size();
    return bytes.size();
  }
  stats_.garbage_bytes += start;
  start_frame();
  return start + 1;
}

std::size_t MllpFrameDecoder::consume_body(std::string_view bytes) {
  const std::size_t marker = first_marker(bytes);
  const std::size_t data = marker == std::string_view::npos ? bytes.size() : marker;

  if (current_.size() + data > max_frame_bytes_) {
    // The head is completed by the skip state from these and later bytes, so that it does
    // not depend on how the stream was chunked.
    oversize_head_ = current_.substr(0, kOversizeHeadBytes);
    skipped_bytes_ = current_.size();
    std::string().swap(current_);  // release the buffer, not just its contents
    state_ = State::kSkipOversize;
    return 0;  // the skip state re-reads the same bytes and counts them
  }
  current_.append(bytes.data(), data);
  if (marker == std::string_view::npos) return data;

  if (bytes[marker] == kMllpStartBlock) {
    abandon_frame();
    start_frame();
    return marker + 1;
  }
  const std::size_t size = current_.size();
  events_.push_back(MllpEvent{MllpEventType::kFrame, std::move(current_), size});
  current_.clear();
  ++stats_.frames;
  state_ = State::kAfterEnd;
  return marker + 1;
}

std::size_t MllpFrameDecoder::consume_skip(std::string_view bytes) {
  const std::size_t marker = first_marker(bytes);
  const std::size_t data = marker == std::string_view::npos ? bytes.size() : marker;
  if (oversize_head_.size() < kOversizeHeadBytes) {
    oversize_head_.append(bytes.data(), std::min(data, kOversizeHeadBytes - oversize_head_.size()));
  }
  skipped_bytes_ += data;
  if (marker == std::string_view::npos) return bytes.size();
  if (bytes[marker] == kMllpStartBlock) {
    abandon_frame();
    start_frame();
    return marker + 1;
  }
  events_.push_back(MllpEvent{MllpEventType::kOversize, std::move(oversize_head_), skipped_bytes_});
  oversize_head_.clear();
  skipped_bytes_ = 0;
  ++stats_.oversize_frames;
  state_ = State::kAfterEnd;
  return marker + 1;
}

std::size_t MllpFrameDecoder::consume_after_end(std::string_view bytes) {
  state_ = State::kHunt;
  if (bytes.front() == kMllpCarriageReturn) return 1;
  ++stats_.missing_trailing_cr;
  return 0;  // decode this byte again, outside a frame
}

void MllpFrameDecoder::start_frame() {
  ++frames_started_;
  current_.clear();
  skipped_bytes_ = 0;
  state_ = State::kBody;
}

void MllpFrameDecoder::abandon_frame() {
  const std::size_t partial = state_ == State::kBody ? current_.size() : skipped_bytes_;
  stats_.garbage_bytes += partial + 1;  // + its start byte
  ++stats_.abandoned_frames;
  current_.clear();
  skipped_bytes_ = 0;
}

}  // namespace explainer::transport
