// EventLoop over epoll (level-triggered).
#include "net/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "core/clock.h"

namespace ember {
namespace {
constexpr int kMaxEvents = 1024;

uint32_t ToEpoll(uint32_t ev) {
  uint32_t e = 0;
  if (ev & EventLoop::kReadable) e |= EPOLLIN;
  if (ev & EventLoop::kWritable) e |= EPOLLOUT;
  return e;
}
}  // namespace

EventLoop::EventLoop() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {
  events_buf_.resize(sizeof(epoll_event) * kMaxEvents);
}

EventLoop::~EventLoop() {
  if (epfd_ >= 0) close(epfd_);
}

bool EventLoop::Add(int fd, uint32_t events, EventHandler* h) {
  epoll_event ev{};
  ev.events = ToEpoll(events);
  ev.data.ptr = h;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::Modify(int fd, uint32_t events, EventHandler* h) {
  epoll_event ev{};
  ev.events = ToEpoll(events);
  ev.data.ptr = h;
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::SetTimer(int period_ms, std::function<void()> fn) {
  period_ms_ = period_ms;
  timer_ = std::move(fn);
  next_timer_us_ = SystemClock::MonotonicUs() + int64_t(period_ms) * 1000;
}

void EventLoop::Run() {
  stop_ = false;
  while (!stop_) {
    int timeout = -1;
    if (timer_) {
      int64_t wait_us = next_timer_us_ - SystemClock::MonotonicUs();
      timeout = wait_us <= 0 ? 0 : int((wait_us + 999) / 1000);
    }
    RunOnce(timeout);
  }
}

void EventLoop::PollOnce() {
  // Its own buffer: the outer turn may be in the middle of dispatching events_buf_.
  epoll_event evs[64];
  int n = epoll_wait(epfd_, evs, 64, 0);
  for (int i = 0; i < n; i++) {
    uint32_t e = 0;
    if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) e |= kReadable;
    if (evs[i].events & EPOLLOUT) e |= kWritable;
    if (evs[i].events & (EPOLLERR | EPOLLHUP)) e |= kHangup;
    static_cast<EventHandler*>(evs[i].data.ptr)->OnEvents(e);
  }
}

void EventLoop::RunOnce(int timeout_ms) {
  if (before_sleep_) before_sleep_();
  auto* evs = reinterpret_cast<epoll_event*>(events_buf_.data());
  int n = epoll_wait(epfd_, evs, kMaxEvents, timeout_ms);
  if (after_sleep_) after_sleep_();
  for (int i = 0; i < n; i++) {
    uint32_t e = 0;
    if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) e |= kReadable;
    if (evs[i].events & EPOLLOUT) e |= kWritable;
    if (evs[i].events & (EPOLLERR | EPOLLHUP)) e |= kHangup;
    static_cast<EventHandler*>(evs[i].data.ptr)->OnEvents(e);
  }
  if (timer_) {
    int64_t now = SystemClock::MonotonicUs();
    if (now >= next_timer_us_) {
      timer_();
      next_timer_us_ = now + int64_t(period_ms_) * 1000;
    }
  }
}

}  // namespace ember
