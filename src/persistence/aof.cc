// Aof (see aof.h). Placeholder until the AOF is built.
#include "persistence/aof.h"

namespace ember {

std::string Aof::LoadAtStartup() { return {}; }
void Aof::AppendInfo(std::string* out) {
  out->append(
      "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
      "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
      "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n"
      "aof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
      "module_fork_last_cow_size:0\r\n");
}

}  // namespace ember
