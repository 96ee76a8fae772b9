// EventLoop: the readiness loop that drives the server — fds with handlers, one periodic
// timer (the server cron) and a before-sleep hook where replies are flushed in a batch.
// This is the epoll backend; the interface (Add/Modify/Remove, handlers called with readiness
// bits, BeforeSleep) is the seam where an io_uring backend can replace it without commands
// noticing. Single-threaded: only the thread that calls Run() may use it.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace ember {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  // Called with a combination of EventLoop::kReadable / kWritable / kHangup.
  virtual void OnEvents(uint32_t events) = 0;
};

class EventLoop {
 public:
  static constexpr uint32_t kReadable = 1;
  static constexpr uint32_t kWritable = 2;
  static constexpr uint32_t kHangup = 4;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epfd_ >= 0; }
  // Registers fd for `events` (kReadable|kWritable). Returns false on failure (errno set).
  bool Add(int fd, uint32_t events, EventHandler* h);
  bool Modify(int fd, uint32_t events, EventHandler* h);
  void Remove(int fd);

  // Calls fn every period_ms milliseconds (approximately; never re-entrantly).
  void SetTimer(int period_ms, std::function<void()> fn);
  void SetPeriod(int period_ms) { period_ms_ = period_ms; }
  // Called once per loop turn, after handlers ran and before waiting again.
  void SetBeforeSleep(std::function<void()> fn) { before_sleep_ = std::move(fn); }

  // Called once per loop turn right after waking up (before handlers run).
  void SetAfterSleep(std::function<void()> fn) { after_sleep_ = std::move(fn); }
  // Runs until Stop() is called.
  void Run();
  // Makes Run() return after the current turn.
  void Stop() { stop_ = true; }
  // Runs one turn waiting at most timeout_ms (tests).
  void RunOnce(int timeout_ms);
  // Dispatches the fds that are ready now, without waiting, without the before/after-sleep
  // hooks and without timers: a busy script keeps the server answering from inside its hook.
  void PollOnce();

 private:
  int epfd_ = -1;
  bool stop_ = false;
  int period_ms_ = 100;
  int64_t next_timer_us_ = 0;
  std::function<void()> timer_;
  std::function<void()> before_sleep_;
  std::function<void()> after_sleep_;
  std::vector<uint8_t> events_buf_;
};

}  // namespace ember
