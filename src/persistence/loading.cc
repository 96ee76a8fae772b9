// Loader (see loading.h). Placeholder until startup loading is built.
#include "persistence/loading.h"

namespace ember {

std::string Loader::LoadAtStartup() { return {}; }
std::string Loader::DebugReload(bool, bool, bool) { return "ERR DEBUG RELOAD not built yet"; }
void Loader::AppendInfo(std::string* out) { out->append("loading:0\r\nasync_loading:0\r\n"); }

}  // namespace ember
