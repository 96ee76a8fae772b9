// RespParser implementation: incremental multibulk parsing with offsets, inline commands with
// redis-cli quoting rules, and Redis's protocol error messages.
#include "protocol/resp_parser.h"

#include <cstring>

namespace ember {
namespace {

constexpr std::string_view kErrBigMbulk = "Protocol error: too big mbulk count string";
constexpr std::string_view kErrInvalidMbulk = "Protocol error: invalid multibulk length";
constexpr std::string_view kErrUnauthMbulk = "Protocol error: unauthenticated multibulk length";
constexpr std::string_view kErrBigBulk = "Protocol error: too big bulk count string";
constexpr std::string_view kErrInvalidBulk = "Protocol error: invalid bulk length";
constexpr std::string_view kErrUnauthBulk = "Protocol error: unauthenticated bulk length";
constexpr std::string_view kErrBigInline = "Protocol error: too big inline request";
constexpr std::string_view kErrUnbalanced = "Protocol error: unbalanced quotes in request";

// Parses a signed decimal with Redis's string2ll rules: no '+', no leading zeros ("01"),
// no "-0". Returns false if not such a number.
bool ParseLen(const char* p, size_t n, int64_t* out) {
  if (n == 0 || n > 20) return false;
  if (n == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  bool neg = false;
  size_t i = 0;
  if (p[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i >= n || p[i] < '1' || p[i] > '9') return false;  // no leading zero, no "-0"
  uint64_t v = 0;
  for (; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    v = v * 10 + uint64_t(p[i] - '0');
    if (v > (uint64_t(1) << 62)) return false;
  }
  *out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

const char* FindCrlf(const char* p, size_t n) {
  const char* end = p + n;
  while (p < end) {
    const char* cr = static_cast<const char*>(memchr(p, '\r', size_t(end - p)));
    if (!cr || cr + 1 >= end) return nullptr;
    if (cr[1] == '\n') return cr;
    p = cr + 1;
  }
  return nullptr;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0'; }

}  // namespace

void RespParser::Reset() {
  in_request_ = false;
  inline_ = false;
  multibulk_len_ = 0;
  pos_ = 0;
  spans_.clear();
  args_.clear();
  wanted_ = 0;
}

RespParser::Status RespParser::Fail(std::string_view msg) {
  error_.assign("ERR ").append(msg);
  Reset();
  return Status::kError;
}

RespParser::Status RespParser::Parse(const char* buf, size_t len, size_t* consumed) {
  *consumed = 0;
  if (!in_request_) {
    // Arrays grown by one huge request (an SADD of 100k members) are not kept for the life of
    // the connection: at 32 bytes per argument they would pin megabytes per client.
    if (args_.capacity() > kKeptArgs) {
      std::vector<std::string_view>().swap(args_);
      std::vector<std::pair<size_t, size_t>>().swap(spans_);
    }
    args_.clear();
    if (len == 0) return Status::kNeedMore;
    inline_ = buf[0] != '*';
  }
  return inline_ ? ParseInline(buf, len, consumed) : ParseMultibulk(buf, len, consumed);
}

RespParser::Status RespParser::ParseMultibulk(const char* buf, size_t len, size_t* consumed) {
  if (!in_request_) {
    const char* nl = FindCrlf(buf, len);
    if (!nl) {
      if (len > kMaxInline) return Fail(kErrBigMbulk);
      return Status::kNeedMore;
    }
    int64_t n;
    if (!ParseLen(buf + 1, size_t(nl - buf - 1), &n) || n > kMaxMultibulk) {
      return Fail(kErrInvalidMbulk);
    }
    if (unauthenticated_ && n > 10) return Fail(kErrUnauthMbulk);
    pos_ = size_t(nl - buf) + 2;
    if (n <= 0) {  // "*0" / "*-1": an empty request, skipped
      *consumed = pos_;
      pos_ = 0;
      return Status::kOk;
    }
    multibulk_len_ = n;
    spans_.clear();
    spans_.reserve(size_t(n < 64 ? n : 64));
    in_request_ = true;
  }
  while (int64_t(spans_.size()) < multibulk_len_) {
    const char* p = buf + pos_;
    size_t avail = len - pos_;
    if (avail == 0) return Status::kNeedMore;
    const char* nl = FindCrlf(p, avail);
    if (!nl) {
      if (avail > kMaxInline) return Fail(kErrBigBulk);
      return Status::kNeedMore;
    }
    if (p[0] != '$') {
      std::string msg = "Protocol error: expected '$', got '";
      msg.push_back(p[0]);
      msg.push_back('\'');
      return Fail(msg);
    }
    int64_t blen;
    if (!ParseLen(p + 1, size_t(nl - p - 1), &blen) || blen < 0 || blen > max_bulk_len_) {
      return Fail(kErrInvalidBulk);
    }
    if (unauthenticated_ && blen > 16384) return Fail(kErrUnauthBulk);
    size_t start = size_t(nl - buf) + 2;
    if (len - start < size_t(blen) + 2) {
      wanted_ = start + size_t(blen) + 2;
      return Status::kNeedMore;
    }
    spans_.emplace_back(start, size_t(blen));
    pos_ = start + size_t(blen) + 2;
  }
  args_.clear();
  args_.reserve(spans_.size());
  for (auto [off, n] : spans_) args_.emplace_back(buf + off, n);
  *consumed = pos_;
  in_request_ = false;
  pos_ = 0;
  wanted_ = 0;
  return Status::kOk;
}

RespParser::Status RespParser::ParseInline(const char* buf, size_t len, size_t* consumed) {
  const char* nl = static_cast<const char*>(memchr(buf, '\n', len));
  if (!nl) {
    if (len > kMaxInline) return Fail(kErrBigInline);
    in_request_ = false;
    return Status::kNeedMore;
  }
  size_t line_len = size_t(nl - buf);
  if (line_len > 0 && buf[line_len - 1] == '\r') line_len--;
  std::vector<std::string> parts;
  if (!SplitArgs(std::string_view(buf, line_len), &parts)) return Fail(kErrUnbalanced);
  inline_storage_.clear();
  size_t total = 0;
  for (auto& s : parts) total += s.size();
  inline_storage_.reserve(total);
  for (auto& s : parts) inline_storage_.append(s);
  args_.clear();
  size_t off = 0;
  for (auto& s : parts) {
    args_.emplace_back(inline_storage_.data() + off, s.size());
    off += s.size();
  }
  *consumed = size_t(nl - buf) + 1;
  in_request_ = false;
  return Status::kOk;
}

bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0, n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) i++;
    if (i >= n) return true;
    std::string cur;
    bool inq = false, insq = false, done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && HexVal(line[i + 2]) >= 0 &&
            HexVal(line[i + 3]) >= 0) {
          cur.push_back(char(HexVal(line[i + 2]) * 16 + HexVal(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          i++;
          char e = line[i];
          switch (e) {
            case 'n':
              cur.push_back('\n');
              break;
            case 'r':
              cur.push_back('\r');
              break;
            case 't':
              cur.push_back('\t');
              break;
            case 'b':
              cur.push_back('\b');
              break;
            case 'a':
              cur.push_back('\a');
              break;
            default:
              cur.push_back(e);
              break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else if (insq) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          i++;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        char c = line[i];
        if (IsSpace(c)) {
          done = true;
        } else if (c == '"') {
          inq = true;
        } else if (c == '\'') {
          insq = true;
        } else {
          cur.push_back(c);
        }
      }
      if (i < n) i++;
    }
    out->push_back(std::move(cur));
  }
}

}  // namespace ember
