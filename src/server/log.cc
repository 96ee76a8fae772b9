// Log implementation: one line per message, flushed immediately (like Redis).
#include "server/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace ember {
namespace {
LogLevel g_level = LogLevel::kNotice;
std::string g_file;
char g_role = 'M';
}  // namespace

std::string ConfigureLog(std::string_view level, const std::string& file) {
  if (level == "debug")
    g_level = LogLevel::kDebug;
  else if (level == "verbose")
    g_level = LogLevel::kVerbose;
  else if (level == "notice")
    g_level = LogLevel::kNotice;
  else if (level == "warning")
    g_level = LogLevel::kWarning;
  else if (level == "nothing")
    g_level = LogLevel::kNothing;
  else
    return "invalid loglevel";
  g_file = file;
  return "";
}

void Log(LogLevel level, std::string_view msg) {
  if (level < g_level || g_level == LogLevel::kNothing) return;
  static const char kMarks[] = {'.', '-', '*', '#'};
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  localtime_r(&tv.tv_sec, &t);
  char ts[64];
  size_t n = strftime(ts, sizeof(ts), "%d %b %Y %H:%M:%S.", &t);
  snprintf(ts + n, sizeof(ts) - n, "%03d", int(tv.tv_usec / 1000));
  FILE* fp = g_file.empty() ? stdout : fopen(g_file.c_str(), "a");
  if (!fp) return;
  fprintf(fp, "%d:%c %s %c %.*s\n", int(getpid()), g_role, ts, kMarks[int(level)], int(msg.size()),
          msg.data());
  fflush(fp);
  if (fp != stdout) fclose(fp);
}

void Logf(LogLevel level, const char* fmt, ...) {
  if (level < g_level) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  Log(level, buf);
}

}  // namespace ember
