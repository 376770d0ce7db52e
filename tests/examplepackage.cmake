# Installs the store library into a scratch prefix, builds docs/example against it with
# find_package(Eventium), and runs it on a throw-away server.
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/prefix
                RESULT_VARIABLE r OUTPUT_QUIET)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "install failed: ${r}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/docs/example -B ${WORK}/build -G Ninja
                        -DCMAKE_PREFIX_PATH=${WORK}/prefix
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
if(NOT r EQUAL 0 OR NOT out MATCHES "read back 3 events")
    message(FATAL_ERROR "the example failed (${r}):\n${out}\n${err}")
endif()
file(REMOVE_RECURSE ${WORK})
