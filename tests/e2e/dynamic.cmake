# tests/e2e/dynamic.cmake - dynamically linked programs, the host's own
# (/bin/ls, python3, bash, gcc...) and the guests linked without -static,
# and #! scripts (included by tests/e2e/CMakeLists.txt; label e2e).  The
# guest kernel maps each program's interpreter (ld.so), which maps the
# shared libraries from the page cache; compare.sh runs the same files
# natively and compares standard output and exit status.
#
# A test whose program is not installed is still registered and, when it
# runs, reports itself skipped (exit 77), saying which file is missing.

# e2e_needs(NAME "FILE;FILE..." [COMPARE OPTIONS...] -- PROGRAM ARGS...)
function(e2e_needs name needs)
  set(E2E_NEEDS ${needs})   # checked when the test runs (e2e())
  e2e(${name} ${ARGN})
endfunction()

set(T ${E2E_DATA}/text.txt)
set(N ${E2E_DATA}/numbers.txt)
set(LD /lib64/ld-linux-x86-64.so.2)

# The first program given to lstar run (the firmware passes it through,
# the kernel loads its interpreter) and the auxiliary vector glibc's and
# musl's ld.so read: a PIE, a non-PIE ET_EXEC, musl's dynamic libc.
e2e_needs(dyn_args "${LD}" --env LSTAR_TEST_VAR=dyn -- ${G}/args-dyn a "b c")
e2e_needs(dyn_args_nopie "${LD}" -- ${G}/args-dyn-nopie x)
# (built only with musl-gcc and /lib/ld-musl-x86_64.so.1; else skipped)
e2e_needs(dyn_args_musl "/lib/ld-musl-x86_64.so.1" --env LSTAR_TEST_VAR=musl -- ${G}/args-musl-dyn m)

# The vDSO found by ld.so (glibc's and musl's): no clock system call,
# and its clocks agree with the system calls'.
set(vdso_dyn vdso-dyn)
if(LSTAR_HAVE_MUSL_DYN)
  list(APPEND vdso_dyn vdso-musl-dyn)
