// SPDX-License-Identifier: MIT
// Fuzz target `errors`: what the client makes of an error answer. Input: the HTTP status on the
// first line, the Retry-After header on the second, the body after (any bytes: servers and
// proxies answer HTML, plain text or nothing). Invariants: no crash or UB; the operator gets a
// short non-empty message; Retry-After is within 0…24 h; the error writes the body the server
// sends ({error, code}) and reads back from it the same.
#include "core/apierror.h"
#include "fuzzcheck.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {

QByteArrayView takeLine(QByteArrayView &input)
{
    const qsizetype newline = input.indexOf('\n');
    const QByteArrayView line = newline < 0 ? input : input.first(newline);
    input = newline < 0 ? QByteArrayView() : input.sliced(newline + 1);
    return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArrayView input = fuzz::bytes(data, size);
    const int status = takeLine(input).toInt(); // 0 when not a number: a broken answer
    const QByteArray retryAfter = takeLine(input).toByteArray();
    const QByteArray body = input.toByteArray();

    const ApiError error = ApiError::fromResponse(status, body, retryAfter);
    FUZZ_CHECK(error.kind == ApiError::Kind::Http && error.httpStatus == status);
    fuzz::checkError(error.message);
    FUZZ_CHECK(error.message.size() <= 501);
    FUZZ_CHECK(!error.displayText().isEmpty());
    if (error.retryAfterSeconds)
        FUZZ_CHECK(*error.retryAfterSeconds >= 0 && *error.retryAfterSeconds <= 24 * 3600);
    (void)error.isTransient();

    // The body the server writes for this error reads back as the same message and code.
    const ApiError again = ApiError::fromResponse(status, dumpJson(error.toJson()), QByteArray());
    FUZZ_CHECK_MSG(again.message == error.message,
                   again.message.left(200) + u" vs "_s + error.message.left(200));
    FUZZ_CHECK(again.code == error.code);
    return 0;
}
