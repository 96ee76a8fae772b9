// Unit tests of the geohash arithmetic (core/geohash.h): interleaving, encode/decode round
// trips, scores and textual geohashes of known places (values taken from redis-server 7.0),
// neighbours across the antimeridian and the poles, the C-cast emulation for non-geo scores,
// distances, shapes, and the cells a search reads.
#include "core/geohash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>

namespace ember::geo {
namespace {

constexpr double kPalermoLon = 13.361389, kPalermoLat = 38.115556;
constexpr double kCataniaLon = 15.087269, kCataniaLat = 37.502669;

uint32_t LatIndex(Cell c) {
  uint32_t lat, lon;
  Deinterleave(c.bits, &lat, &lon);
  return lat;
}

uint32_t LonIndex(Cell c) {
  uint32_t lat, lon;
  Deinterleave(c.bits, &lat, &lon);
  return lon;
}

TEST(GeohashTest, InterleaveRoundTrip) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; i++) {
    uint32_t lat = uint32_t(rng()), lon = uint32_t(rng());
    uint32_t lat2, lon2;
    Deinterleave(Interleave(lat, lon), &lat2, &lon2);
    EXPECT_EQ(lat, lat2);
    EXPECT_EQ(lon, lon2);
  }
  // Latitude in the even bits, longitude in the odd bits (the top bit is longitude's).
  EXPECT_EQ(Interleave(1, 0), 1u);
  EXPECT_EQ(Interleave(0, 1), 2u);
  EXPECT_EQ(Interleave(0xFFFFFFFF, 0), 0x5555555555555555ull);
}

TEST(GeohashTest, EncodeDecodeRoundTrip) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> lon_d(kLonMin, kLonMax), lat_d(kLatMin, kLatMax);
  for (int step : {1, 5, 13, 26}) {
    double lon_cell = 360.0 / double(1ull << step);
    double lat_cell = (kLatMax - kLatMin) / double(1ull << step);
    for (int i = 0; i < 2000; i++) {
      double lon = lon_d(rng), lat = lat_d(rng);
      Cell c;
      ASSERT_TRUE(Encode(lon, lat, step, &c));
      EXPECT_EQ(c.step, step);
      EXPECT_LT(c.bits, 1ull << (2 * step));
      Area a = Decode(c);
      EXPECT_LE(a.lon.min, lon);
      EXPECT_GE(a.lon.max, lon);
      EXPECT_LE(a.lat.min, lat);
      EXPECT_GE(a.lat.max, lat);
      EXPECT_NEAR(a.lon.max - a.lon.min, lon_cell, 1e-9);
      EXPECT_NEAR(a.lat.max - a.lat.min, lat_cell, 1e-9);
    }
  }
  // A stored point comes back as the centre of its step-26 cell: within half a cell.
  for (int i = 0; i < 2000; i++) {
    double lon = lon_d(rng), lat = lat_d(rng), lon2, lat2;
    DecodeScore(double(ScoreBits(lon, lat)), &lon2, &lat2);
    EXPECT_NEAR(lon, lon2, 360.0 / double(1 << 27));
    EXPECT_NEAR(lat, lat2, 180.0 / double(1 << 27));
  }
}

TEST(GeohashTest, EncodeRejectsOutOfRange) {
  Cell c;
  EXPECT_FALSE(Encode(180.1, 0, 26, &c));
  EXPECT_FALSE(Encode(0, 85.06, 26, &c));
  EXPECT_FALSE(Encode(0, -85.06, 26, &c));
  EXPECT_FALSE(Encode(0, 0, 0, &c));
  EXPECT_FALSE(Encode(0, 0, 33, &c));
  EXPECT_TRUE(ValidLonLat(-180, -85.05112878));
  EXPECT_FALSE(ValidLonLat(-180.0000001, 0));
}

TEST(GeohashTest, KnownScoresAndText) {
  EXPECT_EQ(ScoreBits(kPalermoLon, kPalermoLat), 3479099956230698ull);
  EXPECT_EQ(ScoreBits(kCataniaLon, kCataniaLat), 3479447370796909ull);
  double lon, lat;
  DecodeScore(3479099956230698.0, &lon, &lat);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17f %.17f", lon, lat);
  EXPECT_EQ(std::string(buf), "13.36138933897018433 38.11555639549629859");
  char text[11];
  GeohashText(3479099956230698.0, text);
  EXPECT_EQ(std::string(text, 11), "sqc8b49rny0");
  GeohashText(3479447370796909.0, text);
  EXPECT_EQ(std::string(text, 11), "sqdtr74hyu0");
  // The upper corner encodes one past the last index in both coordinates (as Redis does).
  EXPECT_EQ(ScoreBits(180, kLatMax), 3ull << 52);
  DecodeScore(double(3ull << 52), &lon, &lat);
  EXPECT_EQ(lon, 180);
  EXPECT_EQ(lat, kLatMax);
  EXPECT_EQ(ScoreBits(-180, kLatMin), 0u);
}

