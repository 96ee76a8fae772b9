// Geo commands (GEOADD, GEOSEARCH, GEORADIUS ...) on sorted sets of geohash scores.
#include "server/command_table.h"

namespace ember {

void RegisterGeoFamily(CommandTable& t) {}

}  // namespace ember
