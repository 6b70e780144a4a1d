# tests/e2e/net.cmake - sockets (included by tests/e2e/CMakeLists.txt;
# label `net`, run them with `ctest -L net`).  Each test runs a program
# natively and under lstar with compare.sh and wants the same output and
# exit status: guests/net.c (loopback TCP over IPv4 and IPv6, AF_UNIX
# paths, socketpairs, SCM_RIGHTS, datagrams, non-blocking connect, epoll,
# errors, options, EINTR and SA_RESTART, SO_RCVTIMEO, 4 MiB through a
# socketpair), python3's socket module, and busybox's httpd, wget and nc.
# A test whose program is missing reports itself skipped (exit 77).

function(net name have why)
  if(have)
    add_test(NAME net_${name} COMMAND sh ${E2E_DRIVER} ${E2E_LSTAR} ${ARGN})
  else()
    add_test(NAME net_${name} COMMAND sh -c "echo 'skipped: ${why}'; exit 77")
  endif()
  set_tests_properties(net_${name} PROPERTIES LABELS "net;mt" TIMEOUT 180
    SKIP_RETURN_CODE 77)
endfunction()

net(guest_musl "${LSTAR_MUSL_GCC}" "musl-gcc not found (apt install musl-tools)"
  --stderr -- ${G}/net)
net(guest_glibc "${LSTAR_HAVE_GLIBC_STATIC}" "no static glibc (apt install libc6-dev)"
  --stderr -- ${G}/net-glibc)
# each part alone too, so that a failure names its part
foreach(part inet inet6 unixpath rights nonblock epoll intr more)
  net(guest_${part} "${LSTAR_HAVE_GLIBC_STATIC}" "no static glibc (apt install libc6-dev)"
    --stderr -- ${G}/net-glibc ${part})
endforeach()

find_program(E2E_NET_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
net(python3_socket "${E2E_NET_PYTHON3}" "python3 not found"
  --stderr -- ${E2E_NET_PYTHON3} ${E2E_DATA}/net_socket.py)

find_program(E2E_NET_BUSYBOX busybox PATHS /bin /usr/bin NO_DEFAULT_PATH)
net(busybox_httpd_wget_nc "${E2E_NET_BUSYBOX}" "busybox not found (apt install busybox-static)"
  --env BB=${E2E_NET_BUSYBOX} --stderr -- ${E2E_NET_BUSYBOX} sh ${E2E_DATA}/net_busybox.sh)
