# Installs the store and toolkit libraries into a scratch prefix, builds docs/example against it with
# find_package(Eventium), and runs it on a throw-away server.
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/prefix
                RESULT_VARIABLE r OUTPUT_QUIET)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "install failed: ${r}")
endif()
# The package holds the store and the toolkit; the bank example is not installed.
foreach(header eventium/store.h eventium/toolkit/subscription.h eventium/toolkit/logging.h)
    if(NOT EXISTS ${WORK}/prefix/include/${header})
        message(FATAL_ERROR "${header} was not installed")
    endif()
endforeach()
file(GLOB_RECURSE installed_bank ${WORK}/prefix/include/*bank*)
if(installed_bank)
    message(FATAL_ERROR "the bank example was installed: ${installed_bank}")
endif()
# A sanitized build's static libraries need the same flags in whatever links them.
set(example_flags)
if(EXAMPLE_FLAGS)
    set(example_flags "-DCMAKE_CXX_FLAGS=${EXAMPLE_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXAMPLE_FLAGS}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/docs/example -B ${WORK}/build -G Ninja
                        -DCMAKE_PREFIX_PATH=${WORK}/prefix ${example_flags}
                RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "configuring the example failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/build RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "building the example failed:\n${out}")
endif()
execute_process(COMMAND ${WORK}/build/eventium-example --temporary
                RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT r EQUAL 0 OR NOT out MATCHES "read back 3 events" OR NOT out MATCHES "snapshot at version 3: 3")
    message(FATAL_ERROR "the example failed (${r}):\n${out}\n${err}")
endif()
file(REMOVE_RECURSE ${WORK})
