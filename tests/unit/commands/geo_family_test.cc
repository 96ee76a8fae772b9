// Unit tests for the geo family (geo_family.cc) through the in-process harness: GEOADD's
// options and errors, GEOPOS / GEODIST / GEOHASH replies as redis-server 7.0 prints them,
// the searches (GEORADIUS*, GEOSEARCH*) with every option and their argument errors, STORE /
// STOREDIST / GEOSEARCHSTORE, RESP3 shapes, WRONGTYPE, and the key specs of the STORE forms.
// Expected values were taken from a real redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"
#include "protocol/reply_builder.h"
#include "server/client.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kSyntax;
using testing::kWrongType;

class GeoFamilyTest : public ::testing::Test {
 protected:
  void AddSicily() {
    ASSERT_EQ(h.Run({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269",
                     "37.502669", "Catania"}),
              "(integer) 2");
    ASSERT_EQ(h.Run({"GEOADD", "Sicily", "12.758489", "38.788135", "edge1", "17.241510",
                     "38.788135", "edge2"}),
              "(integer) 2");
  }
  Harness h;
};

TEST_F(GeoFamilyTest, AddStoresGeohashScores) {
  AddSicily();
  EXPECT_EQ(h.Run({"ZSCORE", "Sicily", "Palermo"}), "3479099956230698");
  EXPECT_EQ(h.Run({"ZSCORE", "Sicily", "Catania"}), "3479447370796909");
  EXPECT_EQ(h.Run({"TYPE", "Sicily"}), "zset");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "Sicily"}), "listpack");
  // Re-adding the same point changes nothing; a new position counts only with CH.
  EXPECT_EQ(h.Run({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GEOADD", "Sicily", "CH", "13.361389", "38.215556", "Palermo"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GEOADD", "Sicily", "XX", "CH", "13.361389", "38.115556", "Palermo", "0", "0",
                   "Null"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZSCORE", "Sicily", "Null"}), "(nil)");
  EXPECT_EQ(h.Run({"GEOADD", "Sicily", "NX", "13", "38", "Palermo", "0", "0", "Null"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZSCORE", "Sicily", "Palermo"}), "3479099956230698");
  EXPECT_EQ(h.Run({"GEOADD", "nokey", "XX", "1", "2", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "nokey"}), "(integer) 0");
  // The storable corners.
  EXPECT_EQ(h.Run({"GEOADD", "pole", "180", "85.05112878", "np", "-180", "-85.05112878", "sp"}),
            "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "pole", "0", "-1", "WITHSCORES"}), "[sp, 0, np, 13510798882111488]");
}

TEST_F(GeoFamilyTest, AddErrors) {
  EXPECT_EQ(h.Run({"GEOADD", "k", "200", "100", "x"}),
            "(error) ERR invalid longitude,latitude pair 200.000000,100.000000");
  EXPECT_EQ(h.Run({"GEOADD", "k", "1", "85.06", "x"}),
            "(error) ERR invalid longitude,latitude pair 1.000000,85.060000");
  EXPECT_EQ(h.Run({"GEOADD", "k", "foo", "2", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"GEOADD", "k", "1", "nan", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"GEOADD", "k", "1", "2"}),
            "(error) ERR wrong number of arguments for 'geoadd' command");
  EXPECT_EQ(h.Run({"GEOADD", "k", "NX", "XX", "1", "2", "a"}), kSyntax);
  EXPECT_EQ(h.Run({"GEOADD", "k", "NX", "CH", "CH"}), kSyntax);
  EXPECT_EQ(h.Run({"GEOADD", "k", "1", "2", "a", "b"}), kSyntax);
  EXPECT_EQ(h.Run({"GEOADD", "k", "GT", "1", "2", "a"}), kSyntax);
  // A bad pair anywhere adds nothing.
  EXPECT_EQ(h.Run({"GEOADD", "k", "1", "2", "a", "1", "99", "b"}),
            "(error) ERR invalid longitude,latitude pair 1.000000,99.000000");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"GEOADD", "s", "1", "2", "a"}), kWrongType);
  // Coordinates are checked before the key's type.
  EXPECT_EQ(h.Run({"GEOADD", "s", "1", "100", "a"}),
            "(error) ERR invalid longitude,latitude pair 1.000000,100.000000");
}

TEST_F(GeoFamilyTest, PosDistHash) {
  AddSicily();
  EXPECT_EQ(h.Run({"GEOPOS", "Sicily", "Palermo", "nope", "edge1"}),
            "[[13.36138933897018433, 38.11555639549629859], (nil), "
            "[12.7584877610206604, 38.78813451624225195]]");
  EXPECT_EQ(h.Run({"GEOPOS", "nokey", "a"}), "[(nil)]");
  EXPECT_EQ(h.Run({"GEOPOS", "Sicily"}), "[]");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Catania"}), "166274.1516");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Catania", "km"}), "166.2742");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Catania", "MI"}), "103.3182");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "edge1", "edge2", "ft"}), "1275023.2491");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Palermo"}), "0.0000");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "nope"}), "(nil)");
  EXPECT_EQ(h.Run({"GEODIST", "nokey", "a", "b"}), "(nil)");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Catania", "parsec"}),
            "(error) ERR unsupported unit provided. please use M, KM, FT, MI");
  EXPECT_EQ(h.Run({"GEODIST", "Sicily", "Palermo", "Catania", "km", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"GEOHASH", "Sicily", "Palermo", "Catania", "nope"}),
            "[sqc8b49rny0, sqdtr74hyu0, (nil)]");
  EXPECT_EQ(h.Run({"GEOHASH", "nokey", "a"}), "[(nil)]");
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"GEOPOS", "s", "a"}), kWrongType);
  EXPECT_EQ(h.Run({"GEODIST", "s", "a", "b"}), kWrongType);
  EXPECT_EQ(h.Run({"GEOHASH", "s", "a"}), kWrongType);
}

