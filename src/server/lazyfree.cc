// LazyFreer: the background freeing thread and the choice of what goes to it; see lazyfree.h.
//
// The queue is a mutex-protected deque with two condition variables: `wake_` for the thread
// (a job arrived, or stop), `idle_` for WaitIdle (the queue ran dry and no job is running).
// Jobs run outside the lock, so the command thread never waits for a free() in progress;
// it takes the lock only to append a job. The counters follow Redis's bookkeeping: a job adds
// its objects to `pending_` when handed over and moves them to `freed_` once it has run.
#include "server/lazyfree.h"

#include <utility>

#include "server/config.h"
#include "server/used_memory.h"

namespace ember {

LazyFreer::LazyFreer(const ServerConfig* cfg) : cfg_(cfg) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();  // the thread finishes the queue before it exits
}

bool LazyFreer::LazyFor(FreeReason why) const {
  if (why == FreeReason::kUnlink) return true;
  if (cfg_ == nullptr) return false;
  switch (why) {
    case FreeReason::kUserDel:
      return cfg_->lazyfree_lazy_user_del;
    case FreeReason::kServerDel:
      return cfg_->lazyfree_lazy_server_del;
    case FreeReason::kExpire:
      return cfg_->lazyfree_lazy_expire;
    case FreeReason::kEvict:
      return cfg_->lazyfree_lazy_eviction;
    case FreeReason::kUnlink:
      break;
  }
  return true;
}

void LazyFreer::Free(KvEntry* e, FreeReason why) {
  if (!ShouldFreeLazily(e, why)) {
    KvEntry::Destroy(e);
    return;
  }
  Job job;
  job.entry = e;
  job.objects = 1;
  Push(std::move(job));
}

void LazyFreer::FreeDict(std::unique_ptr<Dict> d) {
  if (d == nullptr) return;
  Job job;
  job.objects = d->size();
  job.dict = std::move(d);
  Push(std::move(job));
}

void LazyFreer::SubmitJob(std::function<void()> job_fn, size_t objects) {
  Job job;
  job.fn = std::move(job_fn);
  job.objects = objects;
  Push(std::move(job));
}

void LazyFreer::Push(Job job) {
  pending_.fetch_add(job.objects, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  wake_.notify_one();
}

void LazyFreer::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::Execute(Job& job) {
  if (job.entry != nullptr) KvEntry::Destroy(job.entry);
  job.dict.reset();  // ~Dict frees every entry and the bucket arrays
  if (job.fn) job.fn();
}

void LazyFreer::Run() {
  RegisterMemoryThread();
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    while (!queue_.empty()) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      size_t objects = job.objects;
      Execute(job);
      job = Job{};  // whatever the callable captured goes before the job counts as done
      // Freed first: a reader that sees nothing pending sees the freed count complete.
      freed_.fetch_add(objects, std::memory_order_relaxed);
      pending_.fetch_sub(objects, std::memory_order_relaxed);
      lock.lock();
    }
    busy_ = false;
    idle_.notify_all();
    if (stop_) return;
  }
}

}  // namespace ember
