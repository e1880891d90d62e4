#include "tacit/status.h"

#include <cstdarg>
#include <cstdio>

namespace tacit {

namespace {

// Each thread's last kMessageSlots messages. Zero-initialized, so no guard
// or constructor runs (bare-metal builds link no TLS or guard support:
// they build without threads, where one set serves the program).
struct MessageRing {
  std::uint32_t made;  // errors made so far on this thread
  Status::Slot slots[Status::kMessageSlots];
};

#if defined(TACIT_THREADS)
thread_local MessageRing t_ring;
#else
MessageRing t_ring;
#endif

}  // namespace

Status Status::error(const char* format, ...) {
  MessageRing& ring = t_ring;
  ++ring.made;
  if (ring.made == 0) ring.made = 1;  // serial 0 means "never written"
  Slot& slot = ring.slots[ring.made % kMessageSlots];
  slot.serial = ring.made;
  va_list args;
  va_start(args, format);
  std::vsnprintf(slot.text, kMessageCapacity, format, args);
  va_end(args);
  Status status;
  status.slot_ = &slot;
  status.serial_ = ring.made;
  return status;
}

const char* Status::message() const {
  if (slot_ == nullptr) return "ok";
  if (slot_->serial != serial_) {
    return "(this error's message was replaced: more than Status::kMessageSlots errors "
           "were made on its thread since)";
  }
  return slot_->text;
}

}  // namespace tacit