TEST_F(GeoFamilyTest, NonGeoScoresDecodeAsRedisDoes) {
  h.Run({"ZADD", "w", "-5", "a", "1e20", "b", "inf", "c", "0", "z"});
  EXPECT_EQ(h.Run({"GEOPOS", "w", "a", "c", "z"}),
            "[[180, 85.0511287799999991], [-179.99999731779098511, -85.05112751263942528], "
            "[-179.99999731779098511, -85.05112751263942528]]");
  EXPECT_EQ(h.Run({"GEOHASH", "w", "a", "z"}), "[bp05b5048p0, 00bh0hbj200]");
  EXPECT_EQ(h.Run({"GEODIST", "w", "a", "b"}), "18919844.5891");
}

TEST_F(GeoFamilyTest, RadiusReplies) {
  AddSicily();
  EXPECT_EQ(h.Run({"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST"}),
            "[[Palermo, 190.4424], [Catania, 56.4413]]");
  EXPECT_EQ(h.Run({"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD",
                   "WITHHASH", "ASC"}),
            "[[Catania, 56.4413, (integer) 3479447370796909, [15.08726745843887329, "
            "37.50266842333162032]], [Palermo, 190.4424, (integer) 3479099956230698, "
            "[13.36138933897018433, 38.11555639549629859]]]");
  EXPECT_EQ(h.Run({"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "DESC"}),
            "[Palermo, Catania]");
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km"}),
            "[Palermo, edge1, Catania]");
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "COUNT", "2"}),
            "[Palermo, edge1]");
  EXPECT_EQ(h.Run({"GEORADIUS", "Sicily", "15", "37", "1", "km"}), "[]");
  EXPECT_EQ(h.Run({"GEORADIUS", "nokey", "15", "37", "1", "km"}), "[]");
}

TEST_F(GeoFamilyTest, SearchReplies) {
  AddSicily();
  EXPECT_EQ(
      h.Run({"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"}),
      "[Catania, Palermo]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km",
                   "ASC", "WITHDIST"}),
            "[[Catania, 56.4413], [Palermo, 190.4424], [edge2, 279.7403], [edge1, 279.7405]]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km",
                   "DESC", "COUNT", "2"}),
            "[edge1, edge2]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km",
                   "COUNT", "1", "ANY"}),
            "[Palermo]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "Sicily", "FROMMEMBER", "edge1", "BYRADIUS", "1000", "mi"}),
            "[Palermo, edge1, Catania, edge2]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "m"}), "[]");
}

TEST_F(GeoFamilyTest, StoreAndStoreDist) {
  AddSicily();
  h.Run({"SET", "dst", "old"});
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km", "STORE", "dst"}),
            "(integer) 3");
  EXPECT_EQ(h.Run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}),
            "[Palermo, 3479099956230698, edge1, 3479273021651468, Catania, 3479447370796909]");
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km", "STOREDIST", "dst",
                   "COUNT", "1", "DESC"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), "[Catania, 166.27415156960032]");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400",
                   "400", "km", "ASC", "COUNT", "3", "STOREDIST"}),
            "(integer) 3");
  EXPECT_EQ(h.Run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}),
            "[Catania, 56.441257870158204, Palermo, 190.44242984775784, edge2, 279.7403417843143]");
  EXPECT_EQ(
      h.Run({"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"}),
      "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "dst"}), "(integer) 0");
  h.Run({"SET", "dst", "old"});
  EXPECT_EQ(h.Run({"GEORADIUS", "nokey", "1", "2", "3", "km", "STORE", "dst"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "dst"}), "(integer) 0");
  // The source can be its own destination.
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "Sicily", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "10",
                   "km"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "Sicily", "0", "-1"}), "[Palermo]");
}

