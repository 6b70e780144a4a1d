# tests/e2e/mt.cmake - threads, timers and processes that run at the same
# time (included by tests/e2e/CMakeLists.txt; label `mt`, run them with
# `ctest -L mt`).  Each test runs a program natively and under lstar with
# compare.sh: the same standard output, the same exit status and, where
# the program ends normally, the same standard error (--stderr).
#
# A test whose guest was not built or whose tool (busybox) is missing is
# still registered and reports itself skipped (exit 77).

# mt(NAME HAVE WHY [TIMEOUT SECONDS] [COMPARE OPTIONS...] -- PROGRAM ARGS...)
#   HAVE  true when the program can run; false: skipped, saying WHY
function(mt name have why)
  set(args ${ARGN})
  set(timeout 180)
  list(GET args 0 first)
  if(first STREQUAL "TIMEOUT")
    list(GET args 1 timeout)
    list(REMOVE_AT args 0 1)
  endif()
  if(have)
    add_test(NAME mt_${name} COMMAND sh ${E2E_DRIVER} ${E2E_LSTAR} ${args})
  else()
    add_test(NAME mt_${name} COMMAND sh -c "echo 'skipped: ${why}'; exit 77")
  endif()
  set_tests_properties(mt_${name} PROPERTIES LABELS mt TIMEOUT ${timeout}
    SKIP_RETURN_CODE 77)
endfunction()

# POSIX threads and futexes (guests/threads.c), each C library; and how a
# threaded process ends: exit() in a thread, pthread_exit in main, execve
# in a thread.  alarm_busy: SIGALRM interrupts a loop without system calls
# (it gives up by itself after 1e9 iterations: well under a minute).
foreach(flavour musl glibc)
  if(flavour STREQUAL "musl")
    set(s "")
    set(have "${LSTAR_MUSL_GCC}")
    set(why "musl-gcc not found (apt install musl-tools)")
  else()
    set(s "-glibc")
    set(have "${LSTAR_HAVE_GLIBC_STATIC}")
    set(why "no static glibc (apt install libc6-dev)")
  endif()
  mt(threads_${flavour} "${have}" "${why}" --stderr -- ${G}/threads${s})
  mt(threads_exit_group_${flavour} "${have}" "${why}" --stderr -- ${G}/threads${s} exit_group)
  mt(threads_main_exit_${flavour} "${have}" "${why}" --stderr -- ${G}/threads${s} main_exit)
  mt(threads_exec_${flavour} "${have}" "${why}" --stderr -- ${G}/threads${s} exec)
  mt(alarm_busy_${flavour} "${have}" "${why}" --stderr -- ${G}/alarm_busy${s})
endforeach()

# Other languages' threads: C++20 (g++ -static), Rust (crt-static), Go
# (CGO_ENABLED=0, GOMAXPROCS 4).
mt(cxxthreads "${LSTAR_HAVE_CXX20_THREADS}" "no g++ that links C++20 threads -static (apt install g++)"
  --stderr -- ${G}/cxxthreads)
mt(rust_threads "${LSTAR_HAVE_RUST_STATIC}" "no rustc that links crt-static (apt install rustc)"
  --stderr -- ${G}/rust_threads)
mt(gothreads "${LSTAR_HAVE_GO}" "no working go (apt install golang-go)"
  --stderr -- ${G}/gothreads)

# busybox sh: the stages of a pipeline run at the same time, through pipes
# that fill up and block (Debian's busybox-static; commands name busybox
# explicitly, as a bare name would run the host's dynamic program).
find_program(E2E_BUSYBOX busybox PATHS /bin /usr/bin NO_DEFAULT_PATH)
set(B ${E2E_BUSYBOX})
set(bbwhy "busybox not found (apt install busybox-static)")
# 6.9 MB through one pipe: far more than a pipe holds
mt(busybox_seq_wc "${E2E_BUSYBOX}" "${bbwhy}" --stderr --
  ${B} sh -c "${B} seq 1 1000000 | ${B} wc -l")
# yes writes until head has gone: SIGPIPE ends it, quietly; status 0
mt(busybox_yes_head "${E2E_BUSYBOX}" "${bbwhy}" --stderr --
  ${B} sh -c "${B} yes | ${B} head -n 1")
# timeout's watchdog runs beside the command and kills it: status 143
mt(busybox_timeout "${E2E_BUSYBOX}" "${bbwhy}" --
  ${B} timeout 1 ${B} sleep 5)
# subshells, $(...), background jobs, wait, kill (data/mt_jobs.sh)
mt(busybox_sh_jobs "${E2E_BUSYBOX}" "${bbwhy}" --env BB=${B} --stderr --
  ${B} sh ${E2E_DATA}/mt_jobs.sh)
# the same script under bash-static (Debian's bash-static: a glibc bash
# with its own job control, fork and wait code)
find_program(E2E_BASH_STATIC bash-static PATHS /bin /usr/bin NO_DEFAULT_PATH)
if(E2E_BASH_STATIC AND E2E_BUSYBOX)
  set(have_bash TRUE)
else()
  set(have_bash FALSE)
endif()
mt(bash_static_jobs "${have_bash}" "bash-static or busybox not found (apt install bash-static busybox-static)"
  --env BB=${B} --stderr -- ${E2E_BASH_STATIC} ${E2E_DATA}/mt_jobs.sh)
# tar czf runs gzip in a child process fed through a pipe (and xzf gunzip);
# the tree (a 289 KB file, an empty file, an empty directory, a symbolic
# link, nested directories) comes back the same (diff -r).  tar runs
# "gzip" from PATH: a busybox one, so that the host's dynamic gzip is not
# what runs (the same for the native run).
mt(busybox_tar_gz "${E2E_BUSYBOX}" "${bbwhy}" --stderr --sh --
  "mkdir bin && ln -s ${B} bin/gzip && PATH=$PWD/bin:$PATH && mkdir -p d/sub/deeper d/empty && seq 1 50000 > d/big && echo hello > d/sub/small && : > d/sub/zero && ln -s ../big d/sub/link && seq 1 10 > d/sub/deeper/ten && @RUN@ ${B} tar czf t.tgz d && mkdir x && cd x && @RUN@ ${B} tar xzf ../t.tgz && cd .. && diff -r --no-dereference d x/d && echo 'tree identical' && readlink x/d/sub/link && @RUN@ ${B} tar tzf t.tgz | sort")
# 2 MiB through gzip | gunzip | md5sum inside one busybox sh
mt(busybox_gzip_pipe "${E2E_BUSYBOX}" "${bbwhy}" --stderr --sh --
  "seq 1 400000 | head -c 2097152 > f && a=$(@RUN@ ${B} sh -c '${B} gzip -c f | ${B} gunzip | ${B} md5sum') && echo \"$a\" && b=$(md5sum < f) && [ \"$a\" = \"$b\" ] && echo 'same as the input'")
