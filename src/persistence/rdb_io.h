// RdbWriter / RdbReader: the primitive encodings of the RDB format — length prefixes, strings
// (with Redis's integer and LZF forms), binary and ASCII doubles, little-endian times — over a
// byte buffer. Everything that reads or writes RDB bytes (files, DUMP payloads, the AOF's RDB
// preamble, function libraries) goes through these two classes.
//
// RdbWriter appends to an in-memory buffer; with a flush callback set, the buffer is handed on
// (to a file, a background writer) whenever it passes a threshold, so a writer never holds a
// whole snapshot. It keeps a running CRC-64 (Jones, as Redis) of every byte written.
// RdbReader decodes from one contiguous buffer (a mapped file, a payload) and never reads past
// its end: every call returns false on malformed or truncated input and records the first
// error with its offset, so nothing read from disk or RESTORE can crash the server.
// Ownership: both are plain values owned by their user. Thread: any, one at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ember {

// CRC-64/Jones (reflected, poly 0xad93d23594c935a9), the checksum of RDB files and DUMP payloads.
uint64_t Crc64(uint64_t crc, const void* data, size_t len);

class RdbWriter {
 public:
  // Receives buffered bytes; returns false on an I/O error (the writer then stays failed).
  using FlushFn = std::function<bool(std::string_view)>;

  // `compress`: LZF-compress strings longer than 20 bytes when that saves space
  // (rdbcompression).
  explicit RdbWriter(bool compress = true) : compress_(compress) {}
  // Hands the buffer to `fn` whenever it holds `threshold` bytes or more (and at Flush).
  void SetFlush(FlushFn fn, size_t threshold = 64 * 1024);

  void Byte(uint8_t b);
  void Raw(std::string_view bytes);
  void Len(uint64_t len);           // 6/14/32/64-bit length forms
  void String(std::string_view s);  // int form when canonical and fits int32, else LZF or plain
  void IntString(int64_t v);        // an integer as a string (int form or its digits)
  void BinaryDouble(double v);      // 8 bytes little endian (zset2 scores)
  void Millis(int64_t ms);          // 8 bytes little endian
  void U16(uint16_t v);             // little endian (DUMP footer version)
  void U64(uint64_t v);             // little endian (CRC footer)

  // Hands pending bytes to the flush callback (no-op without one). False after an I/O error.
  bool Flush();
  bool ok() const { return ok_; }
  // Bytes written so far (flushed or not) and the CRC-64 of all of them.
  uint64_t total_bytes() const { return flushed_ + buf_.size(); }
  uint64_t crc();
  // The unflushed bytes (a DUMP payload or a buffer-only writer uses them directly).
  std::string& buffer() { return buf_; }

 private:
  void MaybeFlush();
  bool compress_;
  bool ok_ = true;
  std::string buf_;
  size_t crc_pos_ = 0;  // bytes of buf_ already folded into crc_
  uint64_t crc_ = 0;
  uint64_t flushed_ = 0;
  FlushFn flush_;
  size_t threshold_ = 0;
};

class RdbReader {
 public:
  explicit RdbReader(std::string_view data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  bool Byte(uint8_t* out);
  bool Raw(size_t n, std::string_view* out);
  // A length; `*encoded` is set (when given) if it was the kLenEncVal special form, in which
  // case *out is the encoding type (kEncInt8 ...).
  bool Len(uint64_t* out, bool* encoded = nullptr);
  // A string in any form (plain, int-encoded, LZF). `scratch` holds decompressed or rendered
  // bytes; *out points into data or into scratch.
  bool String(std::string* scratch, std::string_view* out);
  // Convenience: a string copied out.
  bool String(std::string* out);
  // A string that must hold a canonical integer (int forms, or digits).
  bool IntString(int64_t* out);
  bool BinaryDouble(double* out);
  bool AsciiDouble(double* out);  // kTypeZset's length-prefixed text form
  bool Millis(int64_t* out);
  bool Seconds(int32_t* out);
  bool U16(uint16_t* out);
  bool U64(uint64_t* out);

  // Records an error at the current position (the first one wins) and returns false.
  bool Fail(std::string_view why);
  bool ok() const { return error_.empty(); }
  // "why (at offset N)".
  const std::string& error() const { return error_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::string_view data() const { return data_; }

 private:
  std::string_view data_;
  size_t base_;  // offset of data_[0] in the whole file, for messages
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace ember
