# guests/mt.cmake - the multitasking guests (included by guests/CMakeLists.txt,
# which defines G_SRC, G_OUT, G_FILES and the toolchain variables):
# threads, alarm_busy and net (sockets) in C (musl and glibc), cxxthreads (C++20, static),
# rust_threads (Rust, crt-static) and gothreads (Go, CGO_ENABLED=0).  Each
# is built only when its toolchain is found; tests/e2e/mt.cmake reports
# the test of a guest that was not built as skipped.

set(LSTAR_GUESTS_MT threads alarm_busy net)

if(LSTAR_MUSL_GCC)
  foreach(g ${LSTAR_GUESTS_MT})
    add_custom_command(OUTPUT ${G_OUT}/${g}
      COMMAND ${LSTAR_MUSL_GCC} -static -O2 -pthread -o ${G_OUT}/${g} ${G_SRC}/${g}.c
      DEPENDS ${G_SRC}/${g}.c
      COMMENT "guest: ${g} (musl, static)" VERBATIM)
    list(APPEND G_FILES ${G_OUT}/${g})
  endforeach()
endif()
if(LSTAR_HAVE_GLIBC_STATIC)
  foreach(g ${LSTAR_GUESTS_MT})
    add_custom_command(OUTPUT ${G_OUT}/${g}-glibc
      COMMAND ${G_HOST_CC} -static -O2 -pthread -o ${G_OUT}/${g}-glibc ${G_SRC}/${g}.c
      DEPENDS ${G_SRC}/${g}.c
      COMMENT "guest: ${g}-glibc (glibc, static)" VERBATIM)
    list(APPEND G_FILES ${G_OUT}/${g}-glibc)
  endforeach()
endif()

# C++20 threads (std::jthread, latch, barrier, counting_semaphore, atomic
# wait): a g++ that links statically and knows C++20's headers.
set(LSTAR_HAVE_CXX20_THREADS OFF)
if(LSTAR_HAVE_CXX_STATIC)
  file(WRITE ${G_OUT}/probe_cxx20.cpp
    "#include <barrier>\n#include <latch>\n#include <semaphore>\n#include <thread>\n"
    "int main(){std::latch l(1);l.count_down();std::jthread t([]{});return 0;}\n")
  execute_process(COMMAND ${LSTAR_GXX} -std=c++20 -static -pthread -o ${G_OUT}/probe_cxx20 ${G_OUT}/probe_cxx20.cpp
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    set(LSTAR_HAVE_CXX20_THREADS ON)
  endif()
endif()
if(LSTAR_HAVE_CXX20_THREADS)
  add_custom_command(OUTPUT ${G_OUT}/cxxthreads
    COMMAND ${LSTAR_GXX} -std=c++20 -static -O2 -pthread -o ${G_OUT}/cxxthreads ${G_SRC}/cxxthreads.cpp
    DEPENDS ${G_SRC}/cxxthreads.cpp
    COMMENT "guest: cxxthreads (C++20, glibc, static)" VERBATIM)
  list(APPEND G_FILES ${G_OUT}/cxxthreads)
else()
  message(STATUS "guests: no g++ that links C++20 threads -static: skipping cxxthreads")
endif()

if(LSTAR_HAVE_RUST_STATIC)
  add_custom_command(OUTPUT ${G_OUT}/rust_threads
    COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS --unset=CARGO_MAKEFLAGS
      ${LSTAR_RUSTC} -O -C target-feature=+crt-static -o ${G_OUT}/rust_threads ${G_SRC}/rust_threads.rs
    DEPENDS ${G_SRC}/rust_threads.rs
    COMMENT "guest: rust_threads (Rust, glibc, crt-static)" VERBATIM)
  list(APPEND G_FILES ${G_OUT}/rust_threads)
else()
  message(STATUS "guests: no rustc that links crt-static: skipping rust_threads")
endif()

# Go: a static binary without cgo.  The build cache and GOPATH live in the
# build tree (no $HOME needed), and nothing is fetched (GOPROXY=off: the
# module has no dependencies).
find_program(LSTAR_GO go PATHS /usr/lib/go/bin /usr/local/go/bin)
set(LSTAR_HAVE_GO OFF)
if(LSTAR_GO)
  execute_process(COMMAND ${LSTAR_GO} version RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    set(LSTAR_HAVE_GO ON)
  endif()
endif()
if(LSTAR_HAVE_GO)
  add_custom_command(OUTPUT ${G_OUT}/gothreads
    COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS
      CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on
      GOCACHE=${G_OUT}/go-cache GOPATH=${G_OUT}/go-path
      ${LSTAR_GO} build -trimpath -o ${G_OUT}/gothreads .
    WORKING_DIRECTORY ${G_SRC}/gothreads
    DEPENDS ${G_SRC}/gothreads/main.go ${G_SRC}/gothreads/go.mod
    COMMENT "guest: gothreads (Go, static, CGO_ENABLED=0)" VERBATIM)
  list(APPEND G_FILES ${G_OUT}/gothreads)
else()
  message(STATUS "guests: no working go (apt install golang-go): skipping gothreads")
endif()

set(LSTAR_GUESTS_MT ${LSTAR_GUESTS_MT} PARENT_SCOPE)
set(LSTAR_HAVE_CXX20_THREADS ${LSTAR_HAVE_CXX20_THREADS} PARENT_SCOPE)
set(LSTAR_HAVE_GO ${LSTAR_HAVE_GO} PARENT_SCOPE)
