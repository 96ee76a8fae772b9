// Redis's serialized small encodings, as they appear inside RDB values: listpack, ziplist,
// zipmap and intset blobs. Validating decoders (every length and offset is checked against the
// blob, so corrupt input returns false with a reason, never reads out of bounds) and a
// listpack builder (stream values and compact RDB output need Redis's exact listpack bytes).
// These are Redis's formats, not Ember's in-memory encodings (core/listpack.h is our own).
// Thread: any; no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::redisenc {

// One element of a listpack/ziplist: an integer or a string view into the blob.
struct Item {
  bool is_int = false;
  int64_t ival = 0;
  std::string_view sval;
  // The element as text (integers rendered into `scratch`).
  std::string_view Text(std::string* scratch) const;
};

// Decoders append the elements to *out (cleared first); false + *err on malformed input.
bool DecodeListpack(std::string_view blob, std::vector<Item>* out, std::string* err);
bool DecodeZiplist(std::string_view blob, std::vector<Item>* out, std::string* err);
// Zipmap: alternating field, value items.
bool DecodeZipmap(std::string_view blob, std::vector<Item>* out, std::string* err);
bool DecodeIntset(std::string_view blob, std::vector<int64_t>* out, std::string* err);

// Builds a listpack in Redis's format (the same bytes lpAppend would produce: integers in the
// smallest int encoding for canonical integer strings, else the smallest string encoding).
class ListpackBuilder {
 public:
  ListpackBuilder();
  void AppendString(std::string_view s);  // stored as an integer when it is canonical int text
  void AppendInt(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }  // including the end byte
  // The finished blob (header patched, 0xFF terminator); the builder is reset.
  std::string Finish();

 private:
  std::string buf_;
  size_t count_ = 0;
};

}  // namespace ember::redisenc
