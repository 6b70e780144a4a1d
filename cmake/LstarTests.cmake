# cmake/LstarTests.cmake - registering a test that needs something the
# machine may lack (a tool such as busybox or python3, a guest program
# built only when its toolchain was found).  Such a test is always
# registered; at run time it is reported as skipped, saying what is
# missing, instead of disappearing from the list:
#
#   lstar_needs(NEED_BB "busybox-static is not installed" ${BUSYBOX})
#   add_test(NAME t COMMAND ${NEED_BB} sh driver.sh ...)
#   set_tests_properties(t PROPERTIES SKIP_RETURN_CODE 77)
#
# lstar_needs(VAR WHY PATH...) sets VAR to the command prefix that runs the
# rest only when every PATH exists (tests/requires.sh).  A find_program
# result that is X-NOTFOUND counts as missing.
set(LSTAR_REQUIRES_SH ${PROJECT_SOURCE_DIR}/tests/requires.sh)
function(lstar_needs var why)
  if(why MATCHES ";")
    message(FATAL_ERROR "lstar_needs: no semicolon in WHY (CMake would split it): ${why}")
  endif()
  set(${var} sh ${LSTAR_REQUIRES_SH} "${why}" ${ARGN} -- PARENT_SCOPE)
endfunction()
