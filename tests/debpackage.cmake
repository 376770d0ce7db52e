# Builds the Debian package with cpack from BUILD_DIR, lists it, and checks what it holds: the
# browser, the CLI, the libraries with their headers and CMake package, the desktop entry
# (desktop-file-validate), the scalable icon and the AppStream metadata (appstreamcli
# validate), and the dependencies dpkg-shlibdeps found beside the named ones.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND cpack --config ${BUILD_DIR}/CPackConfig.cmake -G DEB -B ${WORK}
                RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "cpack -G DEB failed:\n${out}")
endif()
file(GLOB debs ${WORK}/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one .deb in ${WORK}, found: ${debs}")
endif()
execute_process(COMMAND dpkg-deb -c ${debs} RESULT_VARIABLE r OUTPUT_VARIABLE listing)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -c failed")
endif()
set(app_id io.eventium.Browser)
foreach(path
        ./usr/bin/eventium-browser
        ./usr/bin/eventium
        ./usr/include/eventium/store.h
        ./usr/include/eventium/toolkit/subscription.h
        ./usr/lib/cmake/Eventium/EventiumConfig.cmake
        ./usr/share/applications/${app_id}.desktop
        ./usr/share/icons/hicolor/scalable/apps/${app_id}.svg
        ./usr/share/metainfo/${app_id}.metainfo.xml)
    string(FIND "${listing}" " ${path}\n" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${path} is not in the package:\n${listing}")
    endif()
endforeach()
if(NOT listing MATCHES " \\./usr/lib/[^\n]*libeventium[^\n]*\\.a\n")
    message(FATAL_ERROR "the store library is not in the package:\n${listing}")
endif()
execute_process(COMMAND dpkg-deb -f ${debs} Package Version Depends OUTPUT_VARIABLE fields)
foreach(expected "Package: eventium" "Version: ${VERSION}" "libqt6sql6-psql" "postgresql"
                 "libqt6widgets6" "libpq5")
    string(FIND "${fields}" "${expected}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "\"${expected}\" is not in the package's fields:\n${fields}")
    endif()
endforeach()

execute_process(COMMAND dpkg-deb -x ${debs} ${WORK}/root RESULT_VARIABLE r)
if(NOT r EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -x failed")
endif()
execute_process(COMMAND desktop-file-validate ${WORK}/root/usr/share/applications/${app_id}.desktop
                RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT r EQUAL 0 OR NOT out STREQUAL "")
    message(FATAL_ERROR "desktop-file-validate: ${r}\n${out}")
endif()
find_program(APPSTREAMCLI appstreamcli)
if(APPSTREAMCLI)
    execute_process(COMMAND ${APPSTREAMCLI} validate --no-net
                            ${WORK}/root/usr/share/metainfo/${app_id}.metainfo.xml
                    RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT r EQUAL 0)
        message(FATAL_ERROR "appstreamcli validate: ${r}\n${out}")
    endif()
    message(STATUS "appstreamcli: ${out}")
else()
    message(STATUS "appstreamcli is not installed: the AppStream metadata was not validated")
endif()
message(STATUS "package ${debs} holds what it should")