TEST(GeohashTest, BitsOfScoreMirrorsTheCCast) {
  EXPECT_EQ(BitsOfScore(5.9), 5u);
  EXPECT_EQ(BitsOfScore(-5), uint64_t(-5));
  EXPECT_EQ(BitsOfScore(INFINITY), 0u);
  EXPECT_EQ(BitsOfScore(-INFINITY), 1ull << 63);
  EXPECT_EQ(BitsOfScore(9223372036854775808.0), 1ull << 63);
  EXPECT_EQ(BitsOfScore(1e19), 10000000000000000000ull);
  EXPECT_EQ(BitsOfScore(1e20), 0u);
}

TEST(GeohashTest, MoveWrapsAtTheAntimeridianAndThePoles) {
  for (int step : {1, 2, 8, 26}) {
    uint32_t last = uint32_t((1ull << step) - 1);
    Cell east_edge{Interleave(3 % (last + 1), last), step};
    Cell e = Move(east_edge, 1, 0);
    EXPECT_EQ(LonIndex(e), 0u);
    EXPECT_EQ(LatIndex(e), LatIndex(east_edge));
    Cell w = Move(Cell{Interleave(0, 0), step}, -1, 0);
    EXPECT_EQ(LonIndex(w), last);
    EXPECT_EQ(LatIndex(w), 0u);
    // North of the top row is the bottom row (and south of the bottom row the top one).
    Cell n = Move(Cell{Interleave(last, 0), step}, 0, 1);
    EXPECT_EQ(LatIndex(n), 0u);
    Cell s = Move(Cell{Interleave(0, 1 % (last + 1)), step}, 0, -1);
    EXPECT_EQ(LatIndex(s), last);
    EXPECT_EQ(LonIndex(s), 1 % (last + 1));
    Cell ne = Move(Cell{Interleave(last, last), step}, 1, 1);
    EXPECT_EQ(ne.bits, 0u);
    Cell sw = Move(Cell{0, step}, -1, -1);
    EXPECT_EQ(sw.bits, Interleave(last, last));
  }
  // An interior cell's neighbours are one index away.
  Cell c{Interleave(100, 200), 10};
  EXPECT_EQ(Move(c, 1, -1).bits, Interleave(99, 201));
  EXPECT_EQ(Move(c, -1, 1).bits, Interleave(101, 199));
  EXPECT_EQ(Move(c, 0, 0).bits, c.bits);
  // A cell past the upper edge (index 2^step) keeps the unmoved coordinate as it is and wraps
  // the moved one.
  Cell over{Interleave(1u << 4, 3), 4};
  EXPECT_EQ(Move(over, 1, 0).bits, Interleave(1u << 4, 4));
  EXPECT_EQ(Move(over, 0, 1).bits, Interleave(1, 3));
  EXPECT_EQ(Move(over, 0, -1).bits, Interleave(15, 3));
}

TEST(GeohashTest, ScoreRangeCoversTheCell) {
  Cell c;
  ASSERT_TRUE(Encode(kPalermoLon, kPalermoLat, 10, &c));
  double min, max;
  ScoreRange(c, &min, &max);
  double s = double(ScoreBits(kPalermoLon, kPalermoLat));
  EXPECT_LE(min, s);
  EXPECT_LT(s, max);
  EXPECT_EQ(max - min, double(1ull << 32));
  ASSERT_TRUE(Encode(kPalermoLon, kPalermoLat, 26, &c));
  ScoreRange(c, &min, &max);
  EXPECT_EQ(min, s);
  EXPECT_EQ(max, s + 1);
}

TEST(GeohashTest, Distances) {
  double lon1, lat1, lon2, lat2;
  DecodeScore(3479099956230698.0, &lon1, &lat1);
  DecodeScore(3479447370796909.0, &lon2, &lat2);
  EXPECT_NEAR(Distance(lon1, lat1, lon2, lat2), 166274.1516, 0.00005);
  EXPECT_DOUBLE_EQ(Distance(lon1, lat1, lon2, lat2), Distance(lon2, lat2, lon1, lat1));
  EXPECT_EQ(Distance(10, 20, 10, 20), 0);
  // Along a meridian: one degree is R * pi / 180.
  double degree = kEarthRadiusM * M_PI / 180;
  EXPECT_NEAR(Distance(5, 10, 5, 11), degree, 1e-6);
  EXPECT_NEAR(LatDistance(-1, 1), 2 * degree, 1e-6);
  // Along the equator too; half the circumference between antipodes.
  EXPECT_NEAR(Distance(0, 0, 1, 0), degree, 1e-6);
  EXPECT_NEAR(Distance(-90, 0, 90, 0), kEarthRadiusM * M_PI, 1e-3);
  // Across the antimeridian the short way round.
  EXPECT_NEAR(Distance(179.5, 0, -179.5, 0), degree, 1e-6);
}

