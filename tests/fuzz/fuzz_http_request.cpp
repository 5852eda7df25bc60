// SPDX-License-Identifier: MIT
// Fuzz target `http_request`: banata-local's HTTP/1.1 request parser (http-parser plus our
// limits and target decoding), fed the way HttpConnection feeds it. The first byte sets the
// size of the pieces the bytes arrive in; the rest is what a client sent on one connection
// (pipelined requests, bodies, garbage).
// Invariants: no crash, hang or UB; every request handed to routes has a method, a decoded path
// starting with '/', at most 256 lower-case headers without NUL; errors are 400/414/431 with a
// code; and the bytes arriving in pieces or all at once give exactly the same requests.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzzcheck.h"
#include "server/http/httprequestparser.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxBody = 4096; // the sink refuses more, as a route with a small limit does

void checkRequest(const HttpRequest &request)
{
    FUZZ_CHECK(!request.method.isEmpty());
    FUZZ_CHECK_MSG(request.path.startsWith(u'/'), request.path);
    FUZZ_CHECK(!request.path.contains(QChar(u'\0')));
    FUZZ_CHECK(request.headers.size() <= HttpRequestParser::MaxHeaderCount);
    for (const auto &[name, value] : request.headers) {
        FUZZ_CHECK(name == name.toLower());
        FUZZ_CHECK(!name.contains('\0') && !value.contains('\0'));
    }
    (void)request.queryValue(u"id"_s);
}

/// Parses \a input in pieces of \a piece bytes (everything at once when 0) and returns a
/// transcript of what the connection would have seen.
QStringList parse(QByteArrayView input, qsizetype piece)
{
    QStringList transcript;
    HttpRequestParser parser;
    QByteArray body;
    bool rejected = false;
    parser.setBodySink([&body, &rejected](QByteArrayView chunk) {
        if (body.size() + chunk.size() > kMaxBody) {
            rejected = true;
            return false;
        }
        body.append(chunk);
        return true;
    });
    qsizetype position = 0;
    while (position < input.size()) {
        const qsizetype length =
            piece > 0 ? std::min(piece, input.size() - position) : input.size() - position;
        const HttpRequestParser::Step step = parser.feed(input.sliced(position, length));
        FUZZ_CHECK(step.consumed >= 0 && step.consumed <= length);
        position += step.consumed;
        switch (step.event) {
        case HttpRequestParser::Event::NeedMoreData:
            if (step.consumed == 0) { // an upgrade, or a parser that is done: the connection stops reading
                transcript.append(u"stopped at %1"_s.arg(position));
                return transcript;
            }
            break;
        case HttpRequestParser::Event::HeadersComplete: {
            FUZZ_CHECK(parser.messageStarted());
            FUZZ_CHECK(parser.contentLength() >= -1);
            const HttpRequest request = parser.takeRequest();
            checkRequest(request);
            QString line = QString::fromLatin1(request.method) + u' ' + request.path + u'?' +
                           request.query.query(QUrl::FullyEncoded) +
                           u" keepAlive=%1 continue=%2 body=%3 length=%4"_s.arg(parser.keepAlive())
                               .arg(parser.expectsContinue())
                               .arg(parser.hasBody())
                               .arg(parser.contentLength());
            for (const auto &[name, value] : request.headers)
                line += u' ' + QString::fromLatin1(name) + u'=' + QString::fromLatin1(value);
            transcript.append(line);
            parser.resume();
            break;
        }
        case HttpRequestParser::Event::MessageComplete:
            transcript.append(u"body %1: %2"_s.arg(body.size()).arg(QString::fromLatin1(body.toHex())));
            body.clear();
            parser.resume();
            break;
        case HttpRequestParser::Event::BodyRejected:
            FUZZ_CHECK(rejected);
            transcript.append(u"body rejected"_s);
            return transcript;
        case HttpRequestParser::Event::Error:
            FUZZ_CHECK(parser.errorStatus() == 400 || parser.errorStatus() == 414 ||
                       parser.errorStatus() == 431);
            FUZZ_CHECK(!parser.errorCode().isEmpty());
            fuzz::checkError(parser.errorMessage());
            transcript.append(u"error %1 %2"_s.arg(parser.errorStatus()).arg(parser.errorCode()));
            return transcript;
        }
    }
    transcript.append(u"end"_s);
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider provider(data, size);
    const std::vector<uint8_t> first = provider.ConsumeBytes<uint8_t>(1);
    if (first.empty())
        return 0;
    const qsizetype piece = 1 + first[0] % 64;
    const std::string rest = provider.ConsumeRemainingBytesAsString();
    const QByteArrayView input(rest.data(), qsizetype(rest.size()));
    const QStringList whole = parse(input, 0);
    const QStringList pieces = parse(input, piece);
    FUZZ_CHECK_MSG(whole == pieces,
                   whole.join(u'\n').left(800) + u"\n--- in pieces ---\n"_s + pieces.join(u'\n').left(800));
    return 0;
}
