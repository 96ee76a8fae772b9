// ReplyBuilder implementation: RESP2/RESP3 framing and Redis's number formatting.
#include "protocol/reply_builder.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ember {

void ReplyBuilder::Header(char c, int64_t n) {
  char buf[24];
  buf[0] = c;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  end[0] = '\r';
  end[1] = '\n';
  out_->append(buf, size_t(end + 2 - buf));
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view msg) {
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); i++) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n", 2);
  if (error_hook_) error_hook_(error_hook_arg_, std::string_view(*out_).substr(start, msg.size()));
}

void ReplyBuilder::Integer(int64_t v) { Header(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  Header('$', int64_t(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::NullBulk() { Raw(resp_ >= 3 ? "_\r\n" : "$-1\r\n"); }
void ReplyBuilder::NullArray() { Raw(resp_ >= 3 ? "_\r\n" : "*-1\r\n"); }
void ReplyBuilder::ArrayHeader(size_t n) { Header('*', int64_t(n)); }
void ReplyBuilder::MapHeader(size_t n) {
  if (resp_ >= 3)
    Header('%', int64_t(n));
  else
    Header('*', int64_t(n * 2));
}
void ReplyBuilder::SetHeader(size_t n) { Header(resp_ >= 3 ? '~' : '*', int64_t(n)); }
void ReplyBuilder::PushHeader(size_t n) { Header(resp_ >= 3 ? '>' : '*', int64_t(n)); }

size_t ReplyBuilder::FormatDouble(double d, char* buf) {
  if (std::isinf(d)) {
    const char* s = d > 0 ? "inf" : "-inf";
    size_t n = strlen(s);
    memcpy(buf, s, n);
    return n;
  }
  if (std::isnan(d)) {
    memcpy(buf, "nan", 3);
    return 3;
  }
  return size_t(snprintf(buf, 32, "%.17g", d));
}

size_t ReplyBuilder::FormatHumanDouble(long double d, char* buf) {
  if (std::isinf(d)) {
    const char* s = d > 0 ? "inf" : "-inf";
    size_t n = strlen(s);
    memcpy(buf, s, n);
    return n;
  }
  // %.17Lg with trailing zeros after the point removed, as Redis's ld2string humanfriendly.
  int n = snprintf(buf, kHumanDoubleMax, "%.17Lf", d);
  if (n <= 0 || n >= int(kHumanDoubleMax)) n = snprintf(buf, kHumanDoubleMax, "%.17Lg", d);
  if (memchr(buf, '.', size_t(n)) != nullptr && memchr(buf, 'e', size_t(n)) == nullptr) {
    while (n > 0 && buf[n - 1] == '0') n--;
    if (n > 0 && buf[n - 1] == '.') n--;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {  // "-0" -> "0"
    buf[0] = '0';
    n = 1;
  }
  return size_t(n);
}

void ReplyBuilder::Double(double d) {
  char buf[40];
  size_t n = FormatDouble(d, buf);
  if (resp_ >= 3) {
    out_->push_back(',');
    out_->append(buf, n);
    out_->append("\r\n", 2);
  } else {
    Bulk(std::string_view(buf, n));
  }
}

void ReplyBuilder::HumanDouble(long double d) {
  char buf[kHumanDoubleMax];
  size_t n = FormatHumanDouble(d, buf);
  Bulk(std::string_view(buf, n));
}

void ReplyBuilder::Bool(bool b) {
  if (resp_ >= 3)
    Raw(b ? "#t\r\n" : "#f\r\n");
  else
    Raw(b ? ":1\r\n" : ":0\r\n");
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (resp_ >= 3) {
    out_->push_back('(');
    out_->append(digits);
    out_->append("\r\n", 2);
  } else {
    Bulk(digits);
  }
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view format) {
  if (resp_ >= 3) {
    Header('=', int64_t(s.size() + 4));
    out_->append(format.substr(0, 3));
    out_->push_back(':');
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    Bulk(s);
  }
}

}  // namespace ember
