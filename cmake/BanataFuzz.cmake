# SPDX-License-Identifier: MIT
# BANATA_FUZZ=ON: the libFuzzer targets of tests/fuzz and only what they link, every source
# instrumented for libFuzzer with AddressSanitizer and UBSan. Needs clang: scripts/fuzz.sh
# configures it (build-fuzz). No app, UI, WebEngine, server or tests: a cold build stays short.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BANATA_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
endif()
# -O1 and line tables: the usual libFuzzer trade-off, and much quicker to compile than -O2 -g.
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -gline-tables-only")
set(CMAKE_C_FLAGS_RELWITHDEBINFO "-O1 -gline-tables-only")
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
                    -Wno-unknown-warning-option)
add_link_options(-fsanitize=address,undefined)

# banata_core's parsers: its wire types and the pure parsing files of its client and download
# engine. The job classes, the event socket and the download engine parse nothing themselves
# (they call these), so they are left out with their moc and network code.
add_library(banata_core STATIC
    core/apierror.cpp core/artifact.cpp core/checkpoint.cpp core/document.cpp core/event.cpp core/exec.cpp
    core/files.cpp core/handoff.cpp core/health.cpp core/json.cpp core/lifecycle.cpp core/preview.cpp
    core/sandbox.cpp core/task.cpp core/webhook.cpp
    core/client/apiresult.cpp core/client/eventmessage.cpp core/client/transferheaders.cpp
    core/downloads/safefilename.cpp
)
add_library(banata::core ALIAS banata_core)
target_include_directories(banata_core PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(banata_core PUBLIC banata_common Qt6::Core nlohmann_json::nlohmann_json)
set_target_properties(banata_core PROPERTIES AUTOMOC OFF AUTOUIC OFF)

add_subdirectory(tests/fuzz)
