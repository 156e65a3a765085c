#pragma once

// Resident-memory, descriptor-count and timing figures mean nothing under AddressSanitizer: its
// shadow memory, quarantine and redzones multiply what a process holds, and it keeps
// descriptors of its own. Tests that measure those skip themselves in the sanitizer build;
// the main build runs them.
#if defined(__SANITIZE_ADDRESS__)
#define SSE_UNDER_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SSE_UNDER_ADDRESS_SANITIZER 1
#endif
#endif

#ifdef SSE_UNDER_ADDRESS_SANITIZER
#define SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER()                                                  \
    QSKIP("resident memory, descriptor and timing figures are meaningless under AddressSanitizer")
#else
#define SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER() (void)0
#endif
