// RdbSaver (see rdb_saver.h). Placeholder until snapshots are built.
#include "persistence/rdb_saver.h"

namespace ember {

std::string RdbSaver::Save() { return "ERR SAVE not built yet"; }
std::string RdbSaver::BackgroundSave(bool) { return "-ERR BGSAVE not built yet"; }
void RdbSaver::Cron() {}
void RdbSaver::AppendInfo(std::string* out) {
  out->append(
      "current_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\n"
      "current_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n"
      "rdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:0\r\n"
      "rdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\n"
      "rdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\n"
      "rdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\n");
}
std::string RdbSaver::OnShutdown(bool, bool, bool) { return {}; }

}  // namespace ember