endif()
foreach(g ${vdso_dyn})
  string(REPLACE "-" "_" n ${g})
  e2e_needs(${n}_compare "${LD}" -- ${G}/${g} compare)
  add_test(NAME e2e_${n}_used COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/vdso_used.sh ${E2E_LSTAR} ${G}/${g})
  set_tests_properties(e2e_${n}_used PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()

# Debian's dynamic programs (coreutils, dash, bash, perl, python3, git).
e2e_needs(dyn_ls "/bin/ls" -- /bin/ls -la ${E2E_DATA})
# A name without a slash is looked for in PATH, as the shell does.
e2e_needs(dyn_ls_path "/bin/ls" --env PATH=/usr/bin:/bin -- ls ${E2E_DATA})
e2e_needs(dyn_echo "/bin/echo" -- /bin/echo hello from a dynamic echo)
e2e_needs(dyn_cat "/bin/cat" -- /bin/cat ${T} ${N})
e2e_needs(dyn_true_false "/bin/true;/bin/false" --sh -- "@RUN@ /bin/true && @RUN@ /bin/false || echo false: $?")
e2e_needs(dyn_python3 "/usr/bin/python3" -- /usr/bin/python3 -c "print(1+1)")
e2e_needs(dyn_python3_modules "/usr/bin/python3" -- /usr/bin/python3 -c
  "import hashlib, json, os, sys\nprint(hashlib.sha256(b'lstar').hexdigest())\nprint(json.dumps({'k': [1, 2.5, None]}, sort_keys=True))\nprint(len(os.listdir('/')) > 0, sys.argv)")
e2e_needs(dyn_perl "/usr/bin/perl" -- /usr/bin/perl -le "print join(',', map { \$_ ** 2 } grep { \$_ % 3 } 1..10)")
e2e_needs(dyn_perl_file "/usr/bin/perl" -- /usr/bin/perl -ne "print if /line 1[0-9]\$/ .. /line 13\$/" ${N})
e2e_needs(dyn_dash "/bin/dash" -- /bin/dash -c "x=\$(echo sub) && echo \"\$x \$((6 * 7))\" && /bin/echo exec from dash | /bin/cat")
e2e_needs(dyn_sh_c "/bin/sh" -- /bin/sh -c "echo \$((1 + 2)) && exit 4")
e2e_needs(dyn_bash "/bin/bash" -- /bin/bash ${E2E_DATA}/dyn_bash.sh ${T} ${N})
e2e_needs(dyn_bash_c "/bin/bash" -- /bin/bash -c "seq 1 300 | sort -r | head -n 2 && echo \$(echo nested \$(echo twice))")
e2e_needs(dyn_sort_uniq_sha "/bin/bash;/usr/bin/sha256sum" --sh -- "@RUN@ /bin/bash -c 'cut -c1 ${N} | sort | uniq -c | sha256sum'")
e2e_needs(dyn_find_xargs_grep "/usr/bin/find;/usr/bin/xargs;/bin/grep" --sh -- "mkdir -p d/e && cp ${T} d/a.txt && cp ${N} d/e/b.txt && @RUN@ /usr/bin/find d -name '*.txt' | sort | @RUN@ /usr/bin/xargs /bin/grep -c line")
# FIFOs (mkfifo): each end's open waits for the other; O_RDWR; O_NONBLOCK
# (ENXIO for a writer without a reader); umask applies to mkdir.
e2e_needs(dyn_fifo_bash "/bin/bash" -- /bin/bash ${E2E_DATA}/fifo.sh)
e2e_needs(dyn_fifo_busybox "/usr/bin/busybox" --env PATH=/usr/bin:/bin -- /usr/bin/busybox sh ${E2E_DATA}/fifo.sh)
e2e_needs(dyn_fifo_python "/usr/bin/python3" -- /usr/bin/python3 -c
  "import os\nos.mkfifo('p')\ntry: os.open('p', os.O_WRONLY | os.O_NONBLOCK)\nexcept OSError as e: print(e.errno)\nr = os.open('p', os.O_RDONLY | os.O_NONBLOCK)\nw = os.open('p', os.O_WRONLY | os.O_NONBLOCK)\nos.write(w, b'ab')\nprint(os.read(r, 5))\nos.close(w)\nprint(os.read(r, 5))")
e2e_needs(dyn_umask_mkdir "/bin/bash" -- /bin/bash -c "umask 077 && mkdir d && stat -c %a d && umask 022 && mkdir e && stat -c %a e")
# Process substitution: the child opens and stats /dev/fd/63 and 62, two
# pipes that must look like two files (diff compares device and inode).
e2e_needs(dyn_bash_procsub "/bin/bash;/usr/bin/diff" -- /bin/bash ${E2E_DATA}/procsub.sh)
# /proc/self/fd: the guest's descriptors listed and read as links.
e2e_needs(dyn_proc_fd "/usr/bin/python3" --stdin ${E2E_DATA}/text.txt -- /usr/bin/python3 ${E2E_DATA}/fdlinks.py)
# rustc compiling and linking a threaded program (its stacker crate asks
# sched_getaffinity about a thread other than the main one), then running it.
e2e_needs(dyn_rustc "/usr/bin/rustc" --sh -- "@RUN@ /usr/bin/rustc -o a ${E2E_DATA}/threads.rs && ./a && @RUN@ ./a")
# sqlite's WAL mode: MAP_SHARED of the -shm file, fcntl record locks.
e2e_needs(dyn_sqlite_wal "/usr/bin/python3" -- /usr/bin/python3 ${E2E_DATA}/sqlite_wal.py)
# The sqlite3 shell, two processes on one database through a pipe.
e2e_needs(dyn_sqlite3_shell "/usr/bin/sqlite3" --sh -- "@RUN@ /usr/bin/sqlite3 t.db < ${E2E_DATA}/sqlite_create.sql && @RUN@ /usr/bin/sqlite3 t.db < ${E2E_DATA}/sqlite_query.sql")
e2e_needs(dyn_git "/usr/bin/git" -- /usr/bin/git --version)
e2e_needs(dyn_gcc "/usr/bin/gcc" --sh -- "printf 'int main(void) { return 42\\073 }\\n' > t.c && @RUN@ /usr/bin/gcc -O1 -o t t.c && ./t || echo status $?")

# --root is the sysroot too: the interpreter and libraries come from DIR.
e2e_needs(dyn_root "/bin/ls" --flag --root --flag / -- /bin/ls ${E2E_DATA})

# #! scripts: given to lstar run, and exec'd by a shell.
e2e_needs(dyn_shebang "/bin/sh" -- ${E2E_DATA}/shebang.sh one "two words" three)
e2e_needs(dyn_shebang_exec "/bin/sh;/bin/bash" -- /bin/bash -c "${E2E_DATA}/shebang.sh x y && echo ok")
e2e_needs(dyn_shebang_env "/usr/bin/env;/usr/bin/python3" --env PATH=/usr/bin:/bin --sh -- "printf '#!/usr/bin/env python3\\nimport sys\\nprint(sys.argv[1:])\\n' > p.py && chmod +x p.py && @RUN@ ./p.py a b")

# A static program's system() runs /bin/sh: dynamic on Debian (dash).
e2e_needs(musl_system "/bin/sh" -- ${G}/system)
e2e_needs(glibc_system "/bin/sh" -- ${G}/system-glibc)

# OpenSSL's AES-NI, CLMUL (GHASH) and SHA-NI code, chosen from lstar's
# CPUID: the native output, and a trace showing the instructions ran.
find_program(E2E_OPENSSL openssl PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT E2E_OPENSSL)
  set(E2E_OPENSSL /usr/bin/openssl)   # missing: reported as skipped
endif()
lstar_needs(need_ossl "openssl is not installed (apt install openssl)" ${LD} ${E2E_OPENSSL})
add_test(NAME e2e_openssl_crypto COMMAND ${need_ossl} sh ${CMAKE_CURRENT_SOURCE_DIR}/openssl_crypto.sh
  ${E2E_LSTAR} ${E2E_OPENSSL})
set_tests_properties(e2e_openssl_crypto PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