TEST(GeohashTest, ShapeContains) {
  Shape circle{.kind = Shape::kCircle, .lon = 0, .lat = 0, .radius = 112, .unit = 1000};
  double d = -1;
  EXPECT_TRUE(ShapeContains(circle, 1, 0, &d));  // ~111.2 km
  EXPECT_NEAR(d, 111226.3, 0.1);
  EXPECT_FALSE(ShapeContains(circle, 1, 0.2, &d));
  Shape box{.kind = Shape::kBox, .lon = 0, .lat = 0, .width = 250, .height = 100, .unit = 1000};
  EXPECT_TRUE(ShapeContains(box, 1, 0, &d));
  EXPECT_TRUE(ShapeContains(box, 1, 0.4, &d));
  EXPECT_FALSE(ShapeContains(box, 1, 0.5, &d));  // 55.6 km north > 50
  EXPECT_FALSE(ShapeContains(box, 1.2, 0, &d));  // 133 km east > 125
}

TEST(GeohashTest, EstimateStep) {
  EXPECT_EQ(EstimateStep(0, 0), 26);
  EXPECT_EQ(EstimateStep(0.5, 0), 25);
  EXPECT_EQ(EstimateStep(0.1, 0), 26);
  EXPECT_EQ(EstimateStep(1e9, 0), 1);
  int mid = EstimateStep(1000, 0);
  EXPECT_GT(mid, 1);
  EXPECT_LT(mid, 26);
  EXPECT_EQ(EstimateStep(1000, 70), mid - 1);
  EXPECT_EQ(EstimateStep(1000, -85), mid - 2);
  EXPECT_GE(EstimateStep(500, 0), mid);
}

TEST(GeohashTest, CellsForASmallCircleAreTheCentreAndItsNeighbours) {
  Shape s{
      .kind = Shape::kCircle, .lon = kPalermoLon, .lat = kPalermoLat, .radius = 10, .unit = 1000};
  SearchCells cells = CellsFor(s);
  ASSERT_GE(cells.count, 4);
  ASSERT_LE(cells.count, 9);
  Cell center;
  ASSERT_TRUE(Encode(kPalermoLon, kPalermoLat, cells.cells[0].step, &center));
  EXPECT_EQ(cells.cells[0], center);
  std::set<uint64_t> distinct;
  for (int i = 0; i < cells.count; i++) {
    EXPECT_EQ(cells.cells[i].step, center.step);
    distinct.insert(cells.cells[i].bits);
    // Every cell read touches the centre cell (is it or one of its eight neighbours).
    int dlat = int(LatIndex(cells.cells[i])) - int(LatIndex(center));
    int dlon = int(LonIndex(cells.cells[i])) - int(LonIndex(center));
    EXPECT_LE(std::abs(dlat), 1);
    EXPECT_LE(std::abs(dlon), 1);
  }
  EXPECT_EQ(int(distinct.size()), cells.count);
  // The cells cover the whole circle: every point of its bounding square at the radius is in
  // one of them.
  for (double angle = 0; angle < 2 * M_PI; angle += 0.1) {
    double lat = kPalermoLat + 9.9 / 111.2 * std::sin(angle);
    double lon = kPalermoLon + 9.9 / (111.2 * std::cos(kPalermoLat * M_PI / 180)) * std::cos(angle);
    double score = double(ScoreBits(lon, lat));
    bool covered = false;
    for (int i = 0; i < cells.count; i++) {
      double min, max;
      ScoreRange(cells.cells[i], &min, &max);
      covered |= min <= score && score < max;
    }
    EXPECT_TRUE(covered) << angle;
  }
}

TEST(GeohashTest, CellsForAHugeRadiusSkipRepeatedNeighbours) {
  // At step 1 the grid is 2 x 2: north and south are the same cell, as are east and west.
  Shape s{.kind = Shape::kCircle, .lon = 10, .lat = 10, .radius = 10000, .unit = 1000};
  SearchCells cells = CellsFor(s);
  EXPECT_EQ(cells.cells[0].step, 1);
  std::set<uint64_t> distinct;
  for (int i = 0; i < cells.count; i++) distinct.insert(cells.cells[i].bits);
  EXPECT_EQ(distinct.size(), 4u);
  EXPECT_EQ(cells.count, 4);
}

}  // namespace
}  // namespace ember::geo
