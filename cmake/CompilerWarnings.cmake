# fixgw_warnings: an INTERFACE target carrying the project's warning set.
# Link it PRIVATE so warnings apply to our sources and never leak to users.
# FIXGW_WERROR (ON in the dev/CI presets) turns every warning into an error.
option(FIXGW_WERROR "Treat warnings as errors" OFF)

add_library(fixgw_warnings INTERFACE)
target_compile_options(fixgw_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wimplicit-fallthrough)
if(FIXGW_WERROR)
  target_compile_options(fixgw_warnings INTERFACE -Werror)
endif()
