// BlockingManager: wait lists per key, the ready list, deadlines and the deadline timerfd.
// See blocking.h for the design.
#include "server/blocking.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/db.h"
#include "net/event_loop.h"
#include "server/arg_parser.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/server.h"

namespace ember {

std::string_view ParseBlockTimeout(std::string_view arg, int64_t now_ms, int64_t* deadline_ms) {
  long double secs;
  if (!ParseLongDouble(arg, &secs)) return errors::kTimeoutNotFloat;
  long double ms = secs * 1000.0L;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (ms > static_cast<long double>(kMax)) return errors::kTimeoutOutOfRange;
  if (ms < 0) {
    // Redis rounds up first: a timeout above -1 ms becomes 0, which waits forever.
    if (std::ceil(ms) < 0) return errors::kTimeoutNegative;
    ms = 0;
  }
  auto tval = static_cast<int64_t>(std::ceil(ms));
  if (tval > 0) {
    if (tval > kMax - now_ms) return errors::kTimeoutOutOfRange;
    tval += now_ms;
  }
  *deadline_ms = tval;
  return {};
}

// A timerfd that wakes the event loop at the earliest deadline.
class BlockingManager::Timer final : public EventHandler {
 public:
  explicit Timer(BlockingManager* m)
      : manager_(m), fd_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {}
  ~Timer() override {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

  // Fires at `deadline_ms` of the server clock (0 = disarm), `now_ms` being that clock's now.
  void Arm(int64_t deadline_ms, int64_t now_ms) {
    if (fd_ < 0 || deadline_ms == armed_) return;
    armed_ = deadline_ms;
    itimerspec its{};
    if (deadline_ms != 0) {
      int64_t wait = std::max<int64_t>(deadline_ms - now_ms, 1);
      its.it_value.tv_sec = wait / 1000;
      its.it_value.tv_nsec = (wait % 1000) * 1000000;
    }
    timerfd_settime(fd_, 0, &its, nullptr);
  }

  void OnEvents(uint32_t) override {
    uint64_t expirations;
    while (read(fd_, &expirations, sizeof(expirations)) == sizeof(expirations)) {
    }
    armed_ = 0;
    manager_->HandleTimeouts(manager_->server_->clock().NowMs());
  }

 private:
  BlockingManager* manager_;
  int fd_;
  int64_t armed_ = 0;
};

BlockingManager::BlockingManager(Server* server) : server_(server) {}
BlockingManager::~BlockingManager() = default;

void BlockingManager::AttachLoop(EventLoop* loop) {
  timer_ = std::make_unique<Timer>(this);
  if (timer_->fd() >= 0) loop->Add(timer_->fd(), EventLoop::kReadable, timer_.get());
}

BlockedKeyMap& BlockingManager::MapOf(int db) {
  if (size_t(db) >= dbs_.size()) dbs_.resize(size_t(db) + 1);
  return dbs_[size_t(db)];
}

void BlockingManager::Block(Client& c, int db, std::span<const std::string_view> keys,
                            int64_t deadline_ms, ObjType type, bool wake_on_any_change) {
  if (!c.block) c.block = std::make_unique<BlockState>();
  BlockState& st = *c.block;
  c.flags |= kClientBlocked;
  if (st.retrying) {  // still waiting: same keys, same places, first deadline
    st.reblocked = true;
    return;
  }
  st.db = db;
  st.type = type;
  st.deadline_ms = deadline_ms;
  st.waits.clear();
  st.stream_ids.clear();
  st.wake_on_any_change = wake_on_any_change;
  BlockedKeyMap& map = MapOf(db);
  for (std::string_view key : keys) {
    auto it = map.find(key);
    if (it == map.end()) {
      it = map.try_emplace(std::string(key)).first;
      blocking_keys_++;
    } else if (!it->second.clients.empty() && it->second.clients.back() == &c) {
      continue;  // the same key given twice
    }
    it->second.clients.push_back(&c);
    st.waits.push_back({&*it, std::prev(it->second.clients.end())});
    if (wake_on_any_change && it->second.nokey_clients++ == 0) blocking_keys_on_nokey_++;
  }
  if (deadline_ms != 0) st.timeout_pos = timeouts_.emplace(deadline_ms, &c);
  blocked_clients_++;
}

void BlockingManager::Unlink(Client& c) {
  BlockState& st = *c.block;
  BlockedKeyMap& map = MapOf(st.db);
  for (const BlockState::Wait& w : st.waits) {
    if (st.wake_on_any_change && --w.node->second.nokey_clients == 0) blocking_keys_on_nokey_--;
    w.node->second.clients.erase(w.pos);
    if (w.node->second.clients.empty()) {
      map.erase(map.find(w.node->first));
      blocking_keys_--;
    }
  }
  st.waits.clear();
  if (st.deadline_ms != 0) timeouts_.erase(st.timeout_pos);
  st.deadline_ms = 0;
  c.flags &= ~uint64_t(kClientBlocked);
  blocked_clients_--;
}

void BlockingManager::SignalReady(int db, std::string_view key) {
  if (size_t(db) >= dbs_.size()) return;
  BlockedKeyMap& map = dbs_[size_t(db)];
  auto it = map.find(key);
  if (it == map.end() || it->second.ready) return;
  it->second.ready = true;
  ready_.emplace_back(db, it->first);
}

void BlockingManager::OnSwapDb(int a, int b) {
  // Whatever the swapped databases now hold may serve their waiters: every key waited on in
  // either becomes ready and is checked after SWAPDB completes.
  for (int db : {a, b}) {
    if (size_t(db) >= dbs_.size()) continue;
    for (auto& [key, waiters] : dbs_[size_t(db)]) {
      if (waiters.ready) continue;
      waiters.ready = true;
      ready_.emplace_back(db, key);
    }
  }
}

void BlockingManager::ServeSlow() {
  if (serving_) return;  // a request run by ServeKey: the loop below picks its keys up
  // A busy script's hook serves other clients mid-script: what the script wrote so far is
  // not to be seen by anyone until it ends (scripting/scripting.h).
  if (server_->script_busy()) return;
  serving_ = true;
  while (!ready_.empty()) {
    // Keys made ready while serving this batch go to a fresh list, served in the next round.
    ready_scratch_.clear();
    ready_scratch_.swap(ready_);
    for (const auto& [db, key] : ready_scratch_) ServeKey(db, key);
  }
  serving_ = false;
  if (resuming_) return;  // an outer call is resuming clients and will take these too
  resuming_ = true;
  while (!unblocked_.empty()) {
    Client* c = unblocked_.front();
    unblocked_.pop_front();
    if (!c->closing()) c->ProcessInput();  // may serve keys again, one level deep
  }
  resuming_ = false;
}

void BlockingManager::ServeKey(int db, std::string_view key) {
  BlockedKeyMap& map = MapOf(db);
  auto it = map.find(key);
  if (it == map.end()) return;
  it->second.ready = false;
  // Serve the waiters present now, oldest first; a retry that blocks again keeps its place
  // and is not retried twice for one readiness.
  std::vector<Client*>& waiters = waiters_scratch_;
  waiters.assign(it->second.clients.begin(), it->second.clients.end());
  Db& d = server_->keyspace().db(db);
  constexpr LookupFlags kPeek =
      LookupFlags::kNoTouch | LookupFlags::kNoStats | LookupFlags::kNoExpire;
  for (size_t i = 0; i < waiters.size(); i++) {
    Client* c = waiters[i];
    if (c->closing() || !(c->flags & kClientBlocked) || c->running_request()) continue;
    const KvEntry* e = d.LookupRead(key, kPeek);
    if (!e || e->type() != c->block->type) {
      // Consumed, absent or of another type: only waiters that want to see that are retried.
      if (!c->block->wake_on_any_change) continue;
    }
    // The retry may serve keys made ready by it only after this loop: Retry never nests.
    if (Retry(*c)) unblocked_.push_back(c);
    // waiters_scratch_ is not touched by the retry (ServeKey does not nest).
  }
}

bool BlockingManager::Retry(Client& c) {
  BlockState& st = *c.block;
  st.retrying = true;
  st.reblocked = false;
  c.flags &= ~uint64_t(kClientBlocked);
  c.RunFrontRequest();
  st.retrying = false;
  if (st.reblocked) return false;
  c.flags |= kClientBlocked;  // Unlink clears it with the rest of the state
  Unlink(c);
  return true;
}

void BlockingManager::Release(Client& c, bool error) {
  Unlink(c);
  if (!(c.flags & kClientReplyOff)) {
    if (error) {
      c.reply().Error(errors::kUnblocked);
    } else {
      c.reply().NullArray();  // every key-blocking command times out with a null array
    }
  }
  // Redis 7.2 counts the command now, the only time it is counted.
  if (const CommandSpec* cmd = c.last_cmd) {
    cmd->stats.calls++;
    if (error) cmd->stats.failed_calls++;
  }
  server_->stats().total_commands_processed++;
  c.commands_processed++;
  c.last_interaction_ms = server_->clock().NowMs();
  c.DropFrontRequest();
  server_->QueueWrite(&c);
  unblocked_.push_back(&c);
}

void BlockingManager::HandleTimeouts(int64_t now_ms) {
  while (!timeouts_.empty() && timeouts_.begin()->first <= now_ms) {
    Release(*timeouts_.begin()->second, false);
  }
}

void BlockingManager::ArmTimer() {
  if (timer_) timer_->Arm(next_deadline_ms(), server_->clock().NowMs());
}

bool BlockingManager::Unblock(Client& c, bool error) {
  if (!(c.flags & kClientBlocked) || !c.block || c.block->retrying) return false;
  Release(c, error);
  return true;
}

void BlockingManager::RemoveClient(Client& c) {
  if ((c.flags & kClientBlocked) && c.block) Unlink(c);
  unblocked_.erase(std::remove(unblocked_.begin(), unblocked_.end(), &c), unblocked_.end());
}

}  // namespace ember
