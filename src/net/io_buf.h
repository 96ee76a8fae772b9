// IoBuf: a growable byte buffer for socket input — reads append into uninitialised space (no
// zero-fill as std::string::resize would do), consumed bytes are dropped from the front by
// moving the unread tail down only when it is cheap, and capacity can be given back.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace ember {

class IoBuf {
 public:
  IoBuf() = default;
  ~IoBuf() { free(data_); }
  IoBuf(const IoBuf&) = delete;
  IoBuf& operator=(const IoBuf&) = delete;

  const char* data() const { return data_ + start_; }
  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  size_t capacity() const { return cap_; }
  std::string_view view() const { return {data(), size()}; }

  // Makes room for at least n more bytes at the end; returns where to write them.
  char* PrepareWrite(size_t n) {
    if (cap_ - end_ < n) Grow(n);
    return data_ + end_;
  }
  void CommitWrite(size_t n) { end_ += n; }
  void Append(std::string_view s) {
    memcpy(PrepareWrite(s.size()), s.data(), s.size());
    end_ += s.size();
  }
  // Drops n bytes from the front.
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  void Clear() { start_ = end_ = 0; }
  // Frees the allocation if the buffer is empty and larger than keep bytes.
  void ShrinkIfIdle(size_t keep) {
    if (empty() && cap_ > keep) {
      free(data_);
      data_ = nullptr;
      cap_ = 0;
    }
  }

 private:
  void Grow(size_t n) {
    size_t live = end_ - start_;
    if (start_ > 0 && cap_ - live >= n && live <= cap_ / 2) {
      memmove(data_, data_ + start_, live);
    } else {
      size_t want = live + n;
      size_t cap = cap_ ? cap_ : 1024;
      while (cap < want) cap = cap < (1u << 20) ? cap * 2 : cap + (1u << 20);
      char* p = static_cast<char*>(malloc(cap));
      if (live) memcpy(p, data_ + start_, live);
      free(data_);
      data_ = p;
      cap_ = cap;
    }
    start_ = 0;
    end_ = live;
  }

  char* data_ = nullptr;
  size_t start_ = 0, end_ = 0, cap_ = 0;
};

}  // namespace ember
