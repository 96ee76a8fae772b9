// GlobMatch: Redis stringmatchlen() semantics, case by case, including the odd corners that
// clients can observe (unclosed sets, reversed ranges, trailing backslash, the empty subject)
// and patterns that would take exponential time in a naive backtracking matcher. Expected
// values were checked against redis-server 7.0 (KEYS / CONFIG GET).
#include "core/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ember {
namespace {

TEST(GlobTest, Literals) {
  EXPECT_TRUE(GlobMatch("hello", "hello"));
  EXPECT_FALSE(GlobMatch("hello", "hell"));
  EXPECT_FALSE(GlobMatch("hell", "hello"));
  EXPECT_FALSE(GlobMatch("hello", "HELLO"));
  EXPECT_TRUE(GlobMatch("hello", "HELLO", true));
  EXPECT_TRUE(GlobMatch("HeLLo", "hEllO", true));
}

TEST(GlobTest, EmptySubjectMatchesOnlyEmptyPattern) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("**", ""));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobTest, Star) {
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("h*o", "hello"));
  EXPECT_TRUE(GlobMatch("h*o", "ho"));
  EXPECT_TRUE(GlobMatch("h*", "h"));
  EXPECT_TRUE(GlobMatch("*o", "o"));
  EXPECT_TRUE(GlobMatch("a**b", "ab"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatch("*a*", "banana"));
  EXPECT_TRUE(GlobMatch("*ana", "banana"));
  EXPECT_FALSE(GlobMatch("*anx", "banana"));
  EXPECT_TRUE(GlobMatch("hash-max-*", "hash-max-listpack-entries"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a***", "a"));
}

TEST(GlobTest, QuestionMark) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h?llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_TRUE(GlobMatch("???", "abc"));
  EXPECT_FALSE(GlobMatch("???", "ab"));
  EXPECT_TRUE(GlobMatch("?*", "a"));
  EXPECT_TRUE(GlobMatch("*?", "ab"));
}

TEST(GlobTest, Sets) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(GlobMatch("[0-9][0-9]", "42"));
  EXPECT_FALSE(GlobMatch("[0-9]", "x"));
  EXPECT_TRUE(GlobMatch("[^0-9]", "x"));
  // "c-]" is the range ']'..'c' (swapped), so '-' is not in "[abc-]" but '_' is.
  EXPECT_FALSE(GlobMatch("[abc-]", "-"));
  EXPECT_TRUE(GlobMatch("[abc-]", "_"));
  EXPECT_FALSE(GlobMatch("[]]", "]"));  // "[]" is an empty set; nothing matches it
}

TEST(GlobTest, ReversedRangesAreSwapped) {
  EXPECT_TRUE(GlobMatch("[z-a]", "m"));
  EXPECT_TRUE(GlobMatch("[9-0]", "5"));
  EXPECT_FALSE(GlobMatch("[z-a]", "A"));
  EXPECT_TRUE(GlobMatch("[z-a]", "M", true));
}

TEST(GlobTest, SetsWithNocase) {
  EXPECT_TRUE(GlobMatch("[A-C]", "b", true));
  EXPECT_TRUE(GlobMatch("[a-c]", "B", true));
  EXPECT_FALSE(GlobMatch("[a-c]", "B"));
  EXPECT_TRUE(GlobMatch("[abc]", "B", true));
  // An escaped byte inside a set compares exactly, even with nocase.
  EXPECT_FALSE(GlobMatch("[\\a]", "A", true));
  EXPECT_TRUE(GlobMatch("[\\a]", "a", true));
}

TEST(GlobTest, UnclosedSetRunsToEndOfPattern) {
  EXPECT_TRUE(GlobMatch("[a", "a"));
  EXPECT_FALSE(GlobMatch("[a", "ab"));
  EXPECT_TRUE(GlobMatch("[abc", "c"));
  EXPECT_FALSE(GlobMatch("[", "a"));
  EXPECT_TRUE(GlobMatch("[^", "a"));  // empty negated set matches any one byte
  EXPECT_FALSE(GlobMatch("*[", "a"));
  EXPECT_FALSE(GlobMatch("b[", "b"));
  EXPECT_TRUE(GlobMatch("x[a-", "xa"));
}

TEST(GlobTest, RangeEndingInBracket) {
  // "[a-]" is the range ']'..'a' (swapped) and, having eaten the ']', an unclosed set.
  EXPECT_TRUE(GlobMatch("[a-]", "a"));
  EXPECT_TRUE(GlobMatch("[a-]", "^"));
  EXPECT_FALSE(GlobMatch("[a-]", "b"));
  EXPECT_FALSE(GlobMatch("[a-]", "a]"));
  EXPECT_FALSE(GlobMatch("[a-]]", "a]"));
  EXPECT_TRUE(GlobMatch("[a-]]x", "ax"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(GlobMatch("\\*", "*"));
  EXPECT_FALSE(GlobMatch("\\*", "a"));
  EXPECT_TRUE(GlobMatch("\\?", "?"));
  EXPECT_FALSE(GlobMatch("\\?", "a"));
  EXPECT_TRUE(GlobMatch("\\[a]", "[a]"));
  EXPECT_TRUE(GlobMatch("a\\\\b", "a\\b"));
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));
  EXPECT_TRUE(GlobMatch("[\\-]", "-"));
  EXPECT_TRUE(GlobMatch("\\x", "x"));
}

TEST(GlobTest, TrailingBackslashIsLiteral) {
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));
  EXPECT_FALSE(GlobMatch("a\\", "a"));
  EXPECT_TRUE(GlobMatch("\\", "\\"));
  EXPECT_TRUE(GlobMatch("*\\", "abc\\"));
}

TEST(GlobTest, HighBytesCompareAsSignedChars) {
  std::string hi = "\xc3\xa9";
  EXPECT_TRUE(GlobMatch(hi, hi));
  EXPECT_TRUE(GlobMatch("??", hi));
  EXPECT_TRUE(GlobMatch("[\x80-\xff][\x80-\xff]", hi));
  EXPECT_FALSE(GlobMatch("[a-z]", "\xe9"));
  // Signed: 'a'..'\xff' swaps to -1..97, which holds '\xff' and 'A' but not 'b'.
  EXPECT_TRUE(GlobMatch("[a-\xff]", "\xff"));
  EXPECT_TRUE(GlobMatch("[a-\xff]", "A"));
  EXPECT_FALSE(GlobMatch("[a-\xff]", "b"));
}

TEST(GlobTest, EmbeddedNulBytes) {
  std::string s("a\0b", 3);
  EXPECT_TRUE(GlobMatch(std::string("a\0b", 3), s));
  EXPECT_TRUE(GlobMatch("a?b", s));
  EXPECT_FALSE(GlobMatch("ab", s));
}

TEST(GlobTest, PathologicalPatternsAreFast) {
  std::string subject(20000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", subject));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", subject));
  std::string many_stars;
  for (int i = 0; i < 2000; ++i) many_stars += "*a";
  EXPECT_FALSE(GlobMatch(many_stars + "b", subject));
  EXPECT_TRUE(GlobMatch(many_stars, subject));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ember
