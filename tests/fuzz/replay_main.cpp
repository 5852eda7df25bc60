// SPDX-License-Identifier: MIT
// The driver of a fuzz target in the normal build: runs the target once on every file of the
// directories given (the seed corpus and the crash regressions), so CTest proves that inputs
// once found crashing stay fixed; files given directly are run too (reproducing one input). A
// broken invariant aborts (fuzzcheck.h), failing the test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        std::error_code error;
        if (fs::is_regular_file(argv[i], error)) { // one input, e.g. a crash being reproduced
            inputs.emplace_back(argv[i]);
            continue;
        }
        for (const fs::directory_entry &entry : fs::recursive_directory_iterator(argv[i], error)) {
            if (entry.is_regular_file())
                inputs.push_back(entry.path());
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "no inputs found in the directories given\n");
        return 1;
    }
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path &path : inputs) {
        std::ifstream file(path, std::ios::binary);
        const std::vector<char> content((std::istreambuf_iterator<char>(file)),
                                        std::istreambuf_iterator<char>());
        std::fprintf(stderr, "%s\n", path.c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(content.data()), content.size());
    }
    std::fprintf(stderr, "replayed %zu inputs\n", inputs.size());
    return 0;
}
