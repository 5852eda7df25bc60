// SPDX-License-Identifier: MIT
// Fuzz target `http_range`: the Range header of fs/download, fs/archive and artifact downloads.
// Input: the file size on the first line (decimal), the Range header after.
// Invariants: no crash or UB (offsets near 2^63 included); a satisfiable range lies inside the
// file and is not empty; the Content-Range the server then sends is read back by the client's
// parser as exactly that range, and an unsatisfiable one as `bytes */size`.
#include "core/client/transferheaders.h"
#include "fuzzcheck.h"
#include "server/http/httprange.h"

using namespace banata;
using namespace banata::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    bool sizeOk = false;
    qint64 fileSize = newline < 0 ? 0 : input.first(newline).toLongLong(&sizeOk);
    if (!sizeOk)
        fileSize = 1000;
    const QByteArrayView header = newline < 0 ? input : input.sliced(newline + 1);

    const auto range = parseRangeHeader(header, fileSize);
    if (!range)
        return 0;
    FUZZ_CHECK(fileSize >= 0);
    const QByteArray contentRange = range->contentRange(fileSize);
    if (!range->satisfiable) {
        FUZZ_CHECK(range->length() == 0);
        FUZZ_CHECK(contentRange == "bytes */" + QByteArray::number(fileSize));
        FUZZ_CHECK(!parseContentRange(contentRange)); // a 416 carries no range a client could use
        return 0;
    }
    FUZZ_CHECK(range->first >= 0 && range->first <= range->last && range->last < fileSize);
    FUZZ_CHECK(range->length() > 0 && range->length() <= fileSize);
    const auto read = parseContentRange(contentRange);
    FUZZ_CHECK_MSG(read.has_value(), QString::fromLatin1(contentRange));
    FUZZ_CHECK(read->first == range->first && read->last == range->last && read->total == fileSize);
    return 0;
}
