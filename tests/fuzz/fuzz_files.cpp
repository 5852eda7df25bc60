// SPDX-License-Identifier: MIT
// Fuzz target `files`: the workspace file routes as the client reads them (fs/list, fs/read,
// fs/checksum, the answer to fs/write and fs/upload) and the server reads them (the fs/write
// body), plus safeFileName(), which turns a name from a listing into a local file name.
// Invariants: no crash or UB; rejections are short messages; accepted values read back the
// same; a listed name always becomes a file name that cannot leave the chosen folder.
#include "core/client/apiresult.h"
#include "core/downloads/safefilename.h"
#include "core/files.h"
#include "fuzzcheck.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {

template <typename T> std::optional<T> roundTrip(const Json &json)
{
    Parsed<T> first = T::fromJson(json);
    if (!first) {
        fuzz::checkError(first.error());
        return std::nullopt;
    }
    const Json written = first->toJson();
    const Parsed<T> second = T::fromJson(fuzz::reparsed(written));
    FUZZ_CHECK_MSG(second.ok(), second.ok() ? QString() : second.error());
    FUZZ_CHECK(dumpJson(second->toJson()) == dumpJson(written));
    return std::move(first).value();
}

// The promises of safeFileName()'s documentation, for any name a server may list.
void checkSafeName(const QString &remote)
{
    const QString name = safeFileName(remote);
    FUZZ_CHECK(!name.isEmpty() && name != u"." && name != u"..");
    FUZZ_CHECK_MSG(name.toUtf8().size() <= 255, name);
    FUZZ_CHECK_MSG(name.front() != u'.' && !name.front().isSpace() && name.back() != u'.' &&
                       !name.back().isSpace(),
                   name);
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        FUZZ_CHECK_MSG(c != u'/' && c != u'\\' && c.unicode() >= 0x20 && c.unicode() != 0x7f &&
                           c != QChar::ReplacementCharacter,
                       name);
        if (c.isHighSurrogate())
            FUZZ_CHECK_MSG(i + 1 < name.size() && name.at(++i).isLowSurrogate(), name);
        else
            FUZZ_CHECK_MSG(!c.isLowSurrogate(), name);
    }
    FUZZ_CHECK_MSG(safeFileName(name) == name, name); // a safe name stays as it is
    const QString numbered = numberedFileName(name, 2);
    FUZZ_CHECK_MSG(numbered.toUtf8().size() <= 255 && numbered != name, numbered);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    checkSafeName(QString::fromUtf8(input));
    const auto json = parseJson(input.toByteArray());
    if (!json) {
        fuzz::checkError(json.error());
        return 0;
    }
    if (const auto listing = roundTrip<FileListing>(*json)) {
        // The server's fast writer and the tree write the same JSON (keys in another order).
        const auto fast = parseJson(listing->toJsonBytes());
        FUZZ_CHECK_MSG(fast.ok() && *fast == listing->toJson(),
                       QString::fromUtf8(listing->toJsonBytes().left(400)));
        for (const FileEntry &entry : listing->entries)
            checkSafeName(entry.name);
    }
    roundTrip<FileEntry>(*json);
    if (const auto content = roundTrip<FileContent>(*json))
        FUZZ_CHECK(FileContent::fromJson(content->toJson())->bytes == content->bytes);
    if (const auto write = roundTrip<FileWriteRequest>(*json))
        FUZZ_CHECK(FileWriteRequest::fromJson(write->toJson())->bytes == write->bytes);
    if (const auto checksum = roundTrip<FileChecksum>(*json))
        FUZZ_CHECK(isSha256Hex(checksum->sha256) && checksum->size >= 0);
    roundTrip<WriteResult>(*json);
    return 0;
}
