// RespParser: turns bytes from a client into complete requests (argument vectors), for both
// RESP multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands ("GET k\r\n", telnet).
//
// It is incremental: Parse() may be called with a buffer that ends mid-request, returns
// kNeedMore, and on the next call with the same (grown) buffer resumes where it stopped —
// remembering argument positions as offsets, so the caller may reallocate the buffer between
// calls — so a huge bulk string arriving in many reads costs O(n), not O(n^2). Arguments of a
// complete request are views into the caller's buffer, valid until it is modified.
//
// Limits follow Redis 7: at most INT_MAX multibulk elements, bulk lengths up to
// `max_bulk_len` (proto-max-bulk-len), header lines and inline requests up to 64 KiB. On a
// protocol violation Parse() returns kError and error() holds Redis's exact message; the
// caller replies with it and closes the connection. One parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class RespParser {
 public:
  enum class Status { kOk, kNeedMore, kError };
  static constexpr size_t kMaxInline = 64 * 1024;
  static constexpr int64_t kMaxMultibulk = 2147483647;
  // Argument arrays above this capacity are released before the next request is parsed.
  static constexpr size_t kKeptArgs = 1024;

  explicit RespParser(int64_t max_bulk_len = 512ll * 1024 * 1024) : max_bulk_len_(max_bulk_len) {}
  void set_max_bulk_len(int64_t v) { max_bulk_len_ = v; }
  // While the client is not authenticated, Redis refuses big requests early (more than 10
  // elements or bulks over 16 KiB) so an unauthenticated peer can't make it buffer much.
  void set_unauthenticated(bool v) { unauthenticated_ = v; }

  // Parses one request from buf[0..len). On kOk, *consumed is the number of bytes of the
  // request and args() holds it (an empty args() means an empty request to skip). On kNeedMore,
  // *consumed is 0 and the parser keeps its progress for the next call on the same data.
  Status Parse(const char* buf, size_t len, size_t* consumed);

  const std::vector<std::string_view>& args() const { return args_; }
  std::string_view error() const { return error_; }
  bool is_inline() const { return inline_; }
  // Bytes the parser needs at least before the current request can complete (for sizing reads
  // of big bulk arguments); 0 if unknown.
  size_t bytes_wanted() const { return wanted_; }
  // Forgets partial progress (e.g. after the buffer was discarded).
  void Reset();

 private:
  Status ParseMultibulk(const char* buf, size_t len, size_t* consumed);
  Status ParseInline(const char* buf, size_t len, size_t* consumed);
  Status Fail(std::string_view msg);

  int64_t max_bulk_len_;
  bool unauthenticated_ = false;
  // Progress of a partially parsed multibulk request.
  bool in_request_ = false;
  bool inline_ = false;
  int64_t multibulk_len_ = 0;                     // elements announced
  size_t pos_ = 0;                                // offset of the next unparsed byte
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of parsed elements
  std::vector<std::string_view> args_;
  std::string inline_storage_;  // unescaped inline arguments
  std::string error_;
  size_t wanted_ = 0;
};

// Splits a line into arguments like redis-cli/redis.conf ("..." with escapes, '...').
// Returns false on unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace ember
