# FIXGW_SANITIZE: empty, "address,undefined" or "thread". Applied to every
# target (compile and link) so that the runtime sees all instrumented code.
set(FIXGW_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread")
if(FIXGW_SANITIZE)
  add_compile_options(-fsanitize=${FIXGW_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${FIXGW_SANITIZE})
endif()
