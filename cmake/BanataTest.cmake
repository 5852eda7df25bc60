# SPDX-License-Identifier: MIT
# banata_add_test(NAME <name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>] [TIMEOUT <s>]
#                 [ENVIRONMENT <VAR=value...>] [XVFB])
# One Qt Test executable per test file, registered with CTest. XVFB runs it on its own X server
# (tests/support/xvfb-run.sh) for Qt WebEngine, which needs a real display, with Chromium's
# sandbox off (the tests run as root on CI).
function(banata_add_test)
    cmake_parse_arguments(ARG "XVFB" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE banata_common Qt6::Test ${ARG_LIBS})
    set_target_properties(${ARG_NAME} PROPERTIES AUTOMOC ON FOLDER Tests)
    set(platform "QT_QPA_PLATFORM=offscreen")
    if(ARG_XVFB)
        add_test(NAME ${ARG_NAME} COMMAND ${PROJECT_SOURCE_DIR}/tests/support/xvfb-run.sh $<TARGET_FILE:${ARG_NAME}>)
        set(platform "QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox")
    else()
        add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${ARG_NAME} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "${platform};LANG=C.UTF-8;${ARG_ENVIRONMENT}")
endfunction()