TEST_F(GeoFamilyTest, StoreEncodingFollowsTheLimits) {
  std::vector<std::string> add = {"GEOADD", "g"};
  for (int i = 0; i < 200; i++) {
    add.insert(add.end(), {std::to_string(i * 0.001), "0", "m" + std::to_string(i)});
  }
  EXPECT_EQ(h.Run(add), "(integer) 200");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "g"}), "skiplist");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "50", "km"}),
            "(integer) 200");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "skiplist");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "50", "km",
                   "COUNT", "10"}),
            "(integer) 10");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "listpack");
  EXPECT_EQ(h.Run({"GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "50", "km", "COUNT", "3"}),
            "[m0, m1, m2]");
  EXPECT_EQ(h.Run({"GEOSEARCH", "g", "FROMLONLAT", "0.2", "0", "BYBOX", "1", "1", "km", "DESC"}),
            "[m196, m197, m198, m199]");
}

TEST_F(GeoFamilyTest, SearchArgumentErrors) {
  AddSicily();
  auto radius = [&](std::vector<std::string> extra) {
    std::vector<std::string> cmd = {"GEORADIUS", "Sicily", "15", "37"};
    cmd.insert(cmd.end(), extra.begin(), extra.end());
    return h.Run(cmd);
  };
  EXPECT_EQ(radius({"-1", "km"}), "(error) ERR radius cannot be negative");
  EXPECT_EQ(radius({"x", "km"}), "(error) ERR need numeric radius");
  EXPECT_EQ(radius({"1", "parsec"}),
            "(error) ERR unsupported unit provided. please use M, KM, FT, MI");
  EXPECT_EQ(radius({"1", "km", "COUNT", "0"}), "(error) ERR COUNT must be > 0");
  EXPECT_EQ(radius({"1", "km", "COUNT", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(radius({"1", "km", "COUNT"}), kSyntax);
  EXPECT_EQ(radius({"1", "km", "ANY"}), "(error) ERR the ANY argument requires COUNT argument");
  EXPECT_EQ(radius({"1", "km", "STORE", "x", "WITHDIST"}),
            "(error) ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
            "WITHCOORD options");
  EXPECT_EQ(radius({"1", "km", "FROMLONLAT", "1", "2"}), kSyntax);
  EXPECT_EQ(h.Run({"GEORADIUS", "Sicily", "200", "37", "1", "km"}),
            "(error) ERR invalid longitude,latitude pair 200.000000,37.000000");
  EXPECT_EQ(h.Run({"GEORADIUS_RO", "Sicily", "15", "37", "1", "km", "STORE", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER", "Sicily", "nope", "1", "km"}),
            "(error) ERR could not decode requested zset member");
  // With no source key the radius is never read.
  EXPECT_EQ(h.Run({"GEORADIUSBYMEMBER", "nokey", "nope", "x", "km"}), "[]");

  auto search = [&](std::vector<std::string> extra) {
    std::vector<std::string> cmd = {"GEOSEARCH", "Sicily"};
    cmd.insert(cmd.end(), extra.begin(), extra.end());
    return h.Run(cmd);
  };
  EXPECT_EQ(search({"FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"}),
            kSyntax);
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"}),
            kSyntax);
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STORE", "x"}), kSyntax);
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STOREDIST"}), kSyntax);
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYBOX", "-1", "1", "km"}),
            "(error) ERR height or width cannot be negative");
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYBOX", "x", "1", "km"}),
            "(error) ERR need numeric width");
  EXPECT_EQ(search({"FROMLONLAT", "1", "2", "BYBOX", "1", "x", "km"}),
            "(error) ERR need numeric height");
  EXPECT_EQ(search({"BYRADIUS", "1", "km", "ASC", "COUNT", "1"}),
            "(error) ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH");
  EXPECT_EQ(h.Run({"geosearch", "Sicily", "FROMMEMBER", "Palermo", "COUNT", "1", "ANY"}),
            "(error) ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch");
  EXPECT_EQ(search({"FROMMEMBER", "nope", "BYRADIUS", "1", "km"}),
            "(error) ERR could not decode requested zset member");
  EXPECT_EQ(search({"FROMMEMBER", "Palermo"}),
            "(error) ERR wrong number of arguments for 'geosearch' command");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km",
                   "WITHDIST"}),
            "(error) ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD "
            "options");
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"GEORADIUS", "s", "200", "37", "1", "km"}), kWrongType);
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"}),
            kWrongType);
}

TEST_F(GeoFamilyTest, Resp3Shapes) {
  AddSicily();
  h.client().reply().set_resp(3);
  EXPECT_EQ(h.RunRaw({"GEOPOS", "Sicily", "Palermo", "nope"}),
            "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
  EXPECT_EQ(h.RunRaw({"GEODIST", "Sicily", "Palermo", "nope"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"GEODIST", "Sicily", "Palermo", "Catania"}), "$11\r\n166274.1516\r\n");
  EXPECT_EQ(h.RunRaw({"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
                      "WITHDIST", "WITHHASH", "WITHCOORD", "COUNT", "1"}),
            "*1\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n"
            ",15.08726745843887329\r\n,37.50266842333162032\r\n");
}

TEST_F(GeoFamilyTest, StoreKeysAreFoundByCommandGetKeys) {
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "2", "3", "km", "STORE", "d1",
                   "STOREDIST", "d2"}),
            "[src, d1, d2]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "src", "m", "3", "km"}), "[src]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m",
                   "BYRADIUS", "1", "km"}),
            "[dst, src]");
}

}  // namespace
}  // namespace ember
