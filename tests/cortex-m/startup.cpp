// Bare-metal start for QEMU's mps2-an386 (Cortex-M4F): the vector table, a
// reset handler (FPU on, .data copied from flash, .bss zeroed, semihosting
// handles opened, static constructors run, then main, a report of the
// stack's high-water mark, and exit through semihosting), and heap
// functions that end the run: linked with
// -Wl,--wrap=malloc and friends (examples/embed/meson.build), so a program
// that completes has provably not touched the heap. Output goes to the
// host through newlib's semihosting library (--specs=rdimon.specs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" {

extern std::uint32_t __data_load[];
extern std::uint32_t __data_start[];
extern std::uint32_t __data_end[];
extern std::uint32_t __bss_start__[];
extern std::uint32_t __bss_end__[];
extern std::uint32_t __stack_limit[];
extern std::uint32_t __stack_top[];
extern void (*__preinit_array_start[])();
extern void (*__preinit_array_end[])();
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

void initialise_monitor_handles();
void tacit_init();
int tacit_report_stack(int status);
[[noreturn]] void tacit_fault();

void* __wrap_malloc(std::size_t);
void* __wrap__malloc_r(void*, std::size_t);
void* __wrap_calloc(std::size_t, std::size_t);
void* __wrap__calloc_r(void*, std::size_t, std::size_t);
void* __wrap_realloc(void*, std::size_t);
void* __wrap__realloc_r(void*, void*, std::size_t);
void __wrap_free(void*);
void __wrap__free_r(void*, void*);
void _init();
void _fini();

}  // extern "C"

// The vector table (initial stack pointer, then handlers), and a reset
// handler that turns the FPU on (CPACR: CP10 and CP11 full access) before
// any compiled code can use it, prepares memory (tacit_init), and calls
// main and exit: in assembly, so that no floating-point instruction can
// come first, `.word` gives handlers their Thumb bit, and C++ never calls
// main (which it forbids).
asm(R"(
  .section .vectors, "a"
  .align 2
  .word __stack_top
  .word reset_handler
  .rept 14
  .word tacit_fault
  .endr

  .text
  .thumb
  .align 1
  .global reset_handler
  .type reset_handler, %function
  .thumb_func
reset_handler:
  ldr r0, =0xE000ED88
  ldr r1, [r0]
  orr r1, r1, #(0xF << 20)
  str r1, [r0]
  dsb
  isb
  bl tacit_init
  bl main
  bl tacit_report_stack
  bl exit
  .pool
  .size reset_handler, . - reset_handler
)");

namespace {

constexpr std::uint32_t kStackPaint = 0x5AC4C0DEu;

// Semihosting (the ARM semihosting specification): operation in r0,
// argument in r1, `bkpt 0xAB` on M-profile.
std::uintptr_t semihost(std::uintptr_t operation, const void* argument) {
  register std::uintptr_t r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

// Ends the run with a message and a failing exit status, without stdio.
[[noreturn]] void die(const char* message) {
  constexpr std::uintptr_t kWrite0 = 0x04;
  constexpr std::uintptr_t kExit = 0x18;
  constexpr std::uintptr_t kRunTimeErrorUnknown = 0x20023;
  semihost(kWrite0, message);
  semihost(kExit, reinterpret_cast<const void*>(kRunTimeErrorUnknown));
  for (;;) {
  }
}

}  // namespace

extern "C" {

// Paints the unused stack so that tacit_report_stack can see how deep it
// went: every word between the stack's limit and here, minus what this
// function itself may still use.
__attribute__((noinline)) void paint_stack() {
  std::uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  for (std::uint32_t* p = __stack_limit; p < sp - 64;) *p++ = kStackPaint;
}

void tacit_init() {
  for (std::uint32_t *from = __data_load, *to = __data_start; to < __data_end;) {
    *to++ = *from++;
  }
  for (std::uint32_t* p = __bss_start__; p < __bss_end__;) *p++ = 0;
  paint_stack();
  initialise_monitor_handles();
  for (auto f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
}

// Prints "stack: N bytes used" (no stdio: main has returned) and passes
// main's status on to exit.
int tacit_report_stack(int status) {
  const std::uint32_t* p = __stack_limit;
  while (*p == kStackPaint) ++p;
  const auto used = static_cast<unsigned long>(
      reinterpret_cast<std::uintptr_t>(__stack_top) - reinterpret_cast<std::uintptr_t>(p));
  char text[64] = "stack: ";
  char digits[12];
  int n = 0;
  unsigned long v = used;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  int at = 7;
  while (n > 0) text[at++] = digits[--n];
  const char tail[] = " bytes used (high-water mark)\n";
  for (const char* t = tail; *t != '\0';) text[at++] = *t++;
  text[at] = '\0';
  semihost(0x04, text);
  return status;
}

void tacit_fault() { die("startup: fault (a hard fault or an unexpected exception)\n"); }

void* __wrap_malloc(std::size_t) { die("startup: malloc called: the heap was used\n"); }
void* __wrap__malloc_r(void*, std::size_t) { die("startup: _malloc_r called: the heap was used\n"); }
void* __wrap_calloc(std::size_t, std::size_t) { die("startup: calloc called: the heap was used\n"); }
void* __wrap__calloc_r(void*, std::size_t, std::size_t) {
  die("startup: _calloc_r called: the heap was used\n");
}
void* __wrap_realloc(void*, std::size_t) { die("startup: realloc called: the heap was used\n"); }
void* __wrap__realloc_r(void*, void*, std::size_t) {
  die("startup: _realloc_r called: the heap was used\n");
}

// free(nullptr) is harmless (newlib's stdio may do it); anything else
// means something was allocated.
void __wrap_free(void* p) {
  if (p != nullptr) die("startup: free called: the heap was used\n");
}
void __wrap__free_r(void*, void* p) {
  if (p != nullptr) die("startup: _free_r called: the heap was used\n");
}

// What crt0 would provide: nothing to do here.
void _init() {}
void _fini() {}

}  // extern "C"
