// Server log in redis-server's line format ("pid:M 23 Nov 2026 03:45:19.123 * message"),
// filtered by loglevel and written to logfile or stdout. Command thread and startup only.
#pragma once

#include <string>
#include <string_view>

namespace ember {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// (Re)configures the log from loglevel/logfile values. Returns "" or an error.
std::string ConfigureLog(std::string_view level, const std::string& file);
void Log(LogLevel level, std::string_view msg);
// printf-style convenience.
void Logf(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace ember
