// SHA-1 (script names) and CRC-64 (FUNCTION DUMP payloads) against published test vectors.
#include <gtest/gtest.h>

#include <string>

#include "scripting/functions.h"
#include "scripting/sha1.h"

namespace ember {
namespace {

std::string Hex(std::string_view s) {
  char out[40];
  Sha1Hex(s, out);
  return std::string(out, 40);
}

TEST(Sha1Test, KnownVectors) {
  EXPECT_EQ(Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Hex("Pizza & Mandolino"), "74822d82031af7493c20eefa13bd07ec4fada82f");
  EXPECT_EQ(Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1Test, PaddingBoundaries) {
  // 55, 56 and 64 bytes straddle the one-block / two-block padding cases.
  EXPECT_EQ(Hex(std::string(55, 'x')), Hex(std::string(55, 'x')));
  EXPECT_NE(Hex(std::string(55, 'x')), Hex(std::string(56, 'x')));
  EXPECT_EQ(Hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(Crc64Test, JonesCheckValue) {
  // Redis's crc64 test: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caull);
}

}  // namespace
}  // namespace ember
